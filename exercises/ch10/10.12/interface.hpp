#pragma once
// Interface for ch10/10.12, online softmax. Implement both functions in namespace ch10_12.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_12 {

// What one left-to-right pass over the blocks leaves behind: m = max_j s_j and sum_j exp(s_j - m).
struct RunningStats {
  double max;
  double sum;
};

// Reads `scores` block_size entries at a time (the last block may be shorter), keeping only the running
// maximum and the running sum of exponentials, rescaled whenever the maximum grows.
RunningStats online_stats(const xt::xtensor<double, 1>& scores, std::size_t block_size);

// softmax(scores) with the normaliser from online_stats.
xt::xtensor<double, 1> online_softmax(const xt::xtensor<double, 1>& scores, std::size_t block_size);

}  // namespace ch10_12
