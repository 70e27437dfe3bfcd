#pragma once
// Interface for ch10/10.2, the variance of dot products. Implement in namespace ch10_2.

#include <cstddef>
#include <cstdint>

#include <xtensor/xtensor.hpp>

namespace ch10_2 {

// `pairs` independent dot products q·k, where q and k are fresh vectors in R^d with i.i.d. N(0, 1)
// entries, drawn from a random generator seeded with `seed` (different seeds, different samples).
xt::xtensor<double, 1> random_dot_products(std::size_t d, std::size_t pairs, std::uint64_t seed);

}  // namespace ch10_2
