#pragma once
// Interface for ch13/13.32, Performer attention: positive random features and the linear-time attention built on
// them. Implement in namespace ch13_32. The kit offers nothing of the nn library here.

#include <xtensor/xtensor.hpp>

namespace ch13_32 {

using Matrix = xt::xtensor<double, 2>;

// x (n, d), w (r, d): rows w_1 .. w_r drawn by the caller. Returns (n, r): row i holds the positive random features
// of x_i, phi(x)_j = exp(w_j . u - |u|^2 / 2) / sqrt(r) with u = x_i / d^(1/4), so that phi(q) . phi(k) is an
// unbiased estimate of exp(q . k / sqrt(d)) when the rows of w are independent N(0, I_d).
Matrix positive_features(const Matrix& x, const Matrix& w);

// q (n, d), k (m, d), v (m, d_v), w (r, d). Returns (n, d_v): non-causal attention with the softmax kernel
// exp(q . k / sqrt(d)) replaced by its estimate phi(q) . phi(k),
//   out = phi(Q) (phi(K)^T V) / (phi(Q) (phi(K)^T 1))      (the division row by row),
// computed in that order: the (n, m) matrix phi(Q) phi(K)^T is never formed.
Matrix performer_attention(const Matrix& q, const Matrix& k, const Matrix& v, const Matrix& w);

}  // namespace ch13_32
