#pragma once
// Interface for manual/7, self-attention with learned projections. Implement in namespace manual_7.

#include <xtensor/xtensor.hpp>

namespace manual_7 {

// The three projection matrices of one attention head.
struct Weights {
  xt::xtensor<double, 2> query;  // D x D_k
  xt::xtensor<double, 2> key;    // D x D_k
  xt::xtensor<double, 2> value;  // D x D_v
};

// Y = softmax(Q K^T / sqrt(D_k)) V with Q = X W_q, K = X W_k, V = X W_v and the softmax along each row.
// X holds one token per row (N x D); Y is N x D_v. No mask: every token attends to every token.
xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const Weights& w);

}  // namespace manual_7
