#pragma once
// The tolerances of the implementation checks, each with the reason for its size. An exercise picks the one
// whose reason fits; a tolerance of its own needs a reason of its own, written beside it.
// (Typed pen-and-paper answers do not use these: their tolerance is the precision the statement asks for,
// workbook/precision.hpp.)

#include "workbook/check.hpp"

namespace workbook::tolerance {

// Two routes to the same numbers that differ in the order of their sums (a BLAS product against a loop,
// blocks against a whole, a permuted input), where the student may compute in float: float rounds at 6e-8
// relative, and sums of up to a few thousand terms keep the error below 1e-5 relative; the absolute floor
// covers entries that cancel to near zero. Every plausible mistake (a missing scale, a wrong axis, a sign)
// moves some entry by far more.
inline constexpr Tolerance float_computation{1e-5, 1e-7};

// float_computation for entries that are sums of products which may cancel: float rounds every term, so an
// entry's error is relative to the size of its terms, not to its own (possibly tiny) value. `term_scale` is
// the largest sum of |terms| over the entries (largest_magnitude of the product of the absolute values);
// each entry gets rtol times it on top of the usual rule.
constexpr Tolerance float_sums(double term_scale) {
  return {float_computation.rtol, float_computation.atol + float_computation.rtol * term_scale};
}
// The largest |value|, for term scales; 0 for an empty array.
double largest_magnitude(const xt::xarray<double>& values);
// float_sums with the expected values' own largest entry as the scale of the terms: for outputs that mix
// terms no larger than the output itself (attention outputs, states of a linear recurrence), where an entry
// may still cancel to near zero.
Tolerance float_at_scale(const xt::xarray<double>& expected);

// The same, where the statement asks for double precision and says why (a property that holds only to
// double rounding): double rounds at 1e-16, so 1e-9 relative leaves room for thousands of terms.
inline constexpr Tolerance double_computation{1e-9, 1e-12};

// sin and cos of arguments up to ~1e4 radians: the argument's own rounding is ~1e-12 absolute, which the
// sine passes on; 1e-9 absolute leaves a margin of a thousand.
inline constexpr Tolerance trig_large_arguments{0, 1e-9};

// A backward pass against central differences of its forward pass (oracle/finite_difference.hpp): with
// h = 1e-6 the difference quotient is good to ~1e-9 on values of order one; 1e-6 still fails a missing
// transpose or factor.
inline constexpr Tolerance central_difference{1e-6, 1e-6};

}  // namespace workbook::tolerance
