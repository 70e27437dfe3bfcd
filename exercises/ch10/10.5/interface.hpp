#pragma once
// Interface for ch10/10.5, sinusoidal positional encoding. Implement in namespace ch10_5.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_5 {

// The (max_len, d_model) encoding, d_model even. With w_i = 10000^(-2i / d_model) for the pair
// i = 0 .. d_model/2 - 1: entry (pos, 2i) is sin(pos w_i) and entry (pos, 2i + 1) is cos(pos w_i).
xt::xtensor<double, 2> sinusoidal_pe(std::size_t max_len, std::size_t d_model);

// For any matrix m with rows >= 2 (an encoding or not): entry k - 1 is the cosine of the angle between
// rows 0 and k, for k = 1 .. rows - 1.
xt::xtensor<double, 1> similarity_to_first(const xt::xtensor<double, 2>& m);

// For any matrix m: row r of the result is m[positions[r] + k] - m[positions[r]], so the shape is
// (positions.size(), m's columns).
xt::xtensor<double, 2> offset_differences(const xt::xtensor<double, 2>& m, std::size_t k,
                                          const std::vector<std::size_t>& positions);

}  // namespace ch10_5
