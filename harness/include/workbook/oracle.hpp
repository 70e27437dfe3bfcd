#pragma once
// Plain, direct computations that exercises use as independent oracles: loops over std::vector,
// nothing clever, so that a check never trusts the code it is checking. Each is the textbook formula.

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <rapidcheck.h>
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

// C = A B for A (n x k) and B (k x m): the textbook triple loop.
inline Matrix matmul(const Matrix& a, const Matrix& b) {
  const std::size_t n = a.size(), k = b.size(), m = b.empty() ? 0 : b.front().size();
  Matrix c(n, Vector(m, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < k; ++l)
      for (std::size_t j = 0; j < m; ++j) c[i][j] += a[i][l] * b[l][j];
  return c;
}

inline Matrix transpose(const Matrix& a) {
  Matrix out(a.empty() ? 0 : a.front().size(), Vector(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) out[j][i] = a[i][j];
  return out;
}

// ---- random inputs ----------------------------------------------------------------------------------

// A rows x cols matrix of independent N(0, spread^2) entries, drawn row by row.
inline xt::xtensor<double, 2> gaussian_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng,
                                              double spread = 1.0) {
  std::normal_distribution<double> normal(0.0, spread);
  xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({rows, cols});
  for (auto& v : m) v = normal(rng);
  return m;
}

inline xt::xtensor<double, 1> gaussian_vector(std::size_t size, std::mt19937_64& rng, double spread = 1.0) {
  std::normal_distribution<double> normal(0.0, spread);
  xt::xtensor<double, 1> v = xt::xtensor<double, 1>::from_shape({size});
  for (auto& x : v) x = normal(rng);
  return v;
}

// Inside a RapidCheck property: a generator seeded by RapidCheck, so that the run's --seed reproduces a
// failing case and RapidCheck can shrink it.
inline std::mt19937_64 property_rng() { return std::mt19937_64(*rc::gen::arbitrary<std::uint64_t>()); }

// ---- conversions --------------------------------------------------------------------------------------

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

inline xt::xtensor<double, 2> to_tensor(const Matrix& m) {
  xt::xtensor<double, 2> t = to_array(m);
  return t;
}

// gaussian_matrix as nested vectors, for the plain-loop oracles (the same numbers for the same stream).
inline Matrix gaussian_rows(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double spread = 1.0) {
  return to_matrix(gaussian_matrix(rows, cols, rng, spread));
}

}  // namespace workbook::oracle
