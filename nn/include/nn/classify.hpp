#pragma once
// Training and scoring an encoder as a sequence classifier on labelled token sequences (the
// embedded-pattern task of nn/synthetic.hpp): what chapter 10's pattern experiments share.
#include <cstdint>
#include <functional>
#include <vector>

#include "nn/encoder.hpp"
#include "nn/synthetic.hpp"

namespace nn {

struct ClassifierTraining {
  std::size_t steps = 500;
  std::size_t batch = 32;
  double lr = 3e-3;          // AdamW, constant
  double weight_decay = 0.0;
  std::uint64_t seed = 1;    // the order of the examples
  // Parameters outside the model that its forward reads (an attention core's own, such as a learned relative
  // position bias): updated by the same optimiser as the model's, their gradients zeroed with them every step.
  std::vector<ParamRef<float>> extra_parameters;
};

// Trains every parameter of `model` on the class labels of `set` (no MLM term), batch after batch of
// shuffled examples. Returns the loss of each step. `progress`, when given, is called after each step.
std::vector<double> train_classifier(Encoder<float>& model, const LabelledSequences& set,
                                     const ClassifierTraining& training,
                                     const std::function<void(std::size_t step)>& progress = {});

// The fraction of `set` whose most likely class (evaluation mode) is its label.
double classifier_accuracy(Encoder<float>& model, const LabelledSequences& set, std::size_t batch = 256);

// Chapter 10's pattern experiment in one call: train and test sets of nn::embedded_patterns drawn from `seed`
// (the same patterns, different sequences), an encoder shaped by `config` whose vocabulary, context and classes
// are the task's and which reads the mean of its positions, trained on the one and scored on the other. `core`
// replaces the blocks' attention (an exercise's, calling a student's function); its own parameters, if any, go in
// training.extra_parameters. `progress`, when given, is called after each step. Same arguments, same numbers.
struct PatternTask {
  std::size_t length = 24;
  std::size_t pattern_length = 5;
  std::size_t n_patterns = 3;
  int vocab = 32;
  std::size_t train_count = 4000;
  std::size_t test_count = 1000;
  double chance() const { return 1.0 / double(n_patterns + 1); }
};
struct PatternRun {
  std::vector<double> losses;  // per training step
  double accuracy = 0;         // on the held-out set
};
PatternRun train_on_patterns(const PatternTask& task, EncoderConfig config, const ClassifierTraining& training,
                             std::uint64_t seed, const AttentionCore<float>* core = nullptr,
                             const std::function<void(std::size_t step)>& progress = {});

}  // namespace nn
