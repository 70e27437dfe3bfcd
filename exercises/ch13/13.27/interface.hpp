#pragma once
// Interface for ch13/13.27, RoPE's rotation matrices and the relative position. Implement rope_matrix in namespace
// ch13_27. The kit offers nothing of the nn library here.

#include <cstddef>
#include <cstdint>

#include <xtensor/xtensor.hpp>

namespace ch13_27 {

// The (d, d) matrix R_m that RoPE applies to a query or key at position m (any integer, negative too), d even, in the
// interleaved layout of the RoPE paper: block diagonal, its 2 x 2 block i (rows and columns 2i and 2i + 1) the
// counterclockwise rotation [[cos a, -sin a], [sin a, cos a]] by a = m theta_i, theta_i = base^(-2i/d).
xt::xtensor<double, 2> rope_matrix(std::int64_t m, std::size_t d, double base);

}  // namespace ch13_27
