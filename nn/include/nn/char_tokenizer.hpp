#pragma once
// Character-level tokenizer (as in nanoGPT's shakespeare_char): the vocabulary is the sorted set of
// distinct bytes of a training text; a token id is a byte's rank in that set.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "nn/tensor.hpp"

namespace nn {

class CharTokenizer {
 public:
  explicit CharTokenizer(std::string_view text);

  std::size_t vocab_size() const { return alphabet_.size(); }
  // The vocabulary: alphabet()[id] is the byte of token id.
  const std::string& alphabet() const { return alphabet_; }

  // Throws std::invalid_argument naming the first byte (and its position) outside the vocabulary.
  Tokens encode(std::string_view text) const;
  // Throws std::out_of_range on an id outside [0, vocab_size).
  std::string decode(const Tokens& ids) const;

 private:
  std::string alphabet_;             // sorted distinct bytes
  std::array<int, 256> id_of_byte_;  // -1 for a byte outside the vocabulary
};

}  // namespace nn
