#pragma once
// Interface for ch10/10.28, an LSTM against a transformer on StreamRec sessions. Implement the three functions in
// namespace ch10_28. The kit offers nothing of the nn library here: counting the parameters is what you write.

#include <cstdint>

namespace ch10_28 {

// The transformer session model: a GPT-2-style decoder. A token embedding (vocab, width) and a learned position
// embedding (context, width); `layers` pre-LN blocks, each with LayerNorm (a weight and a bias of `width`), one
// linear layer with bias making the queries, keys and values (width -> 3 width), an output projection with bias
// (width -> width), a second LayerNorm, and a feed-forward network with biases (width -> 4 width -> width); a final
// LayerNorm; an output head (width -> vocab) without bias whose weight IS the token embedding (tied, stored once).
// The number of heads splits the width and changes no count.
struct TransformerShape {
  std::int64_t vocab = 0;
  std::int64_t context = 0;
  std::int64_t layers = 0;
  std::int64_t width = 0;
};

// The LSTM session model: an embedding (vocab, embed), one LSTM layer as PyTorch's torch.nn.LSTM stores it (input
// embed, hidden size `hidden`), and an output head with bias (hidden -> vocab).
struct LstmShape {
  std::int64_t vocab = 0;
  std::int64_t embed = 0;
  std::int64_t hidden = 0;
};

// The number of trainable numbers of each model.
std::int64_t transformer_parameter_count(const TransformerShape& shape);
std::int64_t lstm_parameter_count(const LstmShape& shape);

// The hidden size H >= 1 of the LSTM (same vocabulary as the transformer, embedding size `embed`) whose parameter
// count is closest to the transformer's; of two equally close, either.
std::int64_t matched_lstm_hidden(const TransformerShape& transformer, std::int64_t embed);

}  // namespace ch10_28
