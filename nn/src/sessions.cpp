#include "nn/sessions.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "nn/data_loader.hpp"
#include "nn/optim.hpp"
#include "nn/train_log.hpp"

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
  auto parameters = model.parameters();
  parameters.insert(parameters.end(), training.extra_parameters.begin(), training.extra_parameters.end());
  AdamW<float> optimizer(parameters, adamw);
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
std::vector<double> train_showing_progress(Model& model, const SequenceSet& sessions, const NextItemTraining& training,
                                           std::ostream& out) {
  ProgressBar bar(out, training.steps);
  const auto start = std::chrono::steady_clock::now();
  const double events_per_step = double(std::min(training.batch, sessions.count) * sessions.length);
  auto losses = train_sessions(model, sessions, training, [&](std::size_t done, double loss) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    bar.update(done, loss, double(done) * events_per_step / elapsed.count());
  });
  bar.finish();
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
      score.predicted.push_back(int(std::max_element(row, row + vocab) - row));
      const bool hit = score.predicted.back() == targets[r];
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

StreamRecConfig small_streamrec() {
  StreamRecConfig data;
  data.count = 2000;
  data.length = 12;
  data.n_walk_items = 60;
  data.n_categories = 6;
  data.n_pairs = 6;
  data.distance = 4;
  return data;
}

std::vector<double> train_next_item(Gpt<float>& model, const SequenceSet& sessions, const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress) {
  return train_sessions(model, sessions, training, progress);
}

std::vector<double> train_next_item(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                    const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress) {
  return train_sessions(model, sessions, training, progress);
}

std::vector<double> train_next_item_showing_progress(Gpt<float>& model, const SequenceSet& sessions,
                                                     const NextItemTraining& training, std::ostream& out) {
  return train_showing_progress(model, sessions, training, out);
}

std::vector<double> train_next_item_showing_progress(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                                     const NextItemTraining& training, std::ostream& out) {
  return train_showing_progress(model, sessions, training, out);
}

NextItemScore score_next_item(Gpt<float>& model, const StreamRecSessions& test, std::size_t batch) {
  return score_sessions(model, test, batch);
}

NextItemScore score_next_item(LstmLanguageModel<float>& model, const StreamRecSessions& test, std::size_t batch) {
  return score_sessions(model, test, batch);
}

}  // namespace nn
