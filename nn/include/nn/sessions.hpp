#pragma once
// Training and scoring a Gpt, or the LSTM baseline, as a next-item model on StreamRec sessions (nn/synthetic.hpp,
// (6)), with one protocol for both: what chapter 10's StreamRec exercises share. The model reads item ids as its
// tokens and predicts the next item at every position.
#include <cstdint>
#include <functional>
#include <vector>

#include "nn/baselines.hpp"
#include "nn/gpt.hpp"
#include "nn/synthetic.hpp"

namespace nn {

struct NextItemTraining {
  std::size_t steps = 500;
  std::size_t batch = 32;  // sessions per step
  double lr = 3e-3;        // AdamW, constant
  std::uint64_t seed = 1;  // the order of the sessions
};

// Trains every parameter of `model` on next-item prediction over `sessions`, batch after batch of shuffled
// sessions. Returns the loss of each step; `progress`, when given, is called after each step with the number of
// steps done and that step's loss.
std::vector<double> train_next_item(Gpt<float>& model, const SequenceSet& sessions, const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress = {});

struct NextItemScore {
  double loss = 0;              // mean cross-entropy over every position
  double accuracy = 0;          // argmax = next item, over every position
  double planted_accuracy = 0;  // the same on the rows whose target is a planted target (0 when there are none)
  std::size_t planted = 0;      // how many such rows
};
// Evaluation mode, the model's own forward: held-out scores.
NextItemScore score_next_item(Gpt<float>& model, const StreamRecSessions& test, std::size_t batch = 64);

// The same protocol for the LSTM language model (nn/baselines.hpp): the same optimiser, batch order and scoring,
// so that a transformer and an LSTM trained with equal NextItemTraining see the same sessions in the same order.
std::vector<double> train_next_item(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                    const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress = {});
NextItemScore score_next_item(LstmLanguageModel<float>& model, const StreamRecSessions& test, std::size_t batch = 64);

}  // namespace nn
