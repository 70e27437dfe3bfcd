// Benchmark (not a test): one attention forward configuration per process, so that the peak resident
// memory it reports belongs to that configuration alone. Prints one JSON line; bench/attention.sh runs
// the grid and bench/attention_torch.py is the PyTorch peer.
// usage: bench_attention --n 4096 --kernel naive|tiled --threads 1|2 [--batch 8 --d 64 --repeats 5
//                        --query-rows R --key-rows R --seed S]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/attention_kernels.hpp"
#include "workbook/blas_kernels.hpp"

namespace {

// OpenBLAS starts its worker threads when it is loaded, sized by OPENBLAS_NUM_THREADS (default: one per
// core), and idle workers spin on sched_yield for a while, taking the core the second kernel thread
// needs. Setting the variable later is too late, so without it the program runs itself again with it.
void ensure_openblas_single_threaded(char** argv) {
  const char* set = std::getenv("OPENBLAS_NUM_THREADS");
  if (set != nullptr && std::strcmp(set, "1") == 0) return;
  setenv("OPENBLAS_NUM_THREADS", "1", 1);
  execv("/proc/self/exe", argv);
  throw std::runtime_error("cannot run itself again with OPENBLAS_NUM_THREADS=1");
}

struct Options {
  std::string kernel = "tiled";
  std::size_t n = 4096, batch = 8, d = 64, threads = 1, repeats = 5, seed = 1;
  nn::AttentionTiles tiles;
};

// "--name value" pairs; every name must be one this program knows.
Options parse_options(int argc, char** argv) {
  Options o;
  const std::map<std::string, std::size_t*> sizes{
      {"--n", &o.n},           {"--batch", &o.batch},
      {"--d", &o.d},           {"--threads", &o.threads},
      {"--repeats", &o.repeats}, {"--seed", &o.seed},
      {"--query-rows", &o.tiles.query_rows}, {"--key-rows", &o.tiles.key_rows}};
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
    if (name == "--kernel")
      o.kernel = argv[i + 1];
    else if (const auto it = sizes.find(name); it != sizes.end())
      *it->second = std::stoul(argv[i + 1]);
    else
      throw std::invalid_argument("unknown option " + name);
  }
  if (o.kernel != "naive" && o.kernel != "tiled") throw std::invalid_argument("--kernel is naive or tiled");
  if (o.repeats == 0) throw std::invalid_argument("--repeats must be at least 1");
  return o;
}

std::vector<float> random_normal(std::size_t size, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> values(size);
  for (auto& x : values) x = normal(rng);
  return values;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Median wall-clock seconds of `repeats` runs, after one warm-up run (page faults, BLAS buffers).
template <class Run>
double median_seconds(std::size_t repeats, const Run& run) {
  run();
  std::vector<double> seconds;
  for (std::size_t r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return median(seconds);
}

}  // namespace

int main(int argc, char** argv) try {
  workbook::use_fast_blas_kernels(argv);  // before anything else: it may run the program again
  ensure_openblas_single_threaded(argv);  // the kernels' own threads are the only parallelism measured
  const Options o = parse_options(argc, argv);
  std::mt19937_64 rng(o.seed);
  const std::size_t size = o.batch * o.n * o.d;
  const std::vector<float> q = random_normal(size, rng), k = random_normal(size, rng), v = random_normal(size, rng);
  std::vector<float> out(size);
  const nn::AttentionDims dims{o.batch, o.n, o.d, false};
  const double seconds = median_seconds(o.repeats, [&] {
    if (o.kernel == "naive")
      nn::attention_naive(q.data(), k.data(), v.data(), out.data(), dims, o.threads);
    else
      nn::attention_tiled(q.data(), k.data(), v.data(), out.data(), dims, o.threads, o.tiles);
  });
  const double flops = 4.0 * double(o.batch) * double(o.n) * double(o.n) * double(o.d);  // two products
  const nlohmann::ordered_json line{{"kernel", o.kernel},   {"n", o.n},
                                    {"batch", o.batch},     {"d", o.d},
                                    {"threads", o.threads}, {"seconds", seconds},
                                    {"gflops", flops / seconds / 1e9}, {"peak_rss_mib", peak_rss_mib()}};
  std::cout << line.dump() << '\n';
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_attention: " << e.what() << '\n';
  return 2;
}
