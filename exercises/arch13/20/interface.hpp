#pragma once
// Interface for arch13/20, a trainable nanoGPT written layer by layer. Implement the two functions in namespace
// arch13_20.
// The kit offers: nn::embedding_forward, nn::embedding_backward, nn::linear_forward, nn::linear_backward.
// The kit offers: nn::layernorm_forward, nn::layernorm_backward, nn::NormCache, nn::gelu_forward, nn::gelu_backward.
// The kit offers: nn::attention_forward, nn::attention_backward, nn::AttentionShape, nn::AttentionMask, nn::MaskKind.
// The kit offers: nn::AttentionCache, nn::AttentionGrads, nn::RelativeBias.
// The kit offers: nn::cross_entropy_forward, nn::cross_entropy_backward, nn::AdamW, nn::AdamWConfig.
// The kit offers: nn::ParamRef, nn::param_ref, nn::zero_grads, nn::decays_if_matrix, nn::clip_grad_norm.
// Each layer comes with its forward and backward, as llm.c writes them; the model that chains them, its residual
// stream and its backward pass, and the training loop are what you write (no block, stack or GPT is offered).

#include <cstdint>
#include <string>
#include <vector>

namespace arch13_20 {

// GPT-2's layout: learned positions, pre-LN blocks (LayerNorm with bias, eps 1e-5; causal multi-head attention with
// one c_attn projection to q, k, v in that order and a c_proj; an MLP of width 4 n_embd with tanh-GELU; biases
// everywhere), a final LayerNorm ln_f, and logits from the token embedding wte (the head is tied to it, no bias).
struct ModelShape {
  int vocab = 0;    // token ids 0..vocab-1
  int context = 0;  // positions wpe has
  int n_layer = 0;
  int n_head = 0;   // divides n_embd
  int n_embd = 0;
};

// One tensor under its GPT-2 name ("wte.weight" (vocab, n_embd), "wpe.weight" (context, n_embd), "h.0.ln_1.weight",
// "h.0.attn.c_attn.weight" (3 n_embd, n_embd), ..., "ln_f.bias": the statement lists them all), its shape and its
// values in row-major order. Linear weights are (out, in), as nn::linear_forward takes them.
struct NamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

struct LossAndGrads {
  double loss = 0;                  // mean next-token cross-entropy over every row
  std::vector<NamedTensor> grads;   // dloss/dparameter for every parameter, under the parameter's name and shape
};

// The model with `parameters` on `batch` sequences of tokens.size() / batch tokens each (row-major (batch, time),
// time <= context); targets has the same layout and gives the token each row must predict.
LossAndGrads loss_and_grads(const std::vector<NamedTensor>& parameters, const std::vector<int>& tokens,
                            const std::vector<int>& targets, int batch, const ModelShape& shape);

struct TrainingPlan {
  int steps = 0;           // optimiser steps
  int batch = 0;           // windows per step: each `context` tokens of the text from a uniform random start, the
                           // targets the same window moved one token on
  double lr = 0;           // AdamW (betas 0.9 and 0.99, weight decay 0.1 on matrices only), constant
  std::uint64_t seed = 0;  // the initial weights (GPT-2's: N(0, 0.02), zero biases, unit norm gains) and the windows
};

struct TrainedModel {
  std::vector<NamedTensor> parameters;  // after the last step, named as loss_and_grads takes them
  std::vector<double> step_losses;      // the training loss of every step, for the loss curve
};

// Trains the model from scratch on next-token prediction over `text` (token ids).
TrainedModel train_gpt(const std::vector<int>& text, const ModelShape& shape, const TrainingPlan& plan);

}  // namespace arch13_20
