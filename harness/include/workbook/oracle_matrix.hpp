#pragma once
// Plain-loop matrix oracles shared by the manual/ exercises on attention weights and
// block matrices (manual/1, 2, 5, 6). Loops over std::vector, as in oracle.hpp: nothing here calls BLAS,
// so a check built on it never trusts the code it is checking.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>

#include <rapidcheck.h>

#include "workbook/check.hpp"
#include "workbook/oracle.hpp"

namespace workbook::oracle {

// Row r of the result is sum_c m[r][c].
inline Vector row_sums(const Matrix& m) {
  Vector sums;
  for (const auto& row : m) {
    double s = 0;
    for (double v : row) s += v;
    sums.push_back(s);
  }
  return sums;
}

// log |det m| of a square matrix by Gaussian elimination with partial pivoting; -inf when a pivot is
// exactly 0 (a singular matrix).
inline double log_abs_det(Matrix m) {
  double log_det = 0;
  for (std::size_t col = 0; col < m.size(); ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < m.size(); ++r)
      if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
    if (m[pivot][col] == 0) return -std::numeric_limits<double>::infinity();
    std::swap(m[pivot], m[col]);
    log_det += std::log(std::abs(m[col][col]));
    for (std::size_t r = col + 1; r < m.size(); ++r) {
      const double factor = m[r][col] / m[col][col];
      for (std::size_t c = col; c < m.size(); ++c) m[r][c] -= factor * m[col][c];
    }
  }
  return log_det;
}

// Inside a RapidCheck property: every entry of `actual` within atol + rtol |expected| of `expected`,
// shapes equal. Returns false (rather than asserting) so the caller's RC_ASSERT names the relation.
inline bool all_close(const xt::xtensor<double, 2>& actual, const Matrix& expected, Tolerance tolerance) {
  return close(actual, to_array(expected), tolerance).status == Status::pass;
}

}  // namespace workbook::oracle
