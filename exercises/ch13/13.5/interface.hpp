#pragma once
// Interface for ch13/13.5, causal self-attention. Implement in namespace ch13_5.

#include <xtensor/xtensor.hpp>

namespace ch13_5 {

// One head of causal self-attention on the tokens x (n x d_model, one token per row): Q = X W_q, K = X W_k,
// the scores Q K^T / sqrt(d_k) (d_k = columns of w_k), and every score of a key that comes after its query
// (column j > row i) masked out before the softmax along the row. Returns the n x n weights: row i sums to 1
// over the keys 0..i and is 0 after them.
xt::xtensor<double, 2> causal_attention_weights(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                                const xt::xtensor<double, 2>& w_k);

// The layer's output: those weights times V = X W_v, an n x d_v matrix whose row i is the output at position i.
xt::xtensor<double, 2> causal_self_attention(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                             const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

}  // namespace ch13_5
