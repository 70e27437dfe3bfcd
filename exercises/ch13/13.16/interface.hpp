#pragma once
// Interface for ch13/13.16, the RoPE rotation of one pair of query dimensions. Implement in namespace ch13_16.

#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch13_16 {

// For every position m in `positions` (any real number, negative too), the 2 x 2 matrix R(m) that RoPE applies
// to the column (q_0, q_1): a counterclockwise rotation of the plane by the angle m * omega. Entry [t, r, c] is
// row r, column c of R(positions[t]); the shape is (positions.size(), 2, 2).
xt::xtensor<double, 3> rope_rotations(const std::vector<double>& positions, double omega);

// Row t of `pairs` (count x 2) is a pair (q_0, q_1) at position positions[t]; row t of the result is that pair
// after RoPE, R(positions[t]) (q_0, q_1). Same shape as `pairs`.
xt::xtensor<double, 2> rotate_pairs(const xt::xtensor<double, 2>& pairs, const std::vector<double>& positions,
                                    double omega);

}  // namespace ch13_16
