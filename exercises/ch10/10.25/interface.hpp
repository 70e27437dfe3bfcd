#pragma once
// Interface for ch10/10.25, attention with a learnable relative position bias. Implement the three functions in
// namespace ch10_25. The kit offers nothing of the nn library here: the attention and its bias are what you write.

#include <xtensor/xtensor.hpp>

namespace ch10_25 {

// A stack of matrices, one per (sequence, head) of a batch: (slabs, rows, columns).
using Heads = xt::xtensor<double, 3>;
// The bias vector b of a maximum length L: 2L - 1 entries, entry i - j + L - 1 for the offset i - j (so b[0] is the
// offset -(L - 1), b[L - 1] the offset 0, b[2L - 2] the offset L - 1). L = (b.size() + 1) / 2.
using Bias = xt::xtensor<double, 1>;

// The (n, n) table B with B[i][j] = b[i - j + L - 1]: what query position i adds to its score for key position j.
// 1 <= n <= L.
xt::xtensor<double, 2> relative_bias_table(const Bias& b, std::size_t n);

// Self-attention of every slab with the bias inside the scaling: score(i, j) = (q[s, i] . k[s, j] + B[i][j]) /
// sqrt(d), the weights the softmax of each row of scores, the output the weights times v[s]. q and k are
// (slabs, n, d), v is (slabs, n, d_v), n <= L; returns (slabs, n, d_v). The same b serves every slab.
Heads relative_attention_forward(const Heads& q, const Heads& k, const Heads& v, const Bias& b);

struct RelativeGrads {
  Heads dq;  // same shape as q
  Heads dk;  // same shape as k
  Heads dv;  // same shape as v
  Bias db;   // same shape as b: 2L - 1 entries, summed over every slab
};

// The gradients of L = sum over s, i, c of dout[s, i, c] * relative_attention_forward(q, k, v, b)[s, i, c] with
// respect to q, k, v and b (dout has the output's shape).
RelativeGrads relative_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v,
                                          const Bias& b);

}  // namespace ch10_25
