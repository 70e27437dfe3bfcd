#pragma once
// Two non-transformer baselines, each owning its parameters with PyTorch's names, layouts and default
// initialisation: an LSTM language model and a small CNN classifier for CIFAR-10-sized images.
// Usage like Gpt: forward, then loss, then backward (which adds into the gradients: zero_grads first).
#include <cstdint>
#include <vector>

#include "nn/conv.hpp"
#include "nn/lstm.hpp"
#include "nn/tensor.hpp"

namespace nn {

// ---- LSTM language model: embedding (V, E) -> LSTM (hidden H) -> linear head (V, H) with bias ----------

struct LstmLmConfig {
  std::size_t vocab = 65;
  std::size_t embed = 32;
  std::size_t hidden = 128;
};

template <class T>
class LstmLanguageModel {
 public:
  LstmLanguageModel(const LstmLmConfig& config, std::uint64_t seed);
  const LstmLmConfig& config() const { return config_; }

  // "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
  // "head.weight", "head.bias" (the names of the equivalent torch.nn modules).
  std::vector<ParamRef<T>> parameters();

  // tokens (batch * time, row b * time + t) -> logits (batch * time, vocab). Each sequence starts from a
  // zero state. Records the activations for backward.
  const Matrix<T>& forward(const Tokens& tokens, std::size_t batch, std::size_t time);
  // Mean cross-entropy of the last forward's logits against targets (ignore_index skips a row).
  T loss(const Tokens& targets);
  // Adds dLoss/dparam of the last forward + loss into the gradients.
  void backward();

 private:
  struct Activations {
    std::size_t batch = 0;
    Tokens tokens, targets;
    Matrix<T> embedded, logits, probs;
    LstmCache<T> lstm;  // its hidden states are the head's input
  };

  LstmLmConfig config_;
  Matrix<T> embedding_, dembedding_;
  LstmParams<T> lstm_, dlstm_;
  Matrix<T> head_weight_, dhead_weight_;
  Vector<T> head_bias_, dhead_bias_;
  Activations acts_;
};

// ---- small CNN: [conv 3x3 pad 1 -> relu -> max-pool 2x2] x 2 -> linear ----------------------------------

struct SmallCnnConfig {
  std::size_t channels1 = 32;
  std::size_t channels2 = 64;
  std::size_t classes = 10;
  std::size_t image_size = 32;  // square 3-channel images (CIFAR-10's 32); a multiple of 4
};

template <class T>
class SmallCnn {
 public:
  SmallCnn(const SmallCnnConfig& config, std::uint64_t seed);
  const SmallCnnConfig& config() const { return config_; }

  // "conv1.weight" (reported as PyTorch's (C_out, C_in, 3, 3)), "conv1.bias", "conv2.weight", "conv2.bias",
  // "fc.weight" (classes, channels2 * (S/4)^2), "fc.bias".
  std::vector<ParamRef<T>> parameters();

  // images (N, 3 * S * S), NCHW rows -> logits (N, classes). Records the activations for backward.
  const Matrix<T>& forward(const Matrix<T>& images);
  // Mean cross-entropy of the last forward's logits against labels (ignore_index skips an image).
  T loss(const Tokens& labels);
  // Adds dLoss/dparam of the last forward + loss into the gradients.
  void backward();

 private:
  struct Activations {
    Tokens labels;
    Matrix<T> images, conv1, pool1, conv2, pool2, logits, probs;  // conv outputs before their relu
    MaxPoolCache pool1_cache, pool2_cache;
  };
  Conv2dShape conv1_shape() const;
  Conv2dShape conv2_shape() const;

  SmallCnnConfig config_;
  Matrix<T> conv1_weight_, dconv1_weight_, conv2_weight_, dconv2_weight_, fc_weight_, dfc_weight_;
  Vector<T> conv1_bias_, dconv1_bias_, conv2_bias_, dconv2_bias_, fc_bias_, dfc_bias_;
  Activations acts_;
};

}  // namespace nn
