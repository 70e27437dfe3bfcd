#pragma once
// Interface for topic10/2.3, rank collapse in a stack of pure attention layers. Implement in namespace
// topic10_2_3.

#include <xtensor/xtensor.hpp>

namespace topic10_2_3 {

// One attention layer with no residual connection, no MLP and no normalisation:
//   softmax((X W_Q)(X W_K)^T / sqrt(d_k)) X W_V, the softmax along each row, d_k = columns of W_Q.
// X is n x d (one token per row); W_Q and W_K are d x d_k; W_V is d x d. The result is n x d.
xt::xtensor<double, 2> attention_layer(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                       const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v);

// The min(n, d) singular values of the n x d matrix X, largest first.
xt::xtensor<double, 1> singular_values(const xt::xtensor<double, 2>& x);

}  // namespace topic10_2_3
