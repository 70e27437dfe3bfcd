#pragma once
// Interface for ch13/13.28, how sharp a softmax over unscaled and scaled scores gets as d_k grows. Implement in
// namespace ch13_28. The kit offers nothing of the nn library here.

#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

namespace ch13_28 {

// queries (rows, d_k) and keys (rows, n_keys, d_k): query r is scored against its own keys keys(r, j, :), j < n_keys.
// Returns (rows,): for each r the largest weight of softmax over j of the scores q_r . k_rj (scaled = false) or
// q_r . k_rj / sqrt(d_k) (scaled = true).
xt::xtensor<double, 1> largest_weights(const xt::xtensor<double, 2>& queries, const xt::xtensor<double, 3>& keys,
                                       bool scaled);

// The two measurements of one d_k, made on the same draws.
struct Sharpness {
  double unscaled = 0;  // mean over the rows of the largest softmax weight of the unscaled scores
  double scaled = 0;    // the same for the scores divided by sqrt(d_k)
};

// Draw `rows` independent rows, each a query and n_keys keys of d_k independent N(0, 1) entries from rng, and
// return the mean largest softmax weight of their unscaled and of their scaled scores. The generator comes back
// advanced.
Sharpness mean_largest_weight(std::size_t d_k, std::size_t n_keys, std::size_t rows, std::mt19937_64& rng);

}  // namespace ch13_28
