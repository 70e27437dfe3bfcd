#include "workbook/tolerances.hpp"

#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

namespace workbook::tolerance {

double largest_magnitude(const xt::xarray<double>& values) {
  return values.size() ? double(xt::amax(xt::abs(values))()) : 0.0;
}

Tolerance float_at_scale(const xt::xarray<double>& expected) { return float_sums(largest_magnitude(expected)); }

}  // namespace workbook::tolerance
