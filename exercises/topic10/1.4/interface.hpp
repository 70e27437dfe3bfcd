#pragma once
// Interface for topic10/1.4, linear attention as one step of gradient descent. Implement in namespace
// topic10_1_4.

#include <xtensor/xtensor.hpp>

namespace topic10_1_4 {

// One gradient-descent step on L(W) = 1/2 ||X W - Y||_F^2 (a plain sum of squares, no 1/n), starting at W:
// returns W - eta * grad L(W). X is n x d (one example per row), Y is n x p, W is d x p; the result is d x p.
xt::xtensor<double, 2> gd_step(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& y,
                               const xt::xtensor<double, 2>& w, double eta);

// Linear attention O = (Q K^T) V with no scaling and no softmax. Q is m x d (one query per row), K is n x d,
// V is n x p; O is m x p.
xt::xtensor<double, 2> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v);

// Softmax attention softmax(Q K^T) V, the softmax along each row and NO 1/sqrt(d) scaling. Same shapes.
xt::xtensor<double, 2> softmax_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                         const xt::xtensor<double, 2>& v);

}  // namespace topic10_1_4
