// Reference solution for manual/1.

#include "manual/1/interface.hpp"

#include <xtensor/xmath.hpp>

namespace manual_1 {

xt::xtensor<double, 2> normalise_rows(const xt::xtensor<double, 2>& w) {
  // Row sums stored before broadcasting (NOTES-xtensor: never broadcast a lazy reduction).
  const xt::xtensor<double, 2> row_sum = xt::sum(w, {1}, xt::keep_dims);
  xt::xtensor<double, 2> a = w / row_sum;
  return a;
}

xt::xtensor<double, 2> rest_of_row(const xt::xtensor<double, 2>& a) {
  const xt::xtensor<double, 2> row_sum = xt::sum(a, {1}, xt::keep_dims);
  xt::xtensor<double, 2> rest = row_sum - a;
  return rest;
}

}  // namespace manual_1
