#include "nn/data_loader.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace nn {

TokenSplit split(const Tokens& tokens, double val_fraction) {
  if (!(val_fraction >= 0 && val_fraction <= 1))
    throw std::invalid_argument("split: val_fraction must lie in [0, 1]");
  const auto val_size = std::size_t(std::llround(val_fraction * double(tokens.size())));
  const auto cut = tokens.begin() + std::ptrdiff_t(tokens.size() - val_size);
  return {Tokens(tokens.begin(), cut), Tokens(cut, tokens.end())};
}

// ---- language-model windows ------------------------------------------------------------------------

LmLoader::LmLoader(Tokens tokens, std::size_t batch, std::size_t time, std::uint64_t seed)
    : tokens_(std::move(tokens)), batch_(batch), time_(time), rng_(seed) {
  if (time_ == 0 || tokens_.size() < time_ + 1)
    throw std::invalid_argument("LmLoader: the stream needs at least time + 1 tokens (and time > 0)");
}

// -> inputs, targets (batch, time): row b is tokens[s_b .. s_b + time) and tokens[s_b + 1 .. s_b + time].
LmBatch LmLoader::next() {
  LmBatch out{Tokens(batch_ * time_), Tokens(batch_ * time_), batch_, time_};
  std::uniform_int_distribution<std::size_t> start_of(0, tokens_.size() - time_ - 1);
  for (std::size_t b = 0; b < batch_; ++b) {
    const std::size_t start = start_of(rng_);
    std::copy_n(tokens_.begin() + std::ptrdiff_t(start), time_, out.inputs.begin() + std::ptrdiff_t(b * time_));
    std::copy_n(tokens_.begin() + std::ptrdiff_t(start + 1), time_, out.targets.begin() + std::ptrdiff_t(b * time_));
  }
  return out;
}

// ---- classification batches -----------------------------------------------------------------------

ClassBatcher::ClassBatcher(std::size_t num_examples, std::size_t batch, std::uint64_t seed)
    : order_(num_examples), batch_(batch), position_(num_examples), rng_(seed) {
  if (num_examples == 0 || batch == 0) throw std::invalid_argument("ClassBatcher: needs examples and batch > 0");
  std::iota(order_.begin(), order_.end(), std::size_t(0));
}

void ClassBatcher::start_epoch() {
  std::shuffle(order_.begin(), order_.end(), rng_);
  position_ = 0;
  ++epochs_started_;
}

std::vector<std::size_t> ClassBatcher::next() {
  if (position_ == order_.size()) start_epoch();
  const std::size_t end = std::min(position_ + batch_, order_.size());
  std::vector<std::size_t> indices(order_.begin() + std::ptrdiff_t(position_), order_.begin() + std::ptrdiff_t(end));
  position_ = end;
  return indices;
}

std::size_t ClassBatcher::batches_per_epoch() const { return (order_.size() + batch_ - 1) / batch_; }

}  // namespace nn
