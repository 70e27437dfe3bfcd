#include "nn/sessions.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nn/data_loader.hpp"
#include "nn/optim.hpp"

namespace nn {

namespace {

// The sessions named by `indices`: their tokens and targets, (indices.size(), length) row-major.
std::pair<Tokens, Tokens> gather(const SequenceSet& set, const std::vector<std::size_t>& indices) {
  Tokens tokens, targets;
  for (const auto i : indices) {
    const auto at = std::ptrdiff_t(i * set.length), end = at + std::ptrdiff_t(set.length);
    tokens.insert(tokens.end(), set.tokens.begin() + at, set.tokens.begin() + end);
    targets.insert(targets.end(), set.targets.begin() + at, set.targets.begin() + end);
  }
  return {tokens, targets};
}

// Dropout on or off; the LSTM model has none.
void set_training(Gpt<float>& model, bool on) { model.train(on); }
void set_training(LstmLanguageModel<float>&, bool) {}

template <class Model>
std::vector<double> train_sessions(Model& model, const SequenceSet& sessions, const NextItemTraining& training,
                                   const std::function<void(std::size_t done, double loss)>& progress) {
  if (sessions.count == 0) throw std::invalid_argument("train_next_item: no sessions");
  AdamWConfig adamw;
  adamw.lr = training.lr;
  AdamW<float> optimizer(model.parameters(), adamw);
  ClassBatcher batches(sessions.count, std::min(training.batch, sessions.count), training.seed);
  std::vector<double> losses;
  set_training(model, true);
  for (std::size_t step = 0; step < training.steps; ++step) {
    const auto indices = batches.next();
    const auto [tokens, targets] = gather(sessions, indices);
    zero_grads(optimizer.params());
    model.forward(tokens, indices.size(), sessions.length);
    losses.push_back(model.loss(targets));
    model.backward();
    optimizer.step();
    if (progress) progress(step + 1, losses.back());
  }
  set_training(model, false);
  return losses;
}

template <class Model>
NextItemScore score_sessions(Model& model, const StreamRecSessions& test, std::size_t batch) {
  const auto& set = test.sessions;
  set_training(model, false);
  NextItemScore score;
  std::size_t right = 0, planted_right = 0;
  double loss_sum = 0;
  for (std::size_t first = 0; first < set.count; first += batch) {
    std::vector<std::size_t> indices;
    for (std::size_t i = first; i < std::min(set.count, first + batch); ++i) indices.push_back(i);
    const auto [tokens, targets] = gather(set, indices);
    const auto& logits = model.forward(tokens, indices.size(), set.length);
    loss_sum += double(model.loss(targets)) * double(targets.size());
    const std::size_t vocab = logits.shape(1);
    for (std::size_t r = 0; r < targets.size(); ++r) {
      const auto row = logits.data() + r * vocab;
      const bool hit = std::max_element(row, row + vocab) - row == targets[r];
      right += hit;
      const auto session = indices[r / set.length];
      if (test.planted_row[session] == int(r % set.length)) ++score.planted, planted_right += hit;
    }
  }
  const double rows = double(set.count * set.length);
  score.loss = loss_sum / rows;
  score.accuracy = double(right) / rows;
  score.planted_accuracy = score.planted ? double(planted_right) / double(score.planted) : 0.0;
  return score;
}

}  // namespace

std::vector<double> train_next_item(Gpt<float>& model, const SequenceSet& sessions, const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress) {
  return train_sessions(model, sessions, training, progress);
}

std::vector<double> train_next_item(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                    const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress) {
  return train_sessions(model, sessions, training, progress);
}

NextItemScore score_next_item(Gpt<float>& model, const StreamRecSessions& test, std::size_t batch) {
  return score_sessions(model, test, batch);
}

NextItemScore score_next_item(LstmLanguageModel<float>& model, const StreamRecSessions& test, std::size_t batch) {
  return score_sessions(model, test, batch);
}

}  // namespace nn
