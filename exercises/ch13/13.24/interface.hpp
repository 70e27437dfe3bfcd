#pragma once
// Interface for ch13/13.24, a tiny encoder pretrained with a masked language model, then fine-tuned to classify
// reviews. Implement the three functions in namespace ch13_24: the masking that makes each pretraining batch, and
// the classification head on the [CLS] row, forward and backward. The kit offers nothing of the nn library here:
// the masking and the head are what you write (the standard library's <random> and xtensor are yours to use).

#include <cstddef>
#include <random>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch13_24 {

using Matrix = xt::xtensor<float, 2>;
using Vector = xt::xtensor<float, 1>;

// One masked-language-model batch. inputs: what the encoder reads; targets: at each position the token the
// model must recover there, or -1 where nothing is asked (the loss skips those positions).
struct MaskedBatch {
  std::vector<int> inputs;
  std::vector<int> targets;
};

// tokens holds batch sequences of time token ids (sequence b in tokens[b time, (b + 1) time)); in sequence b only
// the first lengths[b] positions are real, the rest is padding. Choose each real position independently with
// probability rate (padding never). A chosen position's target is its token, and its input becomes mask_token with
// probability 0.8, a token drawn uniformly from 0 .. vocab - 1 with probability 0.1, and stays as it is with
// probability 0.1. An unchosen position keeps its token and has target -1. Draw every random number from rng: it
// is sent back to the caller, which passes it again for the next batch.
MaskedBatch mask_tokens(const std::vector<int>& tokens, std::size_t batch, std::size_t time,
                        const std::vector<std::size_t>& lengths, int vocab, int mask_token, double rate,
                        std::mt19937_64& rng);

// The classification head. hidden is the encoder's output, (batch time, C), sequence b in rows [b time, (b + 1)
// time), its first row the [CLS] token's. The head reads that row alone: logits(b, :) = weight hidden(b time, :) + bias,
// weight (classes, C), bias (classes); the result is (batch, classes).
Matrix class_logits(const Matrix& hidden, std::size_t time, const Matrix& weight, const Vector& bias);

// The gradients of L = sum of dlogits * class_logits(hidden, time, weight, bias), each the shape of what it
// differentiates.
struct HeadGrads {
  Matrix dhidden;
  Matrix dweight;
  Vector dbias;
};
HeadGrads class_logits_backward(const Matrix& dlogits, const Matrix& hidden, std::size_t time, const Matrix& weight);

}  // namespace ch13_24
