// Reference solution for ch13/13.22: RMSNorm and a SwiGLU feed-forward layer, forward and backward.
// RMSNorm, one row, r = 1 / sqrt(mean(x^2) + eps), y_j = w_j r x_j:
//   dweight_j += g_j r x_j,   dx_i = r w_i g_i - (r^3 / C) x_i sum_j g_j w_j x_j   (r depends on every x_i).
// SwiGLU, a = x gate^T, b = x up^T, h = silu(a) * b, y = h down^T, silu'(a) = s (1 + a (1 - s)), s = sigmoid(a):
//   ddown = dout^T h,  dh = dout down,  da = dh * b * silu'(a),  db = dh * silu(a),
//   dgate = da^T x,  dup = db^T x,  dx = da gate + db up.

#include "ch13/13.22/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch13_22 {

namespace {

// 1 / sqrt(mean(x^2) + eps) of every row, as a column (N, 1) to broadcast over the row.
Matrix inverse_rms(const Matrix& x, float eps) {
  const Matrix mean_square = xt::mean(x * x, {1}, xt::keep_dims);
  return 1.0f / xt::sqrt(mean_square + eps);
}

Matrix sigmoid(const Matrix& z) { return 1.0f / (1.0f + xt::exp(-z)); }

}  // namespace

Matrix rmsnorm_forward(const Matrix& x, const Vector& weight, float eps) {
  const Matrix r = inverse_rms(x, eps);
  return x * r * xt::view(weight, xt::newaxis(), xt::all());
}

RmsNormGrads rmsnorm_backward(const Matrix& dout, const Matrix& x, const Vector& weight, float eps) {
  const float c = float(x.shape(1));
  const Matrix r = inverse_rms(x, eps);
  const Matrix gw = dout * xt::view(weight, xt::newaxis(), xt::all());  // g_j w_j
  const Matrix projection = xt::sum(gw * x, {1}, xt::keep_dims);       // sum_j g_j w_j x_j, per row
  RmsNormGrads g;
  g.dx = r * gw - r * r * r / c * x * projection;
  g.dweight = xt::sum(dout * x * r, {0});
  return g;
}

Matrix swiglu_forward(const Matrix& x, const SwigluWeights& weights) {
  const Matrix a = xt::linalg::dot(x, xt::transpose(weights.gate));
  const Matrix b = xt::linalg::dot(x, xt::transpose(weights.up));
  const Matrix h = a * sigmoid(a) * b;
  return xt::linalg::dot(h, xt::transpose(weights.down));
}

SwigluGrads swiglu_backward(const Matrix& dout, const Matrix& x, const SwigluWeights& weights) {
  const Matrix a = xt::linalg::dot(x, xt::transpose(weights.gate));
  const Matrix b = xt::linalg::dot(x, xt::transpose(weights.up));
  const Matrix s = sigmoid(a);
  const Matrix silu = a * s;
  const Matrix silu_slope = s * (1.0f + a * (1.0f - s));
  const Matrix dh = xt::linalg::dot(dout, weights.down);
  const Matrix da = dh * b * silu_slope;
  const Matrix db = dh * silu;
  SwigluGrads g;
  g.ddown = xt::linalg::dot(xt::transpose(dout), silu * b);
  g.dgate = xt::linalg::dot(xt::transpose(da), x);
  g.dup = xt::linalg::dot(xt::transpose(db), x);
  g.dx = xt::linalg::dot(da, weights.gate) + xt::linalg::dot(db, weights.up);
  return g;
}

}  // namespace ch13_22
