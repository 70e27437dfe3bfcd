#pragma once
// Interface for arch13/18, a decoder turned into an encoder by removing its causal mask. Implement
// attention_weights in namespace arch13_18. The kit offers nothing of the nn library here.

#include <xtensor/xtensor.hpp>

namespace arch13_18 {

// A stack of (rows, columns) matrices: slab s is one head of one sequence.
using Slabs = xt::xtensor<double, 3>;

// The attention weights of every slab: q and k are (slabs, n, d); slab s of the result (slabs, n, n) is
// softmax(q_s k_s^T / sqrt(d)), the softmax along each row (over the keys). With causal = true, query i may see
// keys j <= i only: every key j > i gets weight exactly 0 and the row's other weights still sum to 1. With
// causal = false, every query sees every key.
Slabs attention_weights(const Slabs& q, const Slabs& k, bool causal);

}  // namespace arch13_18
