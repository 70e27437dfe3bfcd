#pragma once
// Interface for ch13/13.8, in-context learning by a linear attention layer. Implement in namespace ch13_8.

#include <xtensor/xtensor.hpp>

namespace ch13_8 {

// Linear self-attention (no softmax, no scaling) for a batch of token matrices. For each Z = tokens[b] (n x e, one
// token per row): Q = Z W_q, K = Z W_k, V = Z W_v, and the output is (Q K^T) V, an n x d_v matrix.
// Shapes: w_q, w_k (e x d_k), w_v (e x d_v); the result is (batch, n, d_v).
xt::xtensor<double, 3> linear_self_attention(const xt::xtensor<double, 3>& tokens, const xt::xtensor<double, 2>& w_q,
                                             const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

}  // namespace ch13_8
