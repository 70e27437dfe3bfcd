#pragma once
// Interface for arch13/8, RoPE and the relative offset. Implement rope and relative_score in namespace arch13_8.
// The kit offers nothing of the nn library here.

#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_8 {

// RoPE in the "rotate half" layout (GPT-NeoX, LLaMA): x is (rows, d) with d even, row t sits at position
// positions[t] (any integer, negative too). Coordinate i < d/2 pairs with coordinate i + d/2, and the pair
// (x_i, x_{i+d/2}) is turned counterclockwise by the angle positions[t] * theta_i, theta_i = base^(-2i/d):
//   x_i       -> x_i cos(a) - x_{i+d/2} sin(a),
//   x_{i+d/2} -> x_i sin(a) + x_{i+d/2} cos(a),        a = positions[t] * theta_i.
// Returns the rotated rows, same shape as x.
xt::xtensor<double, 2> rope(const xt::xtensor<double, 2>& x, const std::vector<std::int64_t>& positions, double base);

// The score of a query q at position m and a key k at position n, rope(q, m) . rope(k, n), written from your
// derivation as a function of the offset n - m alone: no m and no n may appear. q and k have the same even length.
double relative_score(const std::vector<double>& q, const std::vector<double>& k, std::int64_t offset, double base);

}  // namespace arch13_8
