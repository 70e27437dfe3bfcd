// Wrong on purpose: the gradient step climbs (W + eta * grad, a sign slip), and both attention functions
// divide the scores by sqrt(d) out of habit, which this exercise's layers do not do.

#include "topic10/1.4/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.4", {"a/gd step", "a/linear", "b/one step", "c/softmax", "c/kernel smoother"}};

namespace topic10_1_4 {

xt::xtensor<double, 2> gd_step(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& y,
                               const xt::xtensor<double, 2>& w, double eta) {
  const xt::xtensor<double, 2> residual = xt::linalg::dot(x, w) - y;
  const xt::xtensor<double, 2> gradient = xt::linalg::dot(xt::transpose(x), residual);
  return w + eta * gradient;
}

xt::xtensor<double, 2> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  return xt::linalg::dot(scores, v);
}

xt::xtensor<double, 2> softmax_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                         const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return xt::linalg::dot(weights, v);
}

}  // namespace topic10_1_4
