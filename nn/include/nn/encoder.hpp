#pragma once
// A bidirectional encoder (BERT-like, pre-LN) with two heads: masked-language-model logits at every position
// and class logits read from position 0 (a [CLS] token) or from the mean of the positions. Padding is handled by per-sequence key lengths.
#include <random>
#include <vector>

#include "nn/stack.hpp"

namespace nn {

struct EncoderConfig {
  std::size_t vocab_size = 32;
  std::size_t context = 64;
  std::size_t n_layer = 2;
  std::size_t n_head = 4;
  std::size_t n_embd = 64;
  std::size_t ffn_hidden = 0;  // 0: 4 n_embd
  std::size_t n_classes = 2;
  double dropout = 0.0;
  double norm_eps = 1e-5;
  // The self-attention's keys per query position when not every position sees every other (a sliding
  // window, a student's mask): one range per position of the context. Empty: bidirectional.
  std::vector<AttentionMask::KeyRange> key_ranges;
  // What the classifier reads: the first position's output (a [CLS] token) or the mean over the real
  // positions (a model whose positions see only their neighbours has no position that sees everything).
  enum class Pooling { first, mean } pooling = Pooling::first;
  // What tells the blocks where a token sits: a learned table (wpe), the fixed sinusoidal table of "Attention is
  // all you need" (not trained), or nothing (a model whose attention core knows positions itself, such as a
  // relative bias). Only the learned table is a parameter.
  enum class Positions { learned, sinusoidal, none } positions = Positions::learned;
  BlockConfig block() const;
};

template <class T>
class Encoder {
 public:
  Encoder(const EncoderConfig& config, std::uint64_t seed);
  // "wte.weight", "wpe.weight" (learned positions only), "h.{l}.*", "ln_f.*", "mlm_head.weight/bias",
  // "cls_head.weight/bias".
  std::vector<ParamRef<T>> parameters();

  // tokens (batch * time); key_lengths (batch): in sequence b only the first key_lengths[b] tokens are real
  // (empty: all). Records activations for backward.
  void forward(const Tokens& tokens, std::size_t batch, std::size_t time, const std::vector<std::size_t>& key_lengths);
  const Matrix<T>& hidden() const { return hidden_; }           // (batch * time, C), after the final norm
  const Matrix<T>& mlm_logits() const { return mlm_logits_; }   // (batch * time, vocab)
  const Matrix<T>& cls_logits() const { return cls_logits_; }   // (batch, n_classes), from the pooled rows

  // Mean MLM cross-entropy over rows whose target is not ignore_index, plus mean classification
  // cross-entropy over labels (batch). Either part is skipped when its targets are empty.
  T loss(const Tokens& mlm_targets, const Tokens& labels);
  void backward();  // adds dLoss/dparam into the gradients

  void train(bool on) { training_ = on; }
  // The self-attention core of every block from outside (see AttentionCore in nn/attention.hpp); null: ours.
  void set_attention_core(const AttentionCore<T>* core) { stack_.set_attention_core(core); }

 private:
  EncoderConfig config_;
  std::mt19937_64 init_rng_;
  Matrix<T> wte_, wpe_, mlm_w_, cls_w_, dwte_, dwpe_, dmlm_w_, dcls_w_;
  Vector<T> mlm_b_, cls_b_, dmlm_b_, dcls_b_;
  BlockStack<T> stack_;
  bool training_ = false;
  std::mt19937_64 dropout_rng_;
  // the last forward and loss
  std::size_t pooled_rows(std::size_t sequence) const;  // rows the classifier averages: 1 ([CLS]) or the real ones
  std::size_t batch_ = 0, time_ = 0;
  std::vector<std::size_t> key_lengths_;
  Tokens tokens_, mlm_targets_, labels_;
  Matrix<T> hidden_, cls_input_, mlm_logits_, cls_logits_, mlm_probs_, cls_probs_;
};

// BERT's masking for MLM pretraining: each real (non-padding) position is chosen with probability `rate`;
// a chosen token becomes mask_token 80% of the time, a random token 10%, stays 10%. targets hold the original
// token at chosen positions and ignore_index elsewhere.
struct MlmBatch {
  Tokens inputs;
  Tokens targets;
};
MlmBatch mask_for_mlm(const Tokens& tokens, std::size_t batch, std::size_t time,
                      const std::vector<std::size_t>& key_lengths, std::size_t vocab, int mask_token, double rate,
                      std::mt19937_64& rng);

}  // namespace nn
