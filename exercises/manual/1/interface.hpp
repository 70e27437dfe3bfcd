#pragma once
// Interface for manual/1, why an attention coefficient never exceeds 1. Implement in namespace manual_1.

#include <xtensor/xtensor.hpp>

namespace manual_1 {

// Attention coefficients from non-negative weights: a(n, m) = w(n, m) / sum_m' w(n, m'), so that every
// row of the result sums to 1. w is N x M, every entry >= 0 and every row has a positive entry (the rows
// need not share a scale); the result has the same shape.
xt::xtensor<double, 2> normalise_rows(const xt::xtensor<double, 2>& w);

// The mass a row gives to everything except entry k: rest(n, k) = sum over m != k of a(n, m).
// a is any N x M matrix: its rows need not sum to 1, and its entries may be negative. Same shape as a.
xt::xtensor<double, 2> rest_of_row(const xt::xtensor<double, 2>& a);

}  // namespace manual_1
