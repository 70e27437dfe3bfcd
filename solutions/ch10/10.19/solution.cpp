// Reference solution for ch10/10.19: attention, self-attention, and self-attention after adding the sinusoidal
// encoding.

#include "ch10/10.19/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch10_19 {

namespace {

using Matrix = xt::xtensor<double, 2>;

// softmax of each row, the row maximum subtracted first so that exp cannot overflow.
void softmax_rows_in_place(Matrix& s) {
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    auto row = xt::row(s, i);
    const double top = xt::amax(row)();
    row = xt::exp(row - top);
    const double sum = xt::sum(row)();
    row /= sum;
  }
}

Matrix sinusoidal_encoding(std::size_t n, std::size_t d_model) {
  Matrix pe = xt::zeros<double>({n, d_model});
  for (std::size_t pos = 0; pos < n; ++pos)
    for (std::size_t i = 0; 2 * i < d_model; ++i) {
      const double angle = pos * std::pow(10000.0, -2.0 * i / d_model);
      pe(pos, 2 * i) = std::sin(angle);
      if (2 * i + 1 < d_model) pe(pos, 2 * i + 1) = std::cos(angle);
    }
  return pe;
}

}  // namespace

Matrix attention(const Matrix& q, const Matrix& k, const Matrix& v) {
  const Matrix k_t = xt::transpose(k);
  Matrix scores = xt::linalg::dot(q, k_t) / std::sqrt(double(k.shape(1)));  // (n, m)
  softmax_rows_in_place(scores);
  return xt::linalg::dot(scores, v);
}

Matrix self_attention(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v) {
  return attention(xt::linalg::dot(x, w_q), xt::linalg::dot(x, w_k), xt::linalg::dot(x, w_v));
}

Matrix self_attention_with_positions(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v) {
  const Matrix positioned = x + sinusoidal_encoding(x.shape(0), x.shape(1));
  return self_attention(positioned, w_q, w_k, w_v);
}

}  // namespace ch10_19
