#pragma once
// Interface for ch13/13.19, scaled dot-product attention in under ten lines. Implement the function in namespace
// ch13_19. The kit offers nothing of the nn library here: the attention is what you write (xtensor and
// xtensor-blas's xt::linalg::dot are yours to use).

#include <xtensor/xtensor.hpp>

namespace ch13_19 {

using Matrix = xt::xtensor<double, 2>;

// One head: softmax(q k^T / sqrt(d)) v with the softmax over each row. q is (n_q, d), k is (n_k, d), v is
// (n_k, d_v); the result is (n_q, d_v). causal: query i may see only keys j <= i (the checks then pass n_q = n_k);
// otherwise every query sees every key.
Matrix scaled_dot_product_attention(const Matrix& q, const Matrix& k, const Matrix& v, bool causal);

}  // namespace ch13_19
