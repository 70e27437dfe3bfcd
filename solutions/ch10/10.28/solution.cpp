// Reference solution for ch10/10.28: the two models' parameter counts in closed form, and the LSTM hidden size
// that matches the transformer's count, found by walking up from H = 1 (the count grows with H).
//   transformer: V d (tied embedding and head) + C d (positions) + L (12 d^2 + 13 d) + 2 d (final LayerNorm),
//     a block holding LayerNorm 2d, qkv 3d^2 + 3d, projection d^2 + d, LayerNorm 2d, FFN 4d^2 + 4d and 4d^2 + d;
//   LSTM: V E (embedding) + 4H E + 4H H (four gates' input and recurrent weights) + 8H (b_ih and b_hh)
//     + H V + V (head and its bias).

#include "ch10/10.28/interface.hpp"

#include <cstdlib>

namespace ch10_28 {

std::int64_t transformer_parameter_count(const TransformerShape& s) {
  const auto d = s.width;
  const auto block = 12 * d * d + 13 * d;
  return s.vocab * d + s.context * d + s.layers * block + 2 * d;
}

std::int64_t lstm_parameter_count(const LstmShape& s) {
  const auto gates = 4 * s.hidden;
  return s.vocab * s.embed + gates * s.embed + gates * s.hidden + 2 * gates + s.hidden * s.vocab + s.vocab;
}

std::int64_t matched_lstm_hidden(const TransformerShape& transformer, std::int64_t embed) {
  const auto target = transformer_parameter_count(transformer);
  const auto gap = [&](std::int64_t hidden) {
    return std::llabs(lstm_parameter_count({transformer.vocab, embed, hidden}) - target);
  };
  std::int64_t hidden = 1;
  while (gap(hidden + 1) < gap(hidden)) ++hidden;
  return hidden;
}

}  // namespace ch10_28
