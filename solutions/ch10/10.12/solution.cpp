// Reference solution for ch10/10.12: online softmax in one pass over the blocks.

#include "ch10/10.12/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <xtensor/xmath.hpp>

namespace ch10_12 {

RunningStats online_stats(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  RunningStats stats{-std::numeric_limits<double>::infinity(), 0.0};
  for (std::size_t start = 0; start < scores.size(); start += block_size) {
    const std::size_t end = std::min(start + block_size, scores.size());
    const double block_max = *std::max_element(scores.begin() + start, scores.begin() + end);
    const double new_max = std::max(stats.max, block_max);
    // Sums taken against the old maximum are rescaled to the new one: exp(s - m_old) * exp(m_old - m_new).
    double sum = stats.sum * std::exp(stats.max - new_max);
    for (std::size_t i = start; i < end; ++i) sum += std::exp(scores(i) - new_max);
    stats = {new_max, sum};
  }
  return stats;
}

xt::xtensor<double, 1> online_softmax(const xt::xtensor<double, 1>& scores, std::size_t block_size) {
  const auto stats = online_stats(scores, block_size);
  xt::xtensor<double, 1> probs = xt::exp(scores - stats.max) / stats.sum;
  return probs;
}

}  // namespace ch10_12
