// Wrong on purpose: a causal mask copied from a decoder (query i sees keys 0..i only). The rows still sum
// to 1 and nothing overflows, but this is no longer the plain attention the exercise asks for, and the
// mask ties the result to token positions, so reordering the tokens changes it.

#include "topic10/2.1/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/2.1",
    {"a/square", "a/rectangular", "a/weights", "b/large scores", "c/joint permutation", "c/key order"}};

namespace topic10_2_1 {

xt::xtensor<double, 2> attention_weights(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k) {
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; i < scores.shape(0); ++i)
    for (std::size_t j = i + 1; j < scores.shape(1); ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

xt::xtensor<double, 2> attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                 const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> weights = attention_weights(q, k);
  return xt::linalg::dot(weights, v);
}

}  // namespace topic10_2_1
