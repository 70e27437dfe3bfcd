#pragma once
// Interface for topic10/1.2, the variance of attention scores. Implement in namespace topic10_1_2.

#include <cstddef>
#include <cstdint>

#include <xtensor/xtensor.hpp>

namespace topic10_1_2 {

// n raw attention scores q.k = sum_i q_i k_i, one per entry. Each score uses a fresh pair q, k in R^d whose
// 2d coordinates are independent N(0, 1), so the n scores are independent of each other. Draw them from a
// random generator seeded with `seed` (for example std::mt19937_64 and std::normal_distribution): the same
// seed gives the same scores and different seeds give independent samples.
xt::xtensor<double, 1> sample_scores(std::size_t d, std::size_t n, std::uint64_t seed);

// The softmax of every row of `scores` (one query's scores over the keys per row):
// out(r, j) = exp(scores(r, j)) / sum_l exp(scores(r, l)). Scores of any size: unscaled scores at large d
// reach the thousands, where exp(s) on its own overflows, so every row must still be finite and sum to 1
// there. Compute in double (see the statement).
xt::xtensor<double, 2> softmax(const xt::xtensor<double, 2>& scores);

}  // namespace topic10_1_2
