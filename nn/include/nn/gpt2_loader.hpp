#pragma once
// Pretrained GPT-2 weights from a Hugging Face `model.safetensors` into our GPT's parameters.
//
// HF names the tensors as we do (wte.weight, h.{l}.attn.c_attn.weight, ln_f.bias, ...), sometimes behind a
// "transformer." prefix, and adds the buffers h.{l}.attn.bias / h.{l}.attn.masked_bias (causal masks; ignored).
// Its Conv1D layers (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj) store weights as (C_in, C_out); ours are
// PyTorch-linear (C_out, C_in), so those four are transposed on load. The file has no lm_head.weight: GPT-2
// ties the output projection to wte, so an untied model of ours gets a copy of wte there.
#include <cstddef>
#include <vector>

#include "nn/gpt.hpp"
#include "nn/safetensors.hpp"
#include "nn/tensor.hpp"

namespace nn {

// What the weights say about the model. The number of heads is not among them (HF keeps it in
// config.json; every released GPT-2 uses head size 64, so n_head = n_embd / 64).
struct Gpt2Shape {
  std::size_t vocab_size;      // rows of wte
  std::size_t context_length;  // rows of wpe
  std::size_t n_embd;
  std::size_t n_layer;  // distinct h.{l} blocks, which must be numbered 0 .. n_layer-1
};

// Throws std::runtime_error when wte or wpe is missing, they disagree on n_embd, or the blocks have gaps.
Gpt2Shape infer_gpt2_shape(const SafetensorsFile& file);

// The GptConfig of a GPT-2 of that shape: GPT-2's layout (LayerNorm, GELU, learned positions, biases, tied
// head), with n_head from config.json, or 0 for n_embd / 64 (every released GPT-2). Then
//   Gpt<float> model(gpt2_config(infer_gpt2_shape(file)), 0);  load_gpt2(file, model.parameters());
GptConfig gpt2_config(const Gpt2Shape& shape, std::size_t n_head = 0);

// Fills every parameter (by ParamRef::name) from the file, converting F16/BF16 data to float. Throws
// std::runtime_error naming every parameter the file cannot fill, or a parameter whose stored shape does
// not match (both shapes named); nothing is written unless every parameter can be filled.
void load_gpt2(const SafetensorsFile& file, const std::vector<ParamRef<float>>& params);

}  // namespace nn
