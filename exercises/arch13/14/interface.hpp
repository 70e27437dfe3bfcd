#pragma once
// Interface for arch13/14, the whole GPT around the block. Implement gpt_logits in namespace arch13_14.
// The kit offers: nn::block_forward, nn::BlockConfig, nn::BlockTensors, nn::zero_block, nn::SequenceLayout.
// The kit offers: nn::AttentionShape, nn::AttentionMask, nn::MaskKind, nn::BlockRun.
// (arch13/13 was the block; here the library's block, nn::block_forward in nn/block.hpp, stands in for yours.)

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_14 {

using Vector = xt::xtensor<double, 1>;
using Matrix = xt::xtensor<double, 2>;

// One block's tensors as GPT-2 stores them (arch13/13's layout): a linear map (W, b) sends a row x to x W^T + b.
struct Block {
  Vector ln_1_w, ln_1_b;  // (C)
  Matrix c_attn_w;        // (3C, C): rows [queries | keys | values]
  Vector c_attn_b;        // (3C)
  Matrix c_proj_w;        // (C, C)
  Vector c_proj_b;        // (C)
  Vector ln_2_w, ln_2_b;  // (C)
  Matrix fc_w;            // (4C, C)
  Vector fc_b;            // (4C)
  Matrix fc_proj_w;       // (C, 4C)
  Vector fc_proj_b;       // (C)
};

// GPT-2's layout: token embedding wte (V, C), learned positions wpe (context, C), the blocks h[0], h[1], ... in
// order, the final LayerNorm (eps 1e-5), and an output head tied to wte.
struct Model {
  std::size_t n_head = 1;
  Matrix wte;  // (V, C)
  Matrix wpe;  // (context, C): row t for position t
  std::vector<Block> h;
  Vector ln_f_w, ln_f_b;  // (C)
};

// The logits (T, V) of one sequence of T token ids: row t scores the token after tokens[0 .. t] (a causal model).
// Throws std::invalid_argument when T exceeds the context, the rows of wpe.
Matrix gpt_logits(const std::vector<int>& tokens, const Model& model);

}  // namespace arch13_14
