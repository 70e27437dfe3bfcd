#pragma once
// Plain, direct computations that exercises use as independent oracles: loops over std::vector,
// nothing clever, so that a check never trusts the code it is checking. Each is the textbook formula.

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

namespace workbook::oracle {

using Vector = std::vector<double>;
using Matrix = std::vector<Vector>;  // rows

inline double dot(const Vector& a, const Vector& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

// softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x); subtracting the max changes nothing
// mathematically and keeps exp from overflowing.
inline Vector softmax(const Vector& x) {
  const double top = *std::max_element(x.begin(), x.end());
  Vector e(x.size());
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += e[i] = std::exp(x[i] - top);
  for (auto& v : e) v /= sum;
  return e;
}

// softmax(Q K^T * scale) V, one query row at a time.
inline Matrix attention(const Matrix& q, const Matrix& k, const Matrix& v, double scale) {
  Matrix out;
  for (const auto& query : q) {
    Vector scores;
    for (const auto& key : k) scores.push_back(dot(query, key) * scale);
    const auto weights = softmax(scores);
    Vector row(v.front().size(), 0.0);
    for (std::size_t j = 0; j < v.size(); ++j)
      for (std::size_t c = 0; c < row.size(); ++c) row[c] += weights[j] * v[j][c];
    out.push_back(row);
  }
  return out;
}

// n mutually orthogonal unit rows in R^d (n <= d): Gram-Schmidt on Gaussian vectors.
inline Matrix orthonormal_rows(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Matrix rows;
  while (rows.size() < n) {
    Vector v(d);
    for (auto& x : v) x = normal(rng);
    for (const auto& r : rows) {
      const double along = dot(v, r);
      for (std::size_t i = 0; i < d; ++i) v[i] -= along * r[i];
    }
    const double norm = std::sqrt(dot(v, v));
    if (norm < 1e-6) continue;  // (practically never) a draw too close to the span so far
    for (auto& x : v) x /= norm;
    rows.push_back(v);
  }
  return rows;
}

inline xt::xarray<double> to_array(const Vector& v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

inline xt::xarray<double> to_array(const Matrix& m) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({m.size(), m.empty() ? 0 : m.front().size()});
  for (std::size_t r = 0; r < m.size(); ++r) std::copy(m[r].begin(), m[r].end(), a.begin() + r * a.shape(1));
  return a;
}

inline Matrix to_matrix(const xt::xtensor<double, 2>& a) {
  Matrix m(a.shape(0), Vector(a.shape(1)));
  for (std::size_t r = 0; r < a.shape(0); ++r)
    for (std::size_t c = 0; c < a.shape(1); ++c) m[r][c] = a(r, c);
  return m;
}

}  // namespace workbook::oracle
