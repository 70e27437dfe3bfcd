// Wrong on purpose: normalises along the wrong axis (each column sums to 1, not each row), and counts the
// entry itself in the rest of its row (an off-by-one in "all m != k").

#include "manual/1/interface.hpp"

#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/1", {"a/example", "a/row-stochastic", "a/one-hot", "b/rest", "b/proof steps"}};

namespace manual_1 {

xt::xtensor<double, 2> normalise_rows(const xt::xtensor<double, 2>& w) {
  const xt::xtensor<double, 2> column_sum = xt::sum(w, {0}, xt::keep_dims);
  xt::xtensor<double, 2> a = w / column_sum;
  return a;
}

xt::xtensor<double, 2> rest_of_row(const xt::xtensor<double, 2>& a) {
  const xt::xtensor<double, 2> row_sum = xt::sum(a, {1}, xt::keep_dims);
  xt::xtensor<double, 2> rest = xt::zeros_like(a) + row_sum;
  return rest;
}

}  // namespace manual_1
