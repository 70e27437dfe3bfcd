#pragma once
// Interface for manual/2, softmax attention weights. Implement in namespace manual_2.

#include <xtensor/xtensor.hpp>

namespace manual_2 {

// The N x N attention weights of N tokens x_1..x_N (the rows of x, N x D) attending to each other:
// a(n, m) = exp(x_n . x_m) / sum_m' exp(x_n . x_m'), a softmax along each row of X X^T, with no scaling
// and no learned maps. Must stay finite for scores far beyond exp's range (|x_n . x_m| in the thousands).
xt::xtensor<double, 2> softmax_weights(const xt::xtensor<double, 2>& x);

}  // namespace manual_2
