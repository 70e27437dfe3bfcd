#pragma once
// Interface for ch10/10.8, pre-LN and post-LN residual sub-layers. Implement layer_norm and residual_sublayer
// in namespace ch10_8; branch() is given.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_8 {

using Tokens = xt::xtensor<double, 2>;  // n x d: one token per row
using Batch = xt::xtensor<double, 3>;   // (batch, n, d): several token matrices, handled independently

// Where a sub-layer puts its LayerNorm relative to the residual addition: the two variants of part (a).
enum class Placement { pre_ln, post_ln };
enum class Branch { attention, feed_forward };

// One layer's weights: a single-head self-attention branch and a ReLU feed-forward branch, without biases.
struct LayerWeights {
  Tokens w_q, w_k, w_v, w_o;  // d x d each
  Tokens w_1;                 // d x d_ff
  Tokens w_2;                 // d_ff x d
};

// Given: the branch F of a sub-layer on one token matrix x (n x d), n x d out.
//   attention:     softmax(Q K^T / sqrt(d)) V W_O, Q = x W_Q, K = x W_K, V = x W_V (no mask)
//   feed_forward:  ReLU(x W_1) W_2
inline Tokens product(const Tokens& a, const Tokens& b) {
  Tokens c = xt::zeros<double>({a.shape(0), b.shape(1)});
  for (std::size_t i = 0; i < a.shape(0); ++i)
    for (std::size_t k = 0; k < a.shape(1); ++k)
      for (std::size_t j = 0; j < b.shape(1); ++j) c(i, j) += a(i, k) * b(k, j);
  return c;
}
inline Tokens branch(const Tokens& x, const LayerWeights& w, Branch which) {
  if (which == Branch::feed_forward) {
    Tokens hidden = product(x, w.w_1);
    for (auto& h : hidden) h = std::max(h, 0.0);
    return product(hidden, w.w_2);
  }
  const Tokens q = product(x, w.w_q), k = product(x, w.w_k), v = product(x, w.w_v);
  const std::size_t n = x.shape(0), d = q.shape(1);
  Tokens weights = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i) {
    double top = -INFINITY, sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t c = 0; c < d; ++c) weights(i, j) += q(i, c) * k(j, c) / std::sqrt(double(d));
      top = std::max(top, weights(i, j));
    }
    for (std::size_t j = 0; j < n; ++j) sum += weights(i, j) = std::exp(weights(i, j) - top);
    for (std::size_t j = 0; j < n; ++j) weights(i, j) /= sum;
  }
  return product(product(weights, v), w.w_o);
}

// LayerNorm of every token of every matrix: (x - mean) / sqrt(variance + 1e-5), the mean and the (biased)
// variance taken over the token's d features. No gain or shift (at initialisation they are 1 and 0).
Batch layer_norm(const Batch& x);

// One residual sub-layer, with F = branch(., w, which), applied to every matrix of the batch, its LayerNorm
// placed as `placement` says (the LayerNorm is the one above).
Batch residual_sublayer(const Batch& x, const LayerWeights& w, Branch which, Placement placement);

}  // namespace ch10_8
