#pragma once
// Interface for ch10/10.23, attention with a softmax temperature. Implement the three functions in namespace
// ch10_23. The kit offers nothing of the nn library here: the attention is what you write.

#include <xtensor/xtensor.hpp>

namespace ch10_23 {

// A stack of matrices, one per (sequence, head) of a batch: (slabs, rows, columns). Every function applies one
// head's attention to each slab on its own, so one call serves every head of every sequence.
using Heads = xt::xtensor<double, 3>;

// The weights softmax(q[s] k[s]^T / (tau sqrt(d))) of every slab s, the softmax over each row: (slabs, n_q, n_k).
// q is (slabs, n_q, d), k is (slabs, n_k, d), tau > 0.
Heads attention_weights(const Heads& q, const Heads& k, double tau);

// The output weights[s] v[s] of every slab: (slabs, n_q, d_v), with v (slabs, n_k, d_v).
Heads attention_forward(const Heads& q, const Heads& k, const Heads& v, double tau);

struct HeadGrads {
  Heads dq;  // same shape as q
  Heads dk;  // same shape as k
  Heads dv;  // same shape as v
};

// The gradients of L = sum over s, i, c of dout[s, i, c] * attention_forward(q, k, v, tau)[s, i, c] with respect to
// q, k and v (dout has the output's shape): what a model's backward pass needs from this layer.
HeadGrads attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, double tau);

}  // namespace ch10_23
