#pragma once
// Interface for arch13/2, the shift of a sinusoidal encoding as one linear map. Implement offset_map in namespace
// arch13_2. The kit offers nothing of the nn library here.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace arch13_2 {

// The (d, d) matrix R_k with R_k PE(pos) = PE(pos + k) for every position pos, where PE(pos) is the d-dimensional
// sinusoidal encoding (d even; with w_i = 10000^(-2i / d), entry 2i is sin(pos w_i) and entry 2i + 1 is
// cos(pos w_i)). R_k depends on the offset k alone, which may be any real number, negative too.
xt::xtensor<double, 2> offset_map(double k, std::size_t d);

}  // namespace arch13_2
