#pragma once
// Interface for ch10/10.29, grouped-query attention. Implement the two functions in namespace ch10_29. The kit
// offers nothing of the nn library here: the grouped attention is what you write.

#include <xtensor/xtensor.hpp>

namespace ch10_29 {

// Stacks of (sequence, head) slabs: (slabs, rows, columns). The queries of a batch of sequences come as
// batch * h_q slabs, their keys and values as batch * h_kv slabs, head after head within each sequence: slab
// b * h_q + h is query head h of sequence b, slab b * h_kv + g is key/value head g of sequence b. h_kv divides h_q,
// and query head h reads key/value head h / (h_q / h_kv) (integer division): the first h_q / h_kv query heads share
// key/value head 0, the next h_q / h_kv share head 1, and so on.
using Heads = xt::xtensor<double, 3>;

// Causal grouped-query attention. For every query slab: softmax(q k^T / sqrt(d)) v over the key/value slab of its
// group, where query row i sees key rows 0..i only. q is (batch * h_q, n, d), k is (batch * h_kv, n, d), v is
// (batch * h_kv, n, d_v); the result is (batch * h_q, n, d_v).
Heads grouped_attention(const Heads& q, const Heads& k, const Heads& v, int h_q, int h_kv);

struct GroupedGrads {
  Heads dq;  // same shape as q
  Heads dk;  // same shape as k
  Heads dv;  // same shape as v
};

// The gradients of L = sum of dout * grouped_attention(q, k, v, h_q, h_kv) over every entry, with respect to q, k
// and v (dout has the result's shape): what a model's backward pass needs from this layer.
GroupedGrads grouped_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, int h_q,
                                        int h_kv);

}  // namespace ch10_29
