#pragma once
// Interface for topic10/1.1, permutation equivariance of self-attention. Implement in namespace topic10_1_1.

#include <xtensor/xtensor.hpp>

namespace topic10_1_1 {

// The n x n self-attention weights of the tokens X (n x d_model, one token per row):
// A = softmax((X W_q)(X W_k)^T / sqrt(d_k)), the softmax taken along each row, so each row sums to 1.
// W_q and W_k are d_model x d_k. No positional information and no mask.
xt::xtensor<double, 2> attention_weights(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                         const xt::xtensor<double, 2>& w_k);

// Attn(X) = A X W_v with A from attention_weights and W_v of shape d_model x d_v; the result is n x d_v.
xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                      const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

}  // namespace topic10_1_1
