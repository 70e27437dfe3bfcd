#pragma once
// Reading a trained encoder's attention: the weights of every head of every layer on a batch of sequences, through an
// attention core that runs the library's own attention and keeps its probabilities (the forward is unchanged).
// What chapter 10's exercises on attention patterns share (10.20, 10.24, 10.27).
#include <vector>

#include "nn/encoder.hpp"
#include "nn/gpt.hpp"

namespace nn {

// Per layer, the weights (batch, n_head, length, length) row-major: entry ((b * n_head + h) * length + i) * length + j
// is what query i of head h gives key j on sequence b. tokens (batch * length) row-major. Evaluation mode; the model
// keeps no attention core afterwards.
std::vector<std::vector<float>> encoder_attention(Encoder<float>& model, const Tokens& tokens, std::size_t batch,
                                                  std::size_t length);
// The same for a GPT's causal self-attention (query i gives keys j > i nothing).
std::vector<std::vector<float>> gpt_attention(Gpt<float>& model, const Tokens& tokens, std::size_t batch,
                                              std::size_t length);

}  // namespace nn
