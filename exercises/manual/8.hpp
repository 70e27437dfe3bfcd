#pragma once
// Interface for manual/8, random directions in high dimension. Implement in namespace manual_8.

#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

namespace manual_8 {

// A vector of length d drawn uniformly from the unit sphere in R^d: unit norm, every direction equally
// likely. Draw all randomness from `rng`.
xt::xtensor<double, 1> random_unit_vector(std::size_t d, std::mt19937_64& rng);

}  // namespace manual_8
