#pragma once
// Interface for ch13/13.2, permutation equivariance of self-attention. Implement in namespace ch13_2.

#include <xtensor/xtensor.hpp>

namespace ch13_2 {

// Self-attention with no position information, for a batch of inputs. For each X = xs[b] (n x d_model):
// Q = X W_q, K = X W_k, V = X W_v, and the output is softmax(Q K^T / sqrt(d_k)) V, the softmax taken along each
// row (over the keys), d_k = the number of columns of w_q and w_k. Shapes: w_q, w_k (d_model x d_k),
// w_v (d_model x d_v); the result is (batch, n, d_v).
xt::xtensor<double, 3> self_attention(const xt::xtensor<double, 3>& xs, const xt::xtensor<double, 2>& w_q,
                                      const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

}  // namespace ch13_2
