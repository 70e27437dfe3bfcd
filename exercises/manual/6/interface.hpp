#pragma once
// Interface for manual/6, self-attention written as one dense layer. Implement in namespace manual_6.

#include <xtensor/xtensor.hpp>

namespace manual_6 {

// Conventions: tokens are rows. X is N x D, the values are V = X W_v with W_v of size D x D, and the
// layer's output is Y = A V for the N x N attention matrix A; the identity below holds for any N x N matrix A
// (no softmax, no normalisation), and the checks use general ones. Stack the tokens into one column vector
// x = (x_1; x_2; ...; x_N) of length N D (row n of X in entries n D .. n D + D - 1), and Y likewise.
//
// Return the N D x N D matrix M with y = M x: block (n, m), rows n D .. n D + D - 1 and columns
// m D .. m D + D - 1, holds a(n, m) times the transpose of W_v (a row vector times W_v is W_v^T times the
// column vector).
xt::xtensor<double, 2> dense_equivalent(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& w_v);

}  // namespace manual_6
