// Wrong on purpose: a causal mask carried over from a decoder (token i sees only tokens j <= i). The mask
// ties each token to its position, so the layer is no longer permutation equivariant.

#include "topic10/1.1/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.1", {"a/weights", "a/output", "b/any permutation", "c/weights permuted"}};

namespace topic10_1_1 {

xt::xtensor<double, 2> attention_weights(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                         const xt::xtensor<double, 2>& w_k) {
  const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q);
  const xt::xtensor<double, 2> k = xt::linalg::dot(x, w_k);
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(w_q.shape(1)));
  for (std::size_t i = 0; i < scores.shape(0); ++i)
    for (std::size_t j = i + 1; j < scores.shape(1); ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                      const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v) {
  const xt::xtensor<double, 2> values = xt::linalg::dot(x, w_v);
  return xt::linalg::dot(attention_weights(x, w_q, w_k), values);
}

}  // namespace topic10_1_1
