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
};

// Trains every parameter of `model` on the class labels of `set` (no MLM term), batch after batch of
// shuffled examples. Returns the loss of each step. `progress`, when given, is called after each step.
std::vector<double> train_classifier(Encoder<float>& model, const LabelledSequences& set,
                                     const ClassifierTraining& training,
                                     const std::function<void(std::size_t step)>& progress = {});

// The fraction of `set` whose most likely class (evaluation mode) is its label.
double classifier_accuracy(Encoder<float>& model, const LabelledSequences& set, std::size_t batch = 256);

}  // namespace nn
