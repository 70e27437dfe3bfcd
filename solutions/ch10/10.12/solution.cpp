// Reference solution for ch10/10.12: online softmax in one pass over the blocks.

#include "ch10/10.12/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch10_12 {

namespace {
constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
}

RunningStats merge_block(const RunningStats& stats, const xt::xtensor<double, 1>& block) {
  const double block_max = *std::max_element(block.begin(), block.end());
  const double new_max = std::max(stats.max, block_max);
  if (new_max == minus_infinity) return stats;  // only masked scores so far: exp(-inf - (-inf)) would be NaN
  // Sums taken against the old maximum are rescaled to the new one: exp(s - m_old) * exp(m_old - m_new).
  double sum = stats.sum * std::exp(stats.max - new_max);
  for (double s : block) sum += std::exp(s - new_max);
  return {new_max, sum};
}

std::vector<RunningStats> stats_after_each_block(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  std::vector<RunningStats> after;
  RunningStats stats{minus_infinity, 0.0};
  for (std::size_t start = 0; start < scores.size(); start += block_size) {
    const std::size_t end = std::min(start + block_size, scores.size());
    const xt::xtensor<double, 1> block = xt::view(scores, xt::range(start, end));
    stats = merge_block(stats, block);
    after.push_back(stats);
  }
  return after;
}

xt::xtensor<double, 1> online_softmax(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  const auto stats = stats_after_each_block(scores, block_size).back();
  xt::xtensor<double, 1> probs = xt::exp(scores - stats.max) / stats.sum;
  return probs;
}

}  // namespace ch10_12
