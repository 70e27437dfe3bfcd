// Generation of 100 tokens with and without the KV cache, from the benchmark's char GPT shape (4 layers,
// 4 heads, 128 wide; context 128 so that a 16-token prompt and 100 new tokens fit). Prints one JSON line with
// both times, the speed-up and whether the two token sequences are identical.
// Usage: bench_generate_kv [--new 100] [--checkpoint FILE (from bench_train_char_gpt --out)] [--repeats 3]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "nn/checkpoint.hpp"
#include "nn/generate.hpp"
#include "workbook/blas_kernels.hpp"

namespace {

template <class F>
double median_seconds(int repeats, F&& run) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  workbook::use_fast_blas_kernels(argv);  // before anything else: it may run the program again
  std::size_t n_new = 100;
  int repeats = 3;
  std::string checkpoint;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--new") n_new = std::stoul(value);
    else if (flag == "--checkpoint") checkpoint = value;
    else if (flag == "--repeats") repeats = std::stoi(value);
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  nn::GptConfig config;
  config.vocab_size = 65;
  config.context = 16 + n_new;
  config.n_layer = 4;
  config.n_head = 4;
  config.n_embd = 128;
  nn::Gpt<float> model(config, 1337);
  if (!checkpoint.empty()) nn::load_checkpoint(checkpoint, model.parameters());  // wpe rows beyond 64 stay random
  const nn::Tokens prompt = {18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43, 52, 10, 0, 14};  // 16 tokens
  nn::Tokens cached, recomputed;
  const double with_cache = median_seconds(repeats, [&] { cached = nn::generate(model, prompt, n_new, {true}, 1, true); });
  const double without = median_seconds(repeats, [&] { recomputed = nn::generate(model, prompt, n_new, {true}, 1, false); });
  std::cout << "{\"new_tokens\": " << n_new << ", \"cached_seconds\": " << with_cache << ", \"recompute_seconds\": " << without
            << ", \"speedup\": " << without / with_cache << ", \"identical\": " << (cached == recomputed ? "true" : "false")
            << "}" << std::endl;
  return cached == recomputed ? 0 : 1;
}
