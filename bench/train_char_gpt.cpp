// Trains the character-level GPT of the benchmark (4 layers, 4 heads, 128 wide, context 64, batch 12) on
// tiny Shakespeare with nanoGPT's shakespeare_char settings, and prints one JSON line:
//   {"side": "nn", "threads": ..., "iterations": ..., "tokens_per_second": ..., "val_loss": ..., ...}
// Usage: bench_train_char_gpt [--iters 2000] [--data data/tinyshakespeare.txt] [--out DIR] [--sample N]
// Threads: OMP_NUM_THREADS (the library's threads, nn/parallel.hpp; OpenBLAS itself stays single-threaded).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <omp.h>

#include "nn/char_tokenizer.hpp"
#include "nn/generate.hpp"
#include "nn/trainer.hpp"
#include "workbook/blas_kernels.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  workbook::use_fast_blas_kernels(argv);  // before anything else: it may run the program again
  std::size_t iterations = 2000, sample = 0;
  std::string data_path = "data/tinyshakespeare.txt", out_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--iters") iterations = std::stoul(value);
    else if (flag == "--data") data_path = value;
    else if (flag == "--out") out_dir = value;
    else if (flag == "--sample") sample = std::stoul(value);
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  const std::string text = read_file(data_path);
  const nn::CharTokenizer tokenizer(text);
  const nn::TokenSplit data = nn::split(tokenizer.encode(text), 0.1);  // nanoGPT: last 10% for validation

  nn::GptConfig config;  // nanoGPT's CPU example for shakespeare_char
  config.vocab_size = tokenizer.vocab_size();
  config.context = 64;
  config.n_layer = 4;
  config.n_head = 4;
  config.n_embd = 128;
  nn::Gpt<float> model(config, 1337);

  nn::LmTraining training;
  training.iterations = iterations;
  training.schedule.decay_steps = iterations;
  training.out_dir = out_dir;
  const nn::LmTrainingResult r = nn::train_lm(model, data, training, std::cerr);

  std::cout << "{\"side\": \"nn\", \"threads\": " << omp_get_max_threads() << ", \"iterations\": " << iterations
            << ", \"parameters\": " << model.parameter_count() << ", \"tokens_per_second\": " << r.tokens_per_second
            << ", \"train_loss\": " << r.train_loss << ", \"val_loss\": " << r.val_loss << ", \"seconds\": " << r.seconds
            << "}" << std::endl;
  if (sample) std::cerr << tokenizer.decode(nn::generate(model, tokenizer.encode("\n"), std::min(sample, config.context - 1),
                                                         nn::Sampling{false, 0.8, 0, 1.0}, 7)) << "\n";
  return 0;
}
