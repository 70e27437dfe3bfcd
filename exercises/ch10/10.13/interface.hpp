#pragma once
// Interface for ch10/10.13, a pre-LN transformer decoder block. Implement decoder_block in namespace ch10_13. The
// kit offers nothing of the nn library here: the block is what you write.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_13 {

using Vector = xt::xtensor<double, 1>;
using Matrix = xt::xtensor<double, 2>;
using Batch = xt::xtensor<double, 3>;  // (batch, positions, d_model): one sequence of token rows per batch entry

// LayerNorm of a token t (a row of d_model entries): gain * (t - mean) / sqrt(var + 1e-5) + bias, entry by entry,
// with mean and var the mean and the mean squared deviation of t's own d_model entries.
struct LayerNorm {
  Vector gain;  // d_model
  Vector bias;  // d_model
};

// Multi-head attention of query rows zq over key/value rows zkv (both d_model wide):
//   Q = zq w_q + b_q,  K = zkv w_k + b_k,  V = zkv w_v + b_v   (biases added to every row)
// Head h = 0 .. n_head - 1 owns columns h d_head .. (h + 1) d_head - 1 of Q, K and V, d_head = d_model / n_head,
// and computes softmax(Q_h K_h^T / sqrt(d_head)) V_h, each query's softmax taken over the keys it may see only.
// The head outputs side by side (head 0 leftmost) form H, and the sub-layer returns H w_o + b_o.
struct Attention {
  Matrix w_q, w_k, w_v, w_o;  // d_model x d_model each
  Vector b_q, b_k, b_v, b_o;  // d_model each
};

// The position-wise network, on each row t: GELU(t w_1 + b_1) w_2 + b_2, with the exact
// GELU(u) = u (1 + erf(u / sqrt(2))) / 2 (not the tanh approximation).
struct FeedForward {
  Matrix w_1;  // d_model x d_ff
  Vector b_1;  // d_ff
  Matrix w_2;  // d_ff x d_model
  Vector b_2;  // d_model
};

struct DecoderBlock {
  std::size_t n_head = 1;  // divides d_model
  LayerNorm ln_self, ln_cross, ln_ffn;
  Attention self_attention, cross_attention;
  FeedForward ffn;
};

// The block on every sequence b of the batch, each on its own (x[b] is tgt_len x d_model, memory[b] src_len x d_model):
//   u   = x[b] + SelfAttn(LN_self(x[b]))      queries, keys and values all from LN_self(x[b]); target position i
//                                             sees target positions 0 .. i (causal)
//   v   = u + CrossAttn(LN_cross(u), memory[b])   queries from LN_cross(u); keys and values from memory[b] as given
//                                             (the encoder's output, not normalised again); every target position
//                                             sees source position j exactly when source_visible(b, j) is true
//   out = v + FFN(LN_ffn(v))
// x: (batch, tgt_len, d_model); memory: (batch, src_len, d_model); source_visible: (batch, src_len), false for a
// padding position, every row with at least one true. Returns (batch, tgt_len, d_model). No dropout (the block is
// evaluated, not trained) and no final LayerNorm (that belongs to the whole stack).
Batch decoder_block(const Batch& x, const Batch& memory, const xt::xtensor<bool, 2>& source_visible,
                    const DecoderBlock& block);

}  // namespace ch10_13
