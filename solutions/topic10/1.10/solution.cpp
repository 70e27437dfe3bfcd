// Reference solution for topic10/1.10: the layers of a small MLP, forward and backward, and AdamW.
// Written the way llm.c writes its layers: one forward and one backward function each, shapes in comments.
// Self-contained on purpose: these layers and AdamW are what the student writes, so the interface offers
// nothing of the nn library (docs/model.md, "What the kit offers").

#include "topic10/1.10/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

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

Matrix relu_forward(const Matrix& inp) { return xt::maximum(inp, 0.0); }

Matrix relu_backward(const Matrix& dout, const Matrix& inp) { return xt::where(inp > 0.0, dout, 0.0); }

namespace {

// Row-wise softmax with the row maximum subtracted; reductions stored before broadcasting.
Matrix softmax_rows(const Matrix& logits) {
  const Matrix row_max = xt::amax(logits, {1}, xt::keep_dims);  // (B, 1)
  Matrix probs = xt::exp(logits - row_max);
  const Matrix row_sum = xt::sum(probs, {1}, xt::keep_dims);  // (B, 1)
  probs /= row_sum;
  return probs;
}

}  // namespace

double cross_entropy_forward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  const Matrix probs = softmax_rows(logits);  // (B, C)
  double loss = 0;
  for (std::size_t b = 0; b < targets.size(); ++b) loss -= std::log(probs(b, targets[b]));
  return loss / double(targets.size());
}

Matrix cross_entropy_backward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  // d(mean loss)/d logits = (softmax - one_hot(target)) / B.
  Matrix dlogits = softmax_rows(logits);  // (B, C)
  for (std::size_t b = 0; b < targets.size(); ++b) dlogits(b, targets[b]) -= 1.0;
  dlogits /= double(targets.size());
  return dlogits;
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
