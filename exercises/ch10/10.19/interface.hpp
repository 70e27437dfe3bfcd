#pragma once
// Interface for ch10/10.19, permutation equivariance of self-attention. Implement in namespace ch10_19.

#include <xtensor/xtensor.hpp>

namespace ch10_19 {

// Scaled dot-product attention without a mask: softmax(q k^T / sqrt(d_k)) v, the softmax over each row (one
// row per query). q is (n, d_k), k is (m, d_k), v is (m, d_v); the result is (n, d_v).
xt::xtensor<double, 2> attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                 const xt::xtensor<double, 2>& v);

// Self-attention of the tokens x (n, d_model), one row per token: attention(x w_q, x w_k, x w_v), with
// w_q and w_k of shape (d_model, d_k) and w_v of shape (d_model, d_v). No positional information.
xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                      const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

// The same after adding the sinusoidal encoding of positions 0 .. n-1 to the tokens: self_attention(x + PE),
// where PE(pos, 2i) = sin(pos w_i), PE(pos, 2i + 1) = cos(pos w_i), w_i = 10000^(-2i / d_model), d_model even.
xt::xtensor<double, 2> self_attention_with_positions(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                                     const xt::xtensor<double, 2>& w_k,
                                                     const xt::xtensor<double, 2>& w_v);

}  // namespace ch10_19
