// Reference solution for topic10/1.10: the layers of a small MLP, forward and backward, and AdamW.
// ReLU and the cross-entropy come from the shared library (solutions/nn); the linear layer stays here because
// this exercise stores weights (C_in, C_out) while the library uses PyTorch's (C_out, C_in).

#include "topic10/1.10.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "nn/activation.hpp"
#include "nn/softmax.hpp"

namespace topic10_1_10 {

Matrix linear_forward(const Matrix& inp, const Matrix& weight, const Vector& bias) {
  Matrix out = xt::linalg::dot(inp, weight);  // (B, C_out)
  out += bias;                                // bias broadcast over the rows
  return out;
}

LinearGrads linear_backward(const Matrix& dout, const Matrix& inp, const Matrix& weight) {
  LinearGrads grads;
  grads.dinp = xt::linalg::dot(dout, xt::transpose(weight));  // (B, C_out) (C_out, C_in) -> (B, C_in)
  grads.dweight = xt::linalg::dot(xt::transpose(inp), dout);  // (C_in, B) (B, C_out) -> (C_in, C_out)
  grads.dbias = xt::sum(dout, {0});                          // (C_out)
  return grads;
}

Matrix relu_forward(const Matrix& inp) { return nn::relu_forward(inp); }

Matrix relu_backward(const Matrix& dout, const Matrix& inp) { return nn::relu_backward(dout, inp); }

namespace {
nn::Tokens as_tokens(const std::vector<std::size_t>& targets) { return nn::Tokens(targets.begin(), targets.end()); }
}  // namespace

double cross_entropy_forward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  Matrix probs;
  return nn::cross_entropy_forward(logits, as_tokens(targets), probs);
}

Matrix cross_entropy_backward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  Matrix probs;
  nn::cross_entropy_forward(logits, as_tokens(targets), probs);
  return nn::cross_entropy_backward(probs, as_tokens(targets));
}

void adamw_update(xt::xarray<double>& param, const xt::xarray<double>& grad, xt::xarray<double>& m,
                  xt::xarray<double>& v, int step, const AdamW& hyper) {
  const double correction1 = 1.0 - std::pow(hyper.beta1, step);
  const double correction2 = 1.0 - std::pow(hyper.beta2, step);
  for (std::size_t i = 0; i < param.size(); ++i) {
    const double g = grad.flat(i);
    m.flat(i) = hyper.beta1 * m.flat(i) + (1 - hyper.beta1) * g;
    v.flat(i) = hyper.beta2 * v.flat(i) + (1 - hyper.beta2) * g * g;
    const double adam = (m.flat(i) / correction1) / (std::sqrt(v.flat(i) / correction2) + hyper.eps);
    param.flat(i) -= hyper.lr * (adam + hyper.weight_decay * param.flat(i));
  }
}

}  // namespace topic10_1_10
