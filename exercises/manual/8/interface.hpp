#pragma once
// Interface for manual/8, random directions in high dimension. Implement in namespace manual_8.

#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

namespace manual_8 {

// `count` vectors of length d, each drawn uniformly from the unit sphere in R^d (unit norm, every direction
// equally likely), one after another: row i is the i-th vector. Draw all randomness from `rng`.
xt::xtensor<double, 2> random_unit_vectors(std::size_t d, std::size_t count, std::mt19937_64& rng);

}  // namespace manual_8
