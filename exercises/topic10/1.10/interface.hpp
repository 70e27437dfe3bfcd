#pragma once
// Interface for topic10/1.10, the pieces of a small MLP trained on modular addition. Implement in namespace
// topic10_1_10. One forward and one backward function per layer; B is the batch size.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace topic10_1_10 {

using Matrix = xt::xtensor<double, 2>;
using Vector = xt::xtensor<double, 1>;

// out = inp weight + bias. inp (B, C_in), weight (C_in, C_out), bias (C_out) -> out (B, C_out).
Matrix linear_forward(const Matrix& inp, const Matrix& weight, const Vector& bias);

// Gradients of a loss L through linear_forward, given dout = dL/dout (B, C_out):
// dinp = dL/dinp (B, C_in), dweight = dL/dweight (C_in, C_out), dbias = dL/dbias (C_out).
struct LinearGrads {
  Matrix dinp;
  Matrix dweight;
  Vector dbias;
};
LinearGrads linear_backward(const Matrix& dout, const Matrix& inp, const Matrix& weight);

// out = max(inp, 0) elementwise; and dL/dinp given dout = dL/dout (same shapes; take the derivative at 0 as 0).
Matrix relu_forward(const Matrix& inp);
Matrix relu_backward(const Matrix& dout, const Matrix& inp);

// The mean over the batch of -log softmax(logits[b])[targets[b]]. logits (B, C), targets B class indices (any
// of them may repeat). The logits are not normalised and may be in the thousands, of either sign: the result
// must stay finite.
double cross_entropy_forward(const Matrix& logits, const std::vector<std::size_t>& targets);
// Its gradient with respect to the logits (B, C).
Matrix cross_entropy_backward(const Matrix& logits, const std::vector<std::size_t>& targets);

// AdamW's hyperparameters. Weight decay is decoupled: it shrinks the parameter directly, lr * weight_decay
// * param, and is not added to the gradient (that would be Adam with an L2 penalty).
struct AdamW {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.98;
  double eps = 1e-8;
  double weight_decay = 1.0;
};

// One AdamW step on one parameter tensor, in place. step counts from 1 (bias correction uses it);
// m and v are the running first and second moments, same shape as param, zero before the first step.
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   param -= lr * ( (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + eps) + weight_decay * param )
void adamw_update(xt::xarray<double>& param, const xt::xarray<double>& grad, xt::xarray<double>& m,
                  xt::xarray<double>& v, int step, const AdamW& hyper);

}  // namespace topic10_1_10
