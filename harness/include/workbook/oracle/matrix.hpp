#pragma once
// Linear algebra written out as loops, for oracles: a check never trusts the code it checks, so nothing here
// calls BLAS (singular values, which need LAPACK, are the one exception and say so). One matrix type for all
// oracles: xt::xtensor<double, 2>, indexed m(row, column).

#include <cstddef>
#include <random>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace workbook::oracle {

using Matrix = xt::xtensor<double, 2>;
using Vector = xt::xtensor<double, 1>;

double dot(const Vector& a, const Vector& b);
// C = A B for A (n x k) and B (k x m): the textbook triple loop.
Matrix matmul(const Matrix& a, const Matrix& b);
Matrix transpose(const Matrix& a);
// Row r as a vector (a copy).
Vector row(const Matrix& m, std::size_t r);
// Entry r is the sum of row r.
Vector row_sums(const Matrix& m);
// log |det m| of a square matrix by Gaussian elimination with partial pivoting; -inf when a pivot is
// exactly 0 (a singular matrix).
double log_abs_det(Matrix m);
// max_ij |a_ij - b_ij|, or infinity when the shapes differ.
double max_abs_difference(const Matrix& a, const Matrix& b);

// Singular values, largest first (through LAPACK: no loop version worth trusting more).
std::vector<double> singular_values(const Matrix& m);
// The number of singular values above rtol times the largest.
std::size_t numerical_rank(const Matrix& m, double rtol);

// A permutation of 0..n-1: p[i] is where row i of a permuted matrix comes from.
using Permutation = std::vector<std::size_t>;
Permutation random_permutation(std::size_t n, std::mt19937_64& rng);
// (P X)_i = X_p(i): row i of the result is row p[i] of x.
Matrix permute_rows(const Matrix& x, const Permutation& p);
// (P A P^T)_ij = A_p(i) p(j).
Matrix permute_both(const Matrix& a, const Permutation& p);

}  // namespace workbook::oracle
