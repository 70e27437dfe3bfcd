#include "nn/char_tokenizer.hpp"

#include <cstdio>
#include <stdexcept>

namespace nn {

namespace {

// 'a' for a printable byte, '\x0a' otherwise, so that an error message shows any byte readably.
std::string describe_byte(unsigned char byte) {
  char text[8];
  if (byte >= 0x20 && byte < 0x7f)
    std::snprintf(text, sizeof text, "'%c'", byte);
  else
    std::snprintf(text, sizeof text, "'\\x%02x'", byte);
  return text;
}

}  // namespace

CharTokenizer::CharTokenizer(std::string_view text) {
  std::array<bool, 256> seen{};
  for (char c : text) seen[static_cast<unsigned char>(c)] = true;
  id_of_byte_.fill(-1);
  for (int byte = 0; byte < 256; ++byte) {
    if (!seen[byte]) continue;
    id_of_byte_[byte] = static_cast<int>(alphabet_.size());
    alphabet_.push_back(static_cast<char>(byte));
  }
}

Tokens CharTokenizer::encode(std::string_view text) const {
  Tokens ids(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    ids[i] = id_of_byte_[byte];
    if (ids[i] < 0)
      throw std::invalid_argument("CharTokenizer::encode: character " + describe_byte(byte) + " at position " +
                                  std::to_string(i) + " is not in the vocabulary");
  }
  return ids;
}

std::string CharTokenizer::decode(const Tokens& ids) const {
  std::string text(ids.size(), '\0');
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || static_cast<std::size_t>(ids[i]) >= alphabet_.size())
      throw std::out_of_range("CharTokenizer::decode: id " + std::to_string(ids[i]) + " at position " +
                              std::to_string(i) + " is outside [0, " + std::to_string(alphabet_.size()) + ")");
    text[i] = alphabet_[static_cast<std::size_t>(ids[i])];
  }
  return text;
}

}  // namespace nn
