#pragma once
// Interface for topic10/1.3, the rank of an attention layer's output. Implement in namespace topic10_1_3.

#include <vector>

#include <xtensor/xtensor.hpp>

namespace topic10_1_3 {

// Z = softmax(Q K^T / sqrt(d_k)) V, the softmax along each row. Q and K are n x d_k, V is n x d_v;
// Z is n x d_v.
xt::xtensor<double, 2> softmax_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                         const xt::xtensor<double, 2>& v);

// Z = (Q K^T) V: no scaling and no softmax. Same shapes as softmax_attention.
xt::xtensor<double, 2> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v);

enum class Scores { softmax, linear };

// H heads on the tokens X (n x d_model). Head h uses Q_h = X w_q[h], K_h = X w_k[h] (w_q[h], w_k[h] are
// d_model x d_k) and V_h = X w_v[h] (d_model x d_v), and computes Z_h with softmax_attention or
// linear_attention as `scores` says. The result is [Z_1 | Z_2 | ... | Z_H] W_o: the n x (H d_v)
// concatenation (head 1 in the first d_v columns) times W_o, (H d_v) x d_model, so n x d_model.
xt::xtensor<double, 2> multi_head_attention(const xt::xtensor<double, 2>& x,
                                            const std::vector<xt::xtensor<double, 2>>& w_q,
                                            const std::vector<xt::xtensor<double, 2>>& w_k,
                                            const std::vector<xt::xtensor<double, 2>>& w_v,
                                            const xt::xtensor<double, 2>& w_o, Scores scores);

}  // namespace topic10_1_3
