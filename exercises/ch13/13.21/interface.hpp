#pragma once
// Interface for ch13/13.21, sinusoidal against learned positions in a character GPT. Implement the two functions in
// namespace ch13_21: the backward of the GPT's input layer for both kinds of position table, and the held-out loss.
// The kit offers nothing of the nn library here: the embedding's backward and the cross-entropy are what you write.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch13_21 {

using Matrix = xt::xtensor<double, 2>;

enum class Positions { learned, sinusoidal };

// The gradients of the input layer's parameters.
struct InputGrads {
  Matrix token_table;     // (vocab, n_embd)
  Matrix position_table;  // learned: (context, n_embd); sinusoidal: (0, n_embd), a fixed table has nothing to train
};

// The GPT's input is x = token_table[tokens[r]] + position_table[r % time] for every row r of a batch of sequences of
// `time` tokens each (sequence b in rows [b time, (b + 1) time), so row r sits at position r % time; time <= context).
// Given dx = dL/dx, (tokens.size(), n_embd), return dL/d(token_table) and, for learned positions, dL/d(position_table);
// the sinusoidal table is a formula, not a parameter, and gets an empty (0, n_embd) gradient.
InputGrads input_backward(const Matrix& dx, const std::vector<int>& tokens, std::size_t time, std::size_t vocab,
                          std::size_t context, Positions positions);

// The mean cross-entropy of next-token predictions: row r of logits (rows, vocab) scores targets[r], which is either a
// token in [0, vocab) or -1 for a row that is not scored. The mean is over the scored rows. It must stay finite
// whatever the logits' size (a trained model's logits can be large).
double mean_cross_entropy(const Matrix& logits, const std::vector<int>& targets);

}  // namespace ch13_21
