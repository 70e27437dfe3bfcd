#pragma once
// Inputs for a check whose student side computes in float: drawn in double, then rounded to float and kept in
// double, so that the oracle (in double) and the student's code (in float) start from exactly the same numbers and
// differ only by the rounding of what they compute.

#include <xtensor/xeval.hpp>
#include <xtensor/xtensor.hpp>

namespace workbook::oracle {

template <class T>
T rounded_to_float(const T& x) {
  return xt::cast<double>(xt::eval(xt::cast<float>(x)));
}

}  // namespace workbook::oracle
