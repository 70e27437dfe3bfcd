#pragma once
// Interface for ch13/13.1, the fixed-size bottleneck of a recurrent encoder. Implement in namespace ch13_1.

#include <xtensor/xtensor.hpp>

namespace ch13_1 {

// A linear recurrent encoder with a d-dimensional state: h_0 = 0 and h_t = A h_{t-1} + B x_t for t = 1..n,
// where a is d x d, b is d x m and x_t in R^m is token t. No bias, no nonlinearity.
// xs holds a batch of input sequences, shape (batch, n, m): xs(s, t - 1, :) is token t of sequence s.
// Returns every state, shape (batch, n, d): entry (s, t - 1, :) is h_t of sequence s, so (s, n - 1, :) is the
// last state, the one an early seq2seq encoder handed to its decoder.
xt::xtensor<double, 3> encoder_states(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b,
                                      const xt::xtensor<double, 3>& xs);

}  // namespace ch13_1
