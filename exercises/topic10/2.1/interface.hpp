#pragma once
// Interface for topic10/2.1, single-head scaled dot-product attention. Implement in namespace topic10_2_1.

#include <xtensor/xtensor.hpp>

namespace topic10_2_1 {

// The attention weights softmax(Q K^T / sqrt(d_k)), the softmax taken along each row.
// Q is n_q x d_k (one query per row), K is n_k x d_k; the result is n_q x n_k and each row sums to 1.
// It must stay finite when the scores are in the thousands.
xt::xtensor<double, 2> attention_weights(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k);

// The attention output softmax(Q K^T / sqrt(d_k)) V. V is n_k x d_v (one value per key); the result is
// n_q x d_v: row i is the weighted average of the rows of V with the weights of query i.
xt::xtensor<double, 2> attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                 const xt::xtensor<double, 2>& v);

}  // namespace topic10_2_1
