#pragma once
// Interface for ch10/10.5, sinusoidal positional encoding. Implement in namespace ch10_5.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_5 {

// The (max_len, d_model) encoding, d_model even: for pair i = 0 .. d_model/2 - 1,
// PE[pos][2i] = sin(pos / 10000^(2i / d_model)) and PE[pos][2i + 1] = cos(pos / 10000^(2i / d_model)).
xt::xtensor<double, 2> sinusoidal_pe(std::size_t max_len, std::size_t d_model);

// Cosine similarity between row 0 and row k of `pe`, for k = 1 .. rows - 1 (so rows - 1 values).
xt::xtensor<double, 1> similarity_to_first(const xt::xtensor<double, 2>& pe);

// Row r is pe[positions[r] + k] - pe[positions[r]]: shape (positions.size(), d_model).
xt::xtensor<double, 2> offset_differences(const xt::xtensor<double, 2>& pe, std::size_t k,
                                          const std::vector<std::size_t>& positions);

}  // namespace ch10_5
