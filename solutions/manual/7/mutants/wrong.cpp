// Wrong on purpose: a causal mask copied from a decoder (token n sees only tokens 0..n). The layer the
// exercise asks for has no mask, and the mask ties each output to its position, so permuting the input
// no longer just permutes the output.

#include "manual/7/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/7", {"a/fixed", "a/any size", "b/any permutation", "c/same shift"}};

namespace manual_7 {

xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x, const Weights& w) {
  const xt::xtensor<double, 2> q = xt::linalg::dot(x, w.query);
  const xt::xtensor<double, 2> k = xt::linalg::dot(x, w.key);
  const xt::xtensor<double, 2> v = xt::linalg::dot(x, w.value);
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(w.key.shape(1)));
  for (std::size_t n = 0; n < scores.shape(0); ++n)
    for (std::size_t m = n + 1; m < scores.shape(1); ++m) scores(n, m) = -std::numeric_limits<double>::infinity();
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return xt::linalg::dot(weights, v);
}

}  // namespace manual_7
