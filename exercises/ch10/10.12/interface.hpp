#pragma once
// Interface for ch10/10.12, online softmax. Implement the three functions in namespace ch10_12.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_12 {

// What a single pass keeps about the scores s_1 .. s_j it has read so far: max = the largest of them, and
// sum = sum_i exp(s_i - max). Before the first score it is {-infinity, 0}.
struct RunningStats {
  double max;
  double sum;
};

// One step of the pass: the statistics of (the scores behind `stats`) followed by `block`, computed from
// `stats` and the (non-empty) block alone. A score of -infinity is masked and adds nothing; while every score
// read so far is -infinity, the statistics stay {-infinity, 0}.
RunningStats merge_block(const RunningStats& stats, const xt::xtensor<double, 1>& block);

// Cuts `scores` into consecutive blocks of block_size scores (the last one shorter when block_size does not
// divide the length) and merges them in order, starting from {-infinity, 0}. Entry b holds the statistics
// after block b, so the last entry describes all the scores.
std::vector<RunningStats> stats_after_each_block(const xt::xtensor<double, 1>& scores, std::size_t block_size);

// softmax(scores), normalised with the statistics of the whole pass (the last entry above).
xt::xtensor<double, 1> online_softmax(const xt::xtensor<double, 1>& scores, std::size_t block_size);

}  // namespace ch10_12
