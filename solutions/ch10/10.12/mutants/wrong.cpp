// Wrong on purpose: forgets to rescale the running sum when a block raises the maximum, so every sum
// taken against an old maximum is too large. With one block (B >= n) it is still right.

#include "ch10/10.12/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "ch10/10.12", {"a/n=1000,B=64", "b/B=16", "b/B=64", "b/B=256", "c/spread 1", "d/B=16", "d/any n, B"}};

namespace ch10_12 {

RunningStats online_stats(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  RunningStats stats{-std::numeric_limits<double>::infinity(), 0.0};
  for (std::size_t start = 0; start < scores.size(); start += block_size) {
    const std::size_t end = std::min(start + block_size, scores.size());
    const double new_max = std::max(stats.max, *std::max_element(scores.begin() + start, scores.begin() + end));
    for (std::size_t i = start; i < end; ++i) stats.sum += std::exp(scores(i) - new_max);  // no rescale
    stats.max = new_max;
  }
  return stats;
}

xt::xtensor<double, 1> online_softmax(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  const auto stats = online_stats(scores, block_size);
  xt::xtensor<double, 1> probs = xt::exp(scores - stats.max) / stats.sum;
  return probs;
}

}  // namespace ch10_12
