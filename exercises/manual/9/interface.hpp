#pragma once
// Interface for manual/9, a linear map applied to a concatenation. Implement in namespace manual_9.

#include <xtensor/xtensor.hpp>

namespace manual_9 {

// W [x; e]: build the concatenation of x (length D_x) and e (length D_e), then multiply by W
// (D_out x (D_x + D_e)). Returns a vector of length D_out.
xt::xtensor<double, 1> linear_of_concat(const xt::xtensor<double, 2>& w, const xt::xtensor<double, 1>& x,
                                        const xt::xtensor<double, 1>& e);

// W_x x + W_e e without building [x; e]: W_x is the first D_x columns of W, W_e the remaining D_e
// columns. Returns a vector of length D_out.
xt::xtensor<double, 1> sum_of_blocks(const xt::xtensor<double, 2>& w, const xt::xtensor<double, 1>& x,
                                     const xt::xtensor<double, 1>& e);

}  // namespace manual_9
