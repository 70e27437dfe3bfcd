#pragma once
// Interface for ch13/13.23, multi-query attention. Implement the function in namespace ch13_23. The kit offers
// nothing of the nn library here: the attention is what you write.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch13_23 {

using Matrix = xt::xtensor<double, 2>;

// Multi-query self-attention of one sequence x (n, C) with n_head heads of D = C / n_head columns. A projection W
// maps x to x W^T (W has shape (outputs, C)): queries x w_q^T (n, C), head h in columns [h D, (h + 1) D); ONE key
// x w_k^T (n, D) and ONE value x w_v^T (n, D), shared by every head. Head h computes softmax(q_h k^T / sqrt(D)) v;
// the result is the heads side by side, (n, C), without an output projection. w_q is (C, C), w_k and w_v are (D, C).
// causal: position i sees only positions j <= i; otherwise every position.
Matrix multi_query_attention(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v,
                             std::size_t n_head, bool causal);

}  // namespace ch13_23
