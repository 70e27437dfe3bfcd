// Wrong on purpose, two slips that still let the network train:
// - cross_entropy_backward forgets to divide by the batch size B (the gradient of the sum, not the mean);
// - adamw_update adds weight_decay * param to the gradient (Adam with an L2 penalty) instead of decaying
//   the parameter directly, so the decay passes through Adam's normalisation.

#include "topic10/1.10/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.10", {"b/cross-entropy grad", "c/adamw"}};

namespace topic10_1_10 {

Matrix linear_forward(const Matrix& inp, const Matrix& weight, const Vector& bias) {
  Matrix out = xt::linalg::dot(inp, weight);
  out += bias;
  return out;
}

LinearGrads linear_backward(const Matrix& dout, const Matrix& inp, const Matrix& weight) {
  return {xt::linalg::dot(dout, xt::transpose(weight)), xt::linalg::dot(xt::transpose(inp), dout), xt::sum(dout, {0})};
}

Matrix relu_forward(const Matrix& inp) { return xt::maximum(inp, 0.0); }

Matrix relu_backward(const Matrix& dout, const Matrix& inp) { return xt::where(inp > 0.0, dout, 0.0); }

namespace {
Matrix softmax_rows(const Matrix& logits) {
  const Matrix row_max = xt::amax(logits, {1}, xt::keep_dims);
  Matrix probs = xt::exp(logits - row_max);
  const Matrix row_sum = xt::sum(probs, {1}, xt::keep_dims);
  probs /= row_sum;
  return probs;
}
}  // namespace

double cross_entropy_forward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  const Matrix probs = softmax_rows(logits);
  double loss = 0;
  for (std::size_t b = 0; b < targets.size(); ++b) loss -= std::log(probs(b, targets[b]));
  return loss / double(targets.size());
}

Matrix cross_entropy_backward(const Matrix& logits, const std::vector<std::size_t>& targets) {
  Matrix dlogits = softmax_rows(logits);
  for (std::size_t b = 0; b < targets.size(); ++b) dlogits(b, targets[b]) -= 1.0;
  return dlogits;  // missing: / B
}

void adamw_update(xt::xarray<double>& param, const xt::xarray<double>& grad, xt::xarray<double>& m,
                  xt::xarray<double>& v, int step, const AdamW& hyper) {
  for (std::size_t i = 0; i < param.size(); ++i) {
    const double g = grad.flat(i) + hyper.weight_decay * param.flat(i);  // coupled L2
    m.flat(i) = hyper.beta1 * m.flat(i) + (1 - hyper.beta1) * g;
    v.flat(i) = hyper.beta2 * v.flat(i) + (1 - hyper.beta2) * g * g;
    const double m_hat = m.flat(i) / (1 - std::pow(hyper.beta1, step));
    const double v_hat = v.flat(i) / (1 - std::pow(hyper.beta2, step));
    param.flat(i) -= hyper.lr * m_hat / (std::sqrt(v_hat) + hyper.eps);
  }
}

}  // namespace topic10_1_10
