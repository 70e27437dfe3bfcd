// Reference solution for ch13/13.23: multi-query attention. The single key and value are projected once and every
// head's queries attend over them; only the queries differ from head to head.

#include "ch13/13.23/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch13_23 {

namespace {

// softmax(q k^T / sqrt(d)) v for one head, with the causal mask when asked.
Matrix attend(const Matrix& q, const Matrix& k, const Matrix& v, bool causal) {
  Matrix s = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; causal && i < s.shape(0); ++i)
    xt::view(s, i, xt::range(i + 1, s.shape(1))) = -std::numeric_limits<double>::infinity();
  const Matrix row_max = xt::amax(s, {1}, xt::keep_dims);
  Matrix p = xt::exp(s - row_max);
  const Matrix row_sum = xt::sum(p, {1}, xt::keep_dims);
  p /= row_sum;
  return xt::linalg::dot(p, v);
}

}  // namespace

Matrix multi_query_attention(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v,
                             std::size_t n_head, bool causal) {
  const std::size_t d = x.shape(1) / n_head;
  const Matrix q = xt::linalg::dot(x, xt::transpose(w_q));  // (n, C)
  const Matrix k = xt::linalg::dot(x, xt::transpose(w_k));  // (n, D): one key for all heads
  const Matrix v = xt::linalg::dot(x, xt::transpose(w_v));  // (n, D)
  Matrix out = xt::zeros<double>(q.shape());
  for (std::size_t h = 0; h < n_head; ++h) {
    const Matrix q_h = xt::view(q, xt::all(), xt::range(h * d, (h + 1) * d));
    xt::view(out, xt::all(), xt::range(h * d, (h + 1) * d)) = attend(q_h, k, v, causal);
  }
  return out;
}

}  // namespace ch13_23
