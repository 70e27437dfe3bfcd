#pragma once
// Interface for manual/4, the size of a dot product of random vectors. Implement in namespace manual_4.

#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

namespace manual_4 {

// n independent samples of (a . b)^2, where for each sample a and b are fresh, independent vectors in
// R^d with independent N(0, 1) entries drawn from `rng`. Returns a vector of length n.
xt::xtensor<double, 1> squared_dot_samples(std::size_t d, std::size_t n, std::mt19937_64& rng);

}  // namespace manual_4
