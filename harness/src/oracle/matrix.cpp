#include "workbook/oracle/matrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <xtensor-blas/xlinalg.hpp>

namespace workbook::oracle {

double dot(const Vector& a, const Vector& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a(i) * b(i);
  return sum;
}

Matrix matmul(const Matrix& a, const Matrix& b) {
  const std::size_t n = a.shape(0), k = b.shape(0), m = b.shape(1);
  Matrix c = xt::zeros<double>({n, m});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < k; ++l)
      for (std::size_t j = 0; j < m; ++j) c(i, j) += a(i, l) * b(l, j);
  return c;
}

Matrix transpose(const Matrix& a) {
  Matrix out = Matrix::from_shape({a.shape(1), a.shape(0)});
  for (std::size_t i = 0; i < a.shape(0); ++i)
    for (std::size_t j = 0; j < a.shape(1); ++j) out(j, i) = a(i, j);
  return out;
}

Vector row(const Matrix& m, std::size_t r) {
  Vector out = Vector::from_shape({m.shape(1)});
  for (std::size_t c = 0; c < m.shape(1); ++c) out(c) = m(r, c);
  return out;
}

Vector row_sums(const Matrix& m) {
  Vector sums = Vector::from_shape({m.shape(0)});
  for (std::size_t r = 0; r < m.shape(0); ++r) {
    double s = 0;
    for (std::size_t c = 0; c < m.shape(1); ++c) s += m(r, c);
    sums(r) = s;
  }
  return sums;
}

double log_abs_det(Matrix m) {
  const std::size_t n = m.shape(0);
  double log_det = 0;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::abs(m(r, col)) > std::abs(m(pivot, col))) pivot = r;
    if (m(pivot, col) == 0) return -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < n; ++c) std::swap(m(pivot, c), m(col, c));
    log_det += std::log(std::abs(m(col, col)));
    for (std::size_t r = col + 1; r < n; ++r) {
      const double factor = m(r, col) / m(col, col);
      for (std::size_t c = col; c < n; ++c) m(r, c) -= factor * m(col, c);
    }
  }
  return log_det;
}

double max_abs_difference(const Matrix& a, const Matrix& b) {
  if (a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a.flat(i) - b.flat(i)));
  return worst;
}

std::vector<double> singular_values(const Matrix& m) {
  if (m.size() == 0) return {};
  const xt::xtensor<double, 1> s = std::get<1>(xt::linalg::svd(m, false, false));
  return {s.begin(), s.end()};
}

std::size_t numerical_rank(const Matrix& m, double rtol) {
  const auto s = singular_values(m);
  std::size_t rank = 0;
  for (double sigma : s) rank += sigma > rtol * s.front();
  return rank;
}

Permutation random_permutation(std::size_t n, std::mt19937_64& rng) {
  Permutation p(n);
  std::iota(p.begin(), p.end(), 0);
  std::shuffle(p.begin(), p.end(), rng);
  return p;
}

Matrix permute_rows(const Matrix& x, const Permutation& p) {
  Matrix out = Matrix::from_shape({x.shape(0), x.shape(1)});
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t c = 0; c < x.shape(1); ++c) out(i, c) = x(p[i], c);
  return out;
}

Matrix permute_both(const Matrix& a, const Permutation& p) {
  Matrix out = Matrix::from_shape({a.shape(0), a.shape(1)});
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = 0; j < p.size(); ++j) out(i, j) = a(p[i], p[j]);
  return out;
}

}  // namespace workbook::oracle
