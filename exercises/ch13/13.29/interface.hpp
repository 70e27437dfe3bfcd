#pragma once
// Interface for ch13/13.29, the FLOPs of one token of GPT inference against the 2N rule. Implement in namespace
// ch13_29. The kit offers nothing of the nn library here.
//
// The model: GPT-2's layout. Token and learned position embeddings of width d; n_layer pre-LN blocks, each with a
// LayerNorm (gain and shift) before multi-head self-attention (a fused query-key-value map d -> 3d and an output map
// d -> d, both with biases) and a LayerNorm before the feed-forward network (d -> ffn_hidden -> d, with biases); a
// final LayerNorm; logits from the token embedding matrix (tied, no bias).
// A FLOP is one multiplication or one addition: a product of an (m, n) matrix with a vector costs 2 m n.

#include <cstdint>

namespace ch13_29 {

struct GptShape {
  std::int64_t vocab = 0;
  std::int64_t n_layer = 0;
  std::int64_t n_embd = 0;      // d
  std::int64_t ffn_hidden = 0;  // usually 4 d
};

// The matrix-product FLOPs of one new token at position t (it attends to t keys, itself included, from a KV cache).
struct TokenFlops {
  std::int64_t projections = 0;  // the blocks' weight matrices applied to the token (query-key-value, output, FFN)
  std::int64_t attention = 0;    // the token's query against the t keys, and the weighted sum of the t values
  std::int64_t lm_head = 0;      // the logits: the token embedding matrix applied to the final state
};

TokenFlops per_token_flops(const GptShape& shape, std::int64_t t);

// N: every parameter except the token and position embeddings (biases and LayerNorm gains and shifts included).
std::int64_t non_embedding_parameters(const GptShape& shape);

}  // namespace ch13_29
