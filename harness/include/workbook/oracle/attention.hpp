#pragma once
// Softmax and attention as their textbook formulas, one row at a time, in loops.

#include <functional>

#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle {

// softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x); subtracting the max changes nothing
// mathematically and keeps exp from overflowing.
Vector softmax(const Vector& x);
// softmax of every row.
Matrix softmax_rows(const Matrix& x);
// softmax(Q K^T * scale) V, one query row at a time; with `causal`, query i sees keys 0..i only.
Matrix attention(const Matrix& q, const Matrix& k, const Matrix& v, double scale, bool causal = false);
// The weights of that attention: softmax(Q K^T * scale) (causal: zero above the diagonal).
Matrix attention_weights(const Matrix& q, const Matrix& k, double scale, bool causal = false);
// Which keys a query may see: visible(i, j) for query row i and key row j (a mask written as a rule).
using KeyFilter = std::function<bool(std::size_t query, std::size_t key)>;
// softmax over the visible keys only: the weights of the others are exactly 0 (a row that sees no key is 0).
Matrix masked_attention_weights(const Matrix& q, const Matrix& k, double scale, const KeyFilter& visible);
Matrix masked_attention(const Matrix& q, const Matrix& k, const Matrix& v, double scale, const KeyFilter& visible);
// Linear attention (Q K^T) V: no scaling, no softmax.
Matrix linear_attention(const Matrix& q, const Matrix& k, const Matrix& v);
// One head of self-attention on the tokens x: attention(x W_q, x W_k, x W_v, 1 / sqrt(d_k)).
Matrix self_attention(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v, bool causal = false);

}  // namespace workbook::oracle
