#pragma once
// Interface for manual/5, two ways to apply the output projection of multi-head attention.
// Implement both in namespace manual_5.

#include <vector>

#include <xtensor/xtensor.hpp>

namespace manual_5 {

// heads: H head outputs H_1..H_H, each N x d_head (one token per row). w_o: the output projection,
// (H d_head) x D. Both functions return the N x D matrix Y and must agree.

// Y = [H_1 | H_2 | ... | H_H] W_o: join the heads side by side into one N x (H d_head) matrix, then
// multiply once.
xt::xtensor<double, 2> concat_then_project(const std::vector<xt::xtensor<double, 2>>& heads,
                                           const xt::xtensor<double, 2>& w_o);

// Y = sum_h H_h W_o^(h), where W_o^(h) is the h-th block of d_head consecutive rows of W_o
// (rows h d_head .. (h + 1) d_head - 1, counting heads and rows from 0). No concatenation.
xt::xtensor<double, 2> sum_of_head_projections(const std::vector<xt::xtensor<double, 2>>& heads,
                                               const xt::xtensor<double, 2>& w_o);

}  // namespace manual_5
