#pragma once
// Interface for manual/3, self-attention on orthogonal inputs. Implement in namespace manual_3.

#include <xtensor/xtensor.hpp>

namespace manual_3 {

// Y = softmax(X X^T) X with the softmax along each row: no projections and no 1/sqrt(D) scaling.
// X holds one token per row (N x D); Y has the same shape.
xt::xtensor<double, 2> self_attention(const xt::xtensor<double, 2>& x);

}  // namespace manual_3
