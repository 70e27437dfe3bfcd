#pragma once
// Interface for ch10/10.15, a KV cache for autoregressive generation. Implement cached_attention in namespace
// ch10_15. The kit offers nothing of the nn library here: the cached attention is what you write.

#include <xtensor/xtensor.hpp>

namespace ch10_15 {

// One sequence's heads as a stack of (head, position, column) slabs: slab h is head h (10.29's stacks with a
// batch of one sequence).
using Heads = xt::xtensor<double, 3>;

// One layer's cache: the keys and values of every position seen so far, head by head. An empty cache has length 0:
// k of shape (heads, 0, d) and v of shape (heads, 0, d_v).
struct KvCache {
  Heads k;  // (heads, length, d)
  Heads v;  // (heads, length, d_v)
};

// One step of cached causal self-attention in one layer. q and k_new are (heads, n_new, d), v_new is
// (heads, n_new, d_v): the queries, keys and values of n_new new positions, which come right after the cache's
// `length` positions (a prompt may come as one call, a generated token as a call with n_new = 1). Append k_new
// and v_new to the cache, which then holds length + n_new positions, and return (heads, n_new, d_v): for every
// head and new row i, at position length + i, softmax(q_i K^T / sqrt(d)) V over the cache's positions
// 0 .. length + i (the new rows after i stay hidden).
Heads cached_attention(const Heads& q, const Heads& k_new, const Heads& v_new, KvCache& cache);

}  // namespace ch10_15
