#pragma once
// Interface for ch10/10.22, sliding-window attention. Implement the two functions in namespace ch10_22.
// The kit offers nothing of the nn library here: the window is what you write.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_22 {

// The additive mask of a window of width `window` over n positions: an (n, n) matrix whose entry (i, j) is 0
// when |i - j| <= window / 2 (integer division) and minus infinity otherwise. window >= 1.
xt::xtensor<double, 2> window_mask(std::size_t n, std::size_t window);

// One head of windowed attention: softmax(q k^T / sqrt(d) + window_mask(n, window)) v, the softmax over each
// row. q and k are (n, d), v is (n, d_v); the result is (n, d_v).
xt::xtensor<double, 2> window_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v, std::size_t window);

}  // namespace ch10_22
