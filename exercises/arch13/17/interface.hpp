#pragma once
// Interface for arch13/17, a KV cache for the whole model's generation. Implement generate_recomputing and
// generate_cached in namespace arch13_17.
// The kit offers: nn::block_forward, nn::BlockConfig, nn::BlockTensors, nn::zero_block, nn::SequenceLayout.
// The kit offers: nn::AttentionShape, nn::AttentionMask, nn::MaskKind, nn::BlockRun, nn::KvCacheLayer.
// (nn::block_forward in nn/block.hpp runs one block; given a KvCacheLayer it appends the new rows' keys and values
// to it and attends over every row it holds. ch10/10.15 had you write that step; here the model around it is yours.)

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_17 {

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

// GPT-2's layout (arch13/14): wte (V, C), learned positions wpe (context, C), the blocks in order, the final
// LayerNorm (eps 1e-5), and the head tied to wte: logits = LN_f(x) wte^T.
struct Model {
  std::size_t n_head = 1;
  Matrix wte;
  Matrix wpe;
  std::vector<Block> h;
  Vector ln_f_w, ln_f_b;
};

// n_new tokens after the prompt, greedy (each the argmax of the last row's logits, the lowest id on a tie): at every
// step, run the whole sequence so far through the model again. Returns the n_new new tokens.
std::vector<int> generate_recomputing(const Model& model, const std::vector<int>& prompt, std::size_t n_new);

// The same tokens with a KV cache: the prompt goes through once, filling one cache per block; then every step feeds
// only the newest token, at its own position, and attends over the cached keys and values.
std::vector<int> generate_cached(const Model& model, const std::vector<int>& prompt, std::size_t n_new);

}  // namespace arch13_17
