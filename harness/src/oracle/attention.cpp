#include "workbook/oracle/attention.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace workbook::oracle {

Vector softmax(const Vector& x) {
  const double top = *std::max_element(x.begin(), x.end());
  Vector e = Vector::from_shape({x.size()});
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += e(i) = std::exp(x(i) - top);
  for (auto& v : e) v /= sum;
  return e;
}

Matrix softmax_rows(const Matrix& x) {
  Matrix out = Matrix::from_shape({x.shape(0), x.shape(1)});
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    const auto p = softmax(row(x, r));
    for (std::size_t c = 0; c < x.shape(1); ++c) out(r, c) = p(c);
  }
  return out;
}

Matrix masked_attention_weights(const Matrix& q, const Matrix& k, double scale, const KeyFilter& visible) {
  Matrix weights = xt::zeros<double>({q.shape(0), k.shape(0)});
  for (std::size_t i = 0; i < q.shape(0); ++i) {
    std::vector<std::size_t> keys;
    for (std::size_t j = 0; j < k.shape(0); ++j)
      if (visible(i, j)) keys.push_back(j);
    if (keys.empty()) continue;
    Vector scores = Vector::from_shape({keys.size()});
    for (std::size_t n = 0; n < keys.size(); ++n) scores(n) = dot(row(q, i), row(k, keys[n])) * scale;
    const auto p = softmax(scores);
    for (std::size_t n = 0; n < keys.size(); ++n) weights(i, keys[n]) = p(n);
  }
  return weights;
}

Matrix masked_attention(const Matrix& q, const Matrix& k, const Matrix& v, double scale, const KeyFilter& visible) {
  const auto weights = masked_attention_weights(q, k, scale, visible);
  Matrix out = xt::zeros<double>({q.shape(0), v.shape(1)});
  for (std::size_t i = 0; i < q.shape(0); ++i)
    for (std::size_t j = 0; j < v.shape(0); ++j)
      for (std::size_t c = 0; c < v.shape(1); ++c) out(i, c) += weights(i, j) * v(j, c);
  return out;
}

Matrix attention_weights(const Matrix& q, const Matrix& k, double scale, bool causal) {
  return masked_attention_weights(q, k, scale, [causal](std::size_t i, std::size_t j) { return !causal || j <= i; });
}

Matrix attention(const Matrix& q, const Matrix& k, const Matrix& v, double scale, bool causal) {
  return masked_attention(q, k, v, scale, [causal](std::size_t i, std::size_t j) { return !causal || j <= i; });
}

Matrix linear_attention(const Matrix& q, const Matrix& k, const Matrix& v) { return matmul(matmul(q, transpose(k)), v); }

Matrix self_attention(const Matrix& x, const Matrix& w_q, const Matrix& w_k, const Matrix& w_v, bool causal) {
  return attention(matmul(x, w_q), matmul(x, w_k), matmul(x, w_v), 1 / std::sqrt(double(w_k.shape(1))), causal);
}

}  // namespace workbook::oracle
