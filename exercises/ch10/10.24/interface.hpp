#pragma once
// Interface for ch10/10.24, attention made doubly stochastic by Sinkhorn's normalisation. Implement the four
// functions in namespace ch10_24. The kit offers nothing of the nn library here.

#include <xtensor/xtensor.hpp>

namespace ch10_24 {

// A stack of matrices, one per (sequence, head): (slabs, rows, columns).
using Heads = xt::xtensor<double, 3>;

// The mean over the slabs of each column's sum: weights (slabs, n_q, n_k) -> (n_k). Entry j says how much attention
// key j receives from all the queries of a slab, on average over the slabs.
xt::xtensor<double, 1> mean_column_sums(const Heads& weights);

// Sinkhorn weights of every slab, for self-attention (q and k both (slabs, n, d)): start from the matrix
// E = exp(q k^T / sqrt(d) - m), m the slab's largest scaled score (a constant factor that changes nothing below), then
// repeat `iterations` times (iterations >= 1): divide every row of E by its sum, then every column by its sum.
// Returns (slabs, n, n). After the last step every column sums to 1; the rows approach 1 as iterations grow.
Heads sinkhorn_weights(const Heads& q, const Heads& k, int iterations);

// sinkhorn_weights(q, k, iterations)[s] v[s] for every slab: (slabs, n, d_v), with v (slabs, n, d_v).
Heads sinkhorn_attention(const Heads& q, const Heads& k, const Heads& v, int iterations);

struct HeadGrads {
  Heads dq;  // same shape as q
  Heads dk;  // same shape as k
  Heads dv;  // same shape as v
};

// The gradients of L = sum of dout * sinkhorn_attention(q, k, v, iterations) over every entry, with respect to q, k
// and v: what a model's backward pass needs from this layer.
HeadGrads sinkhorn_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, int iterations);

}  // namespace ch10_24
