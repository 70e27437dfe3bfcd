#pragma once
// Batches for training: random windows of a token stream for a language model (nanoGPT's get_batch),
// and shuffled index batches, epoch by epoch, for a classifier. Each sampler draws from its own seeded
// generator, so a run repeats exactly and two samplers never disturb each other.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

struct TokenSplit {
  Tokens train;
  Tokens val;
};

// The first part of the stream for training, the last round(val_fraction * size) tokens for validation:
// a contiguous cut, so no window of one split overlaps the other. val_fraction in [0, 1].
TokenSplit split(const Tokens& tokens, double val_fraction);

// inputs and targets are (batch, time), row-major; targets[b * time + t] is the token after inputs[b * time + t].
struct LmBatch {
  Tokens inputs;
  Tokens targets;
  std::size_t batch = 0;
  std::size_t time = 0;
};

class LmLoader {
 public:
  // Throws std::invalid_argument when the stream is shorter than time + 1 tokens (one window and its target).
  LmLoader(Tokens tokens, std::size_t batch, std::size_t time, std::uint64_t seed);

  // batch windows of time + 1 consecutive tokens, each starting at a uniform random position.
  LmBatch next();

 private:
  Tokens tokens_;
  std::size_t batch_;
  std::size_t time_;
  std::mt19937_64 rng_;
};

// Index batches over num_examples examples: each epoch is a fresh permutation cut into batches of `batch`;
// an epoch's last batch is shorter when batch does not divide num_examples (no batch spans two epochs).
class ClassBatcher {
 public:
  ClassBatcher(std::size_t num_examples, std::size_t batch, std::uint64_t seed);

  std::vector<std::size_t> next();
  std::size_t batches_per_epoch() const;
  // The epoch the last batch came from, counting from 0 (0 before the first batch too).
  std::size_t epoch() const { return epochs_started_ == 0 ? 0 : epochs_started_ - 1; }

 private:
  void start_epoch();

  std::vector<std::size_t> order_;
  std::size_t batch_;
  std::size_t position_;  // first entry of order_ not yet handed out
  std::size_t epochs_started_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace nn
