#pragma once
// Interface for arch13/13, a pre-LN transformer block from scratch. Implement block_forward in namespace arch13_13.
// The kit offers nothing of the nn library here: the block is what you write.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace arch13_13 {

using Vector = xt::xtensor<double, 1>;
using Matrix = xt::xtensor<double, 2>;
using Batch = xt::xtensor<double, 3>;  // (B, T, C): B sequences of T token rows of width C

// GPT-2's block, its tensors stored as PyTorch stores them: a linear map with weight W (out x in) and bias b
// sends a row x to x W^T + b. C is the width, F the FFN's hidden width.
struct Block {
  std::size_t n_head = 1;   // divides C; head h owns columns h C/n_head .. (h + 1) C/n_head - 1
  Vector ln_1_w, ln_1_b;    // (C): LayerNorm before attention, eps 1e-5, variance over the row's C entries
  Matrix c_attn_w;          // (3C, C): rows 0 .. C-1 give the queries, C .. 2C-1 the keys, 2C .. 3C-1 the values
  Vector c_attn_b;          // (3C)
  Matrix c_proj_w;          // (C, C): maps the heads' outputs, side by side (head 0 leftmost), back to the width
  Vector c_proj_b;          // (C)
  Vector ln_2_w, ln_2_b;    // (C): LayerNorm before the FFN
  Matrix fc_w;              // (F, C)
  Vector fc_b;              // (F)
  Matrix fc_proj_w;         // (C, F)
  Vector fc_proj_b;         // (C)
};

// The block on every sequence of x:
//   a   = x + c_proj(Attn(LN_1(x)))     causal multi-head self-attention, softmax(Q_h K_h^T / sqrt(C/n_head)) V_h
//   out = a + fc_proj(GELU(fc(LN_2(a))))
// with GPT-2's GELU, the tanh form: GELU(u) = u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))) / 2. Returns (B, T, C).
Batch block_forward(const Batch& x, const Block& block);

}  // namespace arch13_13
