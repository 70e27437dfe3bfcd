// Reference solution for manual/7.

#include "manual/7/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

namespace manual_7 {

xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const Weights& w) {
  const xt::xtensor<double, 2> q = xt::linalg::dot(x, w.query);  // N x D_k
  const xt::xtensor<double, 2> k = xt::linalg::dot(x, w.key);    // N x D_k
  const xt::xtensor<double, 2> v = xt::linalg::dot(x, w.value);  // N x D_v
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(w.key.shape(1)));
  // Row maxima stored before broadcasting (NOTES-xtensor: never broadcast a lazy reduction).
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return xt::linalg::dot(weights, v);  // N x D_v
}

}  // namespace manual_7
