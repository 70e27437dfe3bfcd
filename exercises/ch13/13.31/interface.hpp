#pragma once
// Interface for ch13/13.31, a small example on which pre-LN and post-LN disagree. Implement in namespace ch13_31.
// The kit offers nothing of the nn library here.

#include <xtensor/xtensor.hpp>

namespace ch13_31 {

// One transformer layer's weights and an input: n tokens of width d, a single-head self-attention branch
// softmax(Q K^T / sqrt(d)) V W_O with Q = x W_Q, K = x W_K, V = x W_V (no mask), and a feed-forward branch
// ReLU(x W_1) W_2. No biases; LayerNorm has no gain or shift and eps = 1e-5.
struct Example {
  xt::xtensor<double, 2> x;    // (n, d)
  xt::xtensor<double, 2> w_q;  // (d, d)
  xt::xtensor<double, 2> w_k;  // (d, d)
  xt::xtensor<double, 2> w_v;  // (d, d)
  xt::xtensor<double, 2> w_o;  // (d, d)
  xt::xtensor<double, 2> w_1;  // (d, d_ff)
  xt::xtensor<double, 2> w_2;  // (d_ff, d)
};

// An example, with 1 <= n <= 8, 2 <= d <= 16, 1 <= d_ff <= 64 and every entry in [-10, 10], on which the layer gives
// different outputs when arranged pre-LN and post-LN (see the statement for the margin).
Example differing_example();

}  // namespace ch13_31
