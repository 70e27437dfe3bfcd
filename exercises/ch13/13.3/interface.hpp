#pragma once
// Interface for ch13/13.3, the variance of a dot product. Implement in namespace ch13_3.

#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

namespace ch13_3 {

// `count` independent dot products q . k, each between two fresh vectors q and k of d_k independent standard
// normal components (mean 0, variance 1) drawn from rng. The generator comes back advanced.
xt::xtensor<double, 1> sample_dot_products(std::size_t d_k, std::size_t count, std::mt19937_64& rng);

}  // namespace ch13_3
