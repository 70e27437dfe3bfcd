// Wrong on purpose: the textbook formula taken literally, exp of the raw scores with no maximum
// subtracted. Right for small inputs; inf / inf = NaN once a score passes about 709.

#include "manual/2/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/2", {"b/large", "b/constraints", "c/underflow"}};

namespace manual_2 {

xt::xtensor<double, 2> softmax_weights(const xt::xtensor<double, 2>& x) {
  xt::xtensor<double, 2> weights = xt::exp(xt::linalg::dot(x, xt::transpose(x)));
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

}  // namespace manual_2
