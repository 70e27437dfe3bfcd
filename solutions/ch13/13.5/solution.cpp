// Reference solution for ch13/13.5: causal self-attention with the mask applied to the scores.

#include "ch13/13.5/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

namespace ch13_5 {

xt::xtensor<double, 2> causal_attention_weights(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                                const xt::xtensor<double, 2>& w_k) {
  const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q), k = xt::linalg::dot(x, w_k);
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(w_k.shape(1)));
  const std::size_t n = x.shape(0);
  // The mask: a key after its query gets -inf, so exp gives it exactly 0 weight.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);  // finite: the diagonal is never masked
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

xt::xtensor<double, 2> causal_self_attention(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                             const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v) {
  return xt::linalg::dot(causal_attention_weights(x, w_q, w_k), xt::linalg::dot(x, w_v));
}

}  // namespace ch13_5
