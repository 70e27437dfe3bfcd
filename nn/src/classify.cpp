#include "nn/classify.hpp"

#include <algorithm>
#include <stdexcept>

#include "nn/data_loader.hpp"
#include "nn/optim.hpp"

namespace nn {

namespace {

// The rows of `set` named by `indices`: their tokens (indices.size(), length) and labels.
std::pair<Tokens, Tokens> gather(const LabelledSequences& set, const std::vector<std::size_t>& indices) {
  Tokens tokens, labels;
  tokens.reserve(indices.size() * set.length);
  for (const auto i : indices) {
    const auto row = set.tokens.begin() + std::ptrdiff_t(i * set.length);
    tokens.insert(tokens.end(), row, row + std::ptrdiff_t(set.length));
    labels.push_back(set.labels.at(i));
  }
  return {tokens, labels};
}

}  // namespace

std::vector<double> train_classifier(Encoder<float>& model, const LabelledSequences& set,
                                     const ClassifierTraining& training,
                                     const std::function<void(std::size_t step)>& progress) {
  if (set.count == 0) throw std::invalid_argument("train_classifier: no examples");
  AdamWConfig adamw;
  adamw.lr = training.lr;
  adamw.weight_decay = training.weight_decay;
  auto parameters = model.parameters();
  parameters.insert(parameters.end(), training.extra_parameters.begin(), training.extra_parameters.end());
  AdamW<float> optimizer(parameters, adamw);
  ClassBatcher batches(set.count, std::min(training.batch, set.count), training.seed);
  std::vector<double> losses;
  model.train(true);
  for (std::size_t step = 0; step < training.steps; ++step) {
    const auto [tokens, labels] = gather(set, batches.next());
    zero_grads(optimizer.params());
    model.forward(tokens, labels.size(), set.length, {});
    losses.push_back(model.loss({}, labels));
    model.backward();
    optimizer.step();
    if (progress) progress(step);
  }
  model.train(false);
  return losses;
}

double classifier_accuracy(Encoder<float>& model, const LabelledSequences& set, std::size_t batch) {
  model.train(false);
  std::size_t right = 0;
  for (std::size_t first = 0; first < set.count; first += batch) {
    std::vector<std::size_t> indices;
    for (std::size_t i = first; i < std::min(set.count, first + batch); ++i) indices.push_back(i);
    const auto [tokens, labels] = gather(set, indices);
    model.forward(tokens, labels.size(), set.length, {});
    const auto& logits = model.cls_logits();
    for (std::size_t r = 0; r < labels.size(); ++r) {
      const auto row = logits.data() + r * logits.shape(1);
      right += std::max_element(row, row + logits.shape(1)) - row == labels[r];
    }
  }
  return double(right) / double(set.count);
}

PatternRun train_on_patterns(const PatternTask& task, EncoderConfig config, const ClassifierTraining& training,
                             std::uint64_t seed, const AttentionCore<float>* core,
                             const std::function<void(std::size_t step)>& progress) {
  const auto train = embedded_patterns(task.train_count, task.length, task.pattern_length, task.n_patterns,
                                       task.vocab, seed, seed + 1);
  const auto test = embedded_patterns(task.test_count, task.length, task.pattern_length, task.n_patterns,
                                      task.vocab, seed, seed + 2);
  config.vocab_size = std::size_t(task.vocab);
  config.context = task.length;
  config.n_classes = task.n_patterns + 1;
  config.pooling = EncoderConfig::Pooling::mean;
  Encoder<float> model(config, seed + 3);
  model.set_attention_core(core);
  PatternRun run;
  run.losses = train_classifier(model, train, training, progress);
  run.accuracy = classifier_accuracy(model, test);
  return run;
}

}  // namespace nn
