#pragma once
// Interface for ch13/13.22, RMSNorm and a SwiGLU feed-forward layer, each a forward and a backward as llm.c writes
// its layers. Implement the four functions in namespace ch13_22 with xtensor and the standard library (nothing of
// the nn library is offered: these are its pieces).

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch13_22 {

using Matrix = xt::xtensor<float, 2>;
using Vector = xt::xtensor<float, 1>;

// RMSNorm of every row of x (N, C) on its own: y = x / sqrt(mean(x^2) + eps) * weight, the mean over the row's C
// entries, eps inside the square root, weight (C) a learned gain. No mean is subtracted and there is no bias.
Matrix rmsnorm_forward(const Matrix& x, const Vector& weight, float eps);

// The gradients of L = sum of dout * rmsnorm_forward(x, weight, eps): dx (N, C) and dweight (C).
struct RmsNormGrads {
  Matrix dx;
  Vector dweight;
};
RmsNormGrads rmsnorm_backward(const Matrix& dout, const Matrix& x, const Vector& weight, float eps);

// A SwiGLU feed-forward layer's three matrices, laid out as linear layers (outputs, inputs), no biases:
// gate and up are (F, C), down is (C, F).
struct SwigluWeights {
  Matrix gate;
  Matrix up;
  Matrix down;
};

// y = (silu(x gate^T) * (x up^T)) down^T for x (N, C), * elementwise, silu(z) = z sigmoid(z) = z / (1 + exp(-z)).
Matrix swiglu_forward(const Matrix& x, const SwigluWeights& weights);

// The gradients of L = sum of dout * swiglu_forward(x, weights), each the shape of what it differentiates.
struct SwigluGrads {
  Matrix dx;
  Matrix dgate;
  Matrix dup;
  Matrix ddown;
};
SwigluGrads swiglu_backward(const Matrix& dout, const Matrix& x, const SwigluWeights& weights);

}  // namespace ch13_22
