// Benchmark (not a test): what a call through the channel costs. manual/3's self_attention(x) is called in
// this process (its reference solution linked in: the peer) and in the reference solution's own process
// through the channel, as every check now calls a solution, for inputs from 4 x 4 to 1024 x 64.
// usage: build/bench_channel_cost [--calls N]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "manual/3/interface.hpp"
#include "workbook/grading/our_solutions.hpp"
#include "workbook/grading/solution_process.hpp"

using Clock = std::chrono::steady_clock;

namespace {

xt::xtensor<double, 2> tokens(std::size_t n, std::size_t d) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0, 1 / std::sqrt(double(d)));
  xt::xtensor<double, 2> x = xt::xtensor<double, 2>::from_shape({n, d});
  for (auto& v : x) v = normal(rng);
  return x;
}

template <class Call>
double microseconds_per_call(int calls, Call call) {
  call();  // warm up
  const auto start = Clock::now();
  for (int i = 0; i < calls; ++i) call();
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / calls;
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 2000;
  if (argc == 3 && std::strcmp(argv[1], "--calls") == 0) calls = std::stoi(argv[2]);
  workbook::grading::Limits limits;
  limits.wall = std::chrono::hours(1);
  workbook::grading::SolutionProcess process(workbook::grading::reference_program("manual/3"), limits, true);
  std::printf("%-10s %14s %14s %14s\n", "x", "in process", "channel", "overhead");
  for (const auto [n, d] : {std::pair<std::size_t, std::size_t>{4, 4}, {16, 16}, {64, 64}, {256, 64}, {1024, 64}}) {
    const auto x = tokens(n, d);
    const int repeat = std::max(10, int(calls * 16 / double(n)));
    const double local = microseconds_per_call(repeat, [&] { return manual_3::self_attention(x); });
    const double remote = microseconds_per_call(repeat, [&] {
      return process.call(workbook::wire::json::array({"self_attention", workbook::wire::json::array({workbook::wire::encode(x)})}));
    });
    std::printf("%4zu x %-3zu %11.1f us %11.1f us %11.1f us\n", n, d, local, remote, remote - local);
  }
  process.finish();
  return 0;
}
