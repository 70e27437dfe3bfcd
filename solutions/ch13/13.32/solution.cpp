// Reference solution for ch13/13.32: positive random features (FAVOR+) and the attention that uses them, with plain
// loops. The attention sums phi(K)^T V and phi(K)^T 1 over the keys first, (r, d_v) and (r,), then gives every query
// its row from them: O((n + m) r (d + d_v)) work, and nothing of size n x m.

#include "ch13/13.32/interface.hpp"

#include <cmath>

namespace ch13_32 {

namespace {

// exp(w_j . u - |u|^2 / 2) with u = x_i / d^(1/4), for every row i and feature j: the features without their
// constant 1/sqrt(r).
Matrix unnormalised_features(const Matrix& x, const Matrix& w) {
  const std::size_t n = x.shape(0), d = x.shape(1), r = w.shape(0);
  const double input_scale = 1.0 / std::pow(double(d), 0.25);
  Matrix out = xt::zeros<double>({n, r});
  for (std::size_t i = 0; i < n; ++i) {
    double half_norm = 0;
    for (std::size_t c = 0; c < d; ++c) half_norm += 0.5 * (x(i, c) * input_scale) * (x(i, c) * input_scale);
    for (std::size_t j = 0; j < r; ++j) {
      double projection = 0;
      for (std::size_t c = 0; c < d; ++c) projection += w(j, c) * x(i, c) * input_scale;
      out(i, j) = std::exp(projection - half_norm);
    }
  }
  return out;
}

// Sums over the keys: phi(K)^T V as the first d_v columns, phi(K)^T 1 as the last one.
Matrix key_summary(const Matrix& phi_k, const Matrix& v) {
  const std::size_t m = phi_k.shape(0), r = phi_k.shape(1), d_v = v.shape(1);
  Matrix summary = xt::zeros<double>({r, d_v + 1});
  for (std::size_t t = 0; t < m; ++t)
    for (std::size_t j = 0; j < r; ++j) {
      for (std::size_t c = 0; c < d_v; ++c) summary(j, c) += phi_k(t, j) * v(t, c);
      summary(j, d_v) += phi_k(t, j);
    }
  return summary;
}

}  // namespace

Matrix positive_features(const Matrix& x, const Matrix& w) {
  return unnormalised_features(x, w) / std::sqrt(double(w.shape(0)));
}

Matrix performer_attention(const Matrix& q, const Matrix& k, const Matrix& v, const Matrix& w) {
  const Matrix phi_q = positive_features(q, w);
  const Matrix summary = key_summary(positive_features(k, w), v);
  const std::size_t n = q.shape(0), r = w.shape(0), d_v = v.shape(1);
  Matrix out = xt::zeros<double>({n, d_v});
  for (std::size_t i = 0; i < n; ++i) {
    double normaliser = 0;
    for (std::size_t j = 0; j < r; ++j) normaliser += phi_q(i, j) * summary(j, d_v);
    for (std::size_t c = 0; c < d_v; ++c) {
      for (std::size_t j = 0; j < r; ++j) out(i, c) += phi_q(i, j) * summary(j, c);
      out(i, c) /= normaliser;
    }
  }
  return out;
}

}  // namespace ch13_32
