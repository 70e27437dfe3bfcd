#pragma once
// Interface for ch10/10.4, the weights of multi-head attention. Implement the two functions in namespace ch10_4.

#include <cstddef>
#include <random>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_4 {

// A multi-head attention layer without biases. Tokens are the rows of X (n x d_model); head i computes
// Q_i = X w_q[i], K_i = X w_k[i] and V_i = X w_v[i], so each matrix has d_model rows. The heads split the model
// width evenly: every head has the same query/key width and the same value width, and the h value outputs
// placed side by side are d_model wide, which w_o maps back to d_model.
struct MultiHeadAttention {
  std::vector<xt::xtensor<double, 2>> w_q;  // one matrix per head
  std::vector<xt::xtensor<double, 2>> w_k;
  std::vector<xt::xtensor<double, 2>> w_v;
  xt::xtensor<double, 2> w_o;
};

// A layer of `heads` heads for d_model (heads divides d_model), every weight drawn from N(0, 1/d_model) with
// rng.
MultiHeadAttention make_multi_head_attention(std::size_t d_model, std::size_t heads, std::mt19937_64& rng);

// The layer applied to X: head i gives softmax(Q_i K_i^T / sqrt(d_k)) V_i (softmax along each row, d_k the
// head's query/key width, no mask); the result is [head 1 | head 2 | ... | head h] w_o, n x d_model. Works for
// any layer of this shape, whatever the weights.
xt::xtensor<double, 2> multi_head_attention(const xt::xtensor<double, 2>& x, const MultiHeadAttention& layer);

}  // namespace ch10_4
