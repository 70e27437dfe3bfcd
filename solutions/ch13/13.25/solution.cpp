// Reference solution for ch13/13.25. Both models become library GPTs; the draft proposes greedily by scoring its
// growing sequence, and the target checks a whole round of proposals with one forward: row t of its logits is the
// target's choice for position t + 1, so the rows from the last accepted position on say, in one pass, which
// proposals it agrees with and what it would have said instead.

#include "ch13/13.25/interface.hpp"

#include <algorithm>
#include <stdexcept>

#include "nn/gpt.hpp"
#include "nn/named_tensors.hpp"

namespace ch13_25 {

namespace {

nn::Gpt<double> library_model(const Model& m) {
  nn::GptConfig config;
  config.vocab_size = m.vocab, config.context = m.context, config.n_layer = m.n_layer;
  config.n_head = m.n_head, config.n_embd = m.n_embd;
  config.position = nn::PositionKind::sinusoidal;
  config.tie_weights = false;
  nn::Gpt<double> model(config, 0);
  const auto problems = nn::load_named(model.parameters(), m.parameters);
  if (!problems.empty()) throw std::invalid_argument("cannot load the model: " + problems.front());
  return model;
}

// Greedy choice from row `row` of logits (the lowest id among equals).
int argmax_row(const nn::Matrix<double>& logits, std::size_t row) {
  int best = 0;
  for (std::size_t j = 1; j < logits.shape(1); ++j)
    if (logits(row, j) > logits(row, std::size_t(best))) best = int(j);
  return best;
}

// `count` greedy tokens of `model` after `sequence`.
std::vector<int> propose(const nn::Gpt<double>& model, std::vector<int> sequence, std::size_t count) {
  std::vector<int> proposals;
  while (proposals.size() < count) {
    const auto logits = model.logits(sequence);
    proposals.push_back(argmax_row(logits, sequence.size() - 1));
    sequence.push_back(proposals.back());
  }
  return proposals;
}

}  // namespace

Speculation speculative_greedy(const Model& target, const Model& draft, const std::vector<int>& prompt,
                               std::size_t n_new, std::size_t k) {
  const auto target_model = library_model(target), draft_model = library_model(draft);
  std::vector<int> sequence = prompt;
  const std::size_t goal = prompt.size() + n_new;
  Speculation out;
  while (sequence.size() < goal) {
    const std::size_t count = std::min(k, goal - sequence.size());
    const auto proposals = propose(draft_model, sequence, count);
    std::vector<int> checked = sequence;
    checked.insert(checked.end(), proposals.begin(), proposals.end());
    const auto logits = target_model.logits(checked);  // one forward for the whole round
    ++out.target_forwards;
    out.proposed += count;
    const std::size_t last = sequence.size() - 1;  // row last + i is the target's choice for proposal i
    std::size_t agreed = 0;
    while (agreed < count && proposals[agreed] == argmax_row(logits, last + agreed)) ++agreed;
    out.accepted += agreed;
    sequence.insert(sequence.end(), proposals.begin(), proposals.begin() + std::ptrdiff_t(agreed));
    // The target's own token after the agreed prefix: the correction of the first disagreement, or the bonus
    // after a round it agreed with throughout (unless the goal is already reached).
    if (sequence.size() < goal) sequence.push_back(argmax_row(logits, last + agreed));
  }
  out.tokens.assign(sequence.begin() + std::ptrdiff_t(prompt.size()), sequence.end());
  return out;
}

std::vector<int> greedy_generate(const Model& model, const std::vector<int>& prompt, std::size_t n_new) {
  return propose(library_model(model), prompt, n_new);
}

}  // namespace ch13_25
