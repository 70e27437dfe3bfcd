#pragma once
// A decoder-only GPT (pre-LN blocks, final norm, LM head optionally tied to the token embedding), covering
// GPT-2's layout and the modern variant (RMSNorm, SwiGLU, RoPE, grouped-query attention, no biases).
#include <functional>
#include <random>
#include <vector>

#include "nn/stack.hpp"
#include "nn/tensor.hpp"

namespace nn {

enum class PositionKind { learned, sinusoidal, rope, none };

struct GptConfig {
  std::size_t vocab_size = 65;
  std::size_t context = 64;
  std::size_t n_layer = 4;
  std::size_t n_head = 4;
  std::size_t n_kv_head = 0;   // 0: n_head (multi-head)
  std::size_t n_embd = 128;
  std::size_t ffn_hidden = 0;  // 0: 4 n_embd
  NormKind norm = NormKind::layernorm;
  FfnKind ffn = FfnKind::gelu;
  PositionKind position = PositionKind::learned;
  bool bias = true;
  bool tie_weights = true;
  double dropout = 0.0;
  double norm_eps = 1e-5;
  double rope_base = 10000.0;
  std::size_t relative_bias_distance = 0;  // > 0: every block learns a relative position bias (T5-style)
  BlockConfig block() const;
};

// The blocks' input from outside the model, in place of the token and position embeddings (10.26's multi-feature
// sessions): forward maps a batch's tokens (batch * time) to that input (batch * time, n_embd), and the model adds
// no positions to it; backward receives its gradient. What a token stands for is the caller's choice (10.26 numbers
// the events and looks their features up). Used by forward and backward; cached decoding and logits() embed tokens.
template <class T>
struct GptInput {
  std::function<Matrix<T>(const Tokens& tokens, std::size_t batch, std::size_t time)> forward;
  std::function<void(const Matrix<T>& dx)> backward;
};

template <class T>
class Gpt {
 public:
  Gpt(const GptConfig& config, std::uint64_t seed);
  const GptConfig& config() const { return config_; }

  // Every parameter by name (GPT-2's names: "wte.weight", "h.0.attn.c_attn.weight", ...), with its gradient.
  std::vector<ParamRef<T>> parameters();
  std::size_t parameter_count() const;

  // tokens (batch * time, row-major (batch, time)), time <= context -> logits (batch * time, vocab).
  // Records the activations for backward.
  const Matrix<T>& forward(const Tokens& tokens, std::size_t batch, std::size_t time);
  // Mean cross-entropy of the last forward's logits against targets (ignore_index skips a row).
  T loss(const Tokens& targets);
  // Adds dLoss/dparam of the last forward + loss into the gradients (zero them first: zero_grads).
  void backward();

  // Dropout active (training) or not (evaluation, generation). Off by default.
  void train(bool on) { training_ = on; }
  // The self-attention core of every block from outside (see AttentionCore in nn/attention.hpp); null: ours.
  // Training and full forwards use it; cached decoding keeps the library's (or the step given to forward_cached).
  void set_attention_core(const AttentionCore<T>* core) { stack_.set_attention_core(core); }
  // nullptr (the default): the token embedding plus the configured positions.
  void set_input(const GptInput<T>* input) { input_ = input; }

  // Inference with a KV cache (batch 1): the logits (n_new, vocab) of new_tokens, which follow the cache's
  // tokens; appends their keys and values. Throws when the total would exceed the context. attention: the step
  // every block calls to append to its cache and attend (see CachedAttentionCore in nn/block.hpp), or null for
  // the library's own.
  Matrix<T> forward_cached(const Tokens& new_tokens, KvCache<T>& cache,
                           const CachedAttentionCore<T>* attention = nullptr) const;
  // Inference without a cache: logits (time, vocab) of one sequence, recomputed from scratch.
  Matrix<T> logits(const Tokens& sequence) const;

 private:
  struct Activations {  // the last forward and loss, for backward
    std::size_t batch = 0, time = 0;
    Tokens tokens, targets;
    Matrix<T> embed_drop, hidden, logits, probs;
  };
  Matrix<T> embed(const Tokens& tokens, const std::vector<std::size_t>& positions) const;
  SequenceLayout layout(std::size_t batch, std::size_t time, std::size_t past) const;
  const Matrix<T>& head_weight() const { return config_.tie_weights ? wte_ : lm_head_; }

  GptConfig config_;
  std::mt19937_64 init_rng_;  // declared before stack_: the stack draws its weights from it
  Matrix<T> wte_, wpe_, lm_head_;
  Matrix<T> dwte_, dwpe_, dlm_head_;  // gradients, same shapes
  BlockStack<T> stack_;

  Activations acts_;
  bool training_ = false;
  std::mt19937_64 dropout_rng_;
  const GptInput<T>* input_ = nullptr;
};

}  // namespace nn
