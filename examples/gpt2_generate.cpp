// Loads Hugging Face GPT-2 weights (the model.safetensors of "gpt2", "gpt2-medium", ...) into our GPT and
// continues a prompt. There is no BPE tokenizer here: the prompt and the output are GPT-2 token ids (get them
// from tiktoken or from HF's tokenizer; "Hello, my name is" is 15496,11,616,1438,318). Prints the ids of the
// prompt and its continuation, comma-separated, on one line.
// Usage: example_gpt2_generate --weights FILE --prompt IDS [--new 20] [--heads 0 (n_embd/64)]
//                              [--temperature 1 --top-k 0 --top-p 1 (sampling; without them, greedy)] [--seed 1]
#include <iostream>
#include <sstream>
#include <string>

#include "nn/generate.hpp"
#include "nn/gpt2_loader.hpp"
#include "workbook/blas_kernels.hpp"

namespace {

struct Options {
  std::string weights;
  nn::Tokens prompt;
  std::size_t n_new = 20, heads = 0, seed = 1;
  nn::Sampling sampling{true};
};

nn::Tokens parse_ids(const std::string& text) {
  nn::Tokens ids;
  std::stringstream in(text);
  for (std::string id; std::getline(in, id, ',');) ids.push_back(std::stoi(id));
  return ids;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--weights") o.weights = value;
    else if (flag == "--prompt") o.prompt = parse_ids(value);
    else if (flag == "--new") o.n_new = std::stoul(value);
    else if (flag == "--heads") o.heads = std::stoul(value);
    else if (flag == "--seed") o.seed = std::stoul(value);
    else if (flag == "--temperature") o.sampling.greedy = false, o.sampling.temperature = std::stod(value);
    else if (flag == "--top-k") o.sampling.greedy = false, o.sampling.top_k = std::stoul(value);
    else if (flag == "--top-p") o.sampling.greedy = false, o.sampling.top_p = std::stod(value);
    else throw std::invalid_argument("unknown option " + flag);
  }
  if (o.weights.empty() || o.prompt.empty()) throw std::invalid_argument("--weights FILE and --prompt IDS are required");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  workbook::use_fast_blas_kernels(argv);
  const Options o = parse(argc, argv);
  const auto file = nn::SafetensorsFile::read(o.weights);
  nn::Gpt<float> model(nn::gpt2_config(nn::infer_gpt2_shape(file), o.heads), 0);
  nn::load_gpt2(file, model.parameters());
  const nn::Tokens out = nn::generate(model, o.prompt, o.n_new, o.sampling, o.seed);
  for (std::size_t i = 0; i < out.size(); ++i) std::cout << (i ? "," : "") << out[i];
  std::cout << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "example_gpt2_generate: " << e.what() << "\n";
  return 2;
}
