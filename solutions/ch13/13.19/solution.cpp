// Reference solution for ch13/13.19: one head's attention, the body in eight lines. The causal mask sets the scores
// of future keys to -infinity before the softmax, so that they get weight exp(-inf) = 0.

#include "ch13/13.19/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch13_19 {

Matrix scaled_dot_product_attention(const Matrix& q, const Matrix& k, const Matrix& v, bool causal) {
  Matrix s = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; causal && i < s.shape(0); ++i)
    xt::view(s, i, xt::range(i + 1, s.shape(1))) = -std::numeric_limits<double>::infinity();
  const Matrix row_max = xt::amax(s, {1}, xt::keep_dims);
  Matrix p = xt::exp(s - row_max);
  const Matrix row_sum = xt::sum(p, {1}, xt::keep_dims);
  p /= row_sum;
  return xt::linalg::dot(p, v);
}

}  // namespace ch13_19
