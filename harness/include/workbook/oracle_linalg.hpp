#pragma once
// Plain matrix helpers shared by the topic10 theory exercises (1.1, 1.3, 1.4, 1.9): triple-loop products
// over xtensor matrices and linear attention, so that the oracles never go through BLAS or the code under test.

#include <limits>
#include <random>

#include "workbook/oracle.hpp"

namespace workbook::oracle::linalg {

using oracle::gaussian_matrix;
using oracle::matmul;
using oracle::transpose;

// The same product for xtensor matrices, still through the triple loop.
inline xt::xtensor<double, 2> plain_product(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b) {
  return xt::xtensor<double, 2>(to_array(matmul(to_matrix(a), to_matrix(b))));
}

// Linear attention (Q K^T) V: no scaling, no softmax. Q is m x d, K is n x d, V is n x p.
inline xt::xarray<double> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                           const xt::xtensor<double, 2>& v) {
  return to_array(matmul(matmul(to_matrix(q), transpose(to_matrix(k))), to_matrix(v)));
}

// max_ij |a_ij - b_ij|, or infinity when the shapes differ.
inline double max_abs_difference(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b) {
  if (a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a.flat(i) - b.flat(i)));
  return worst;
}

}  // namespace workbook::oracle::linalg
