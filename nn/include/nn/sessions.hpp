#pragma once
// Training and scoring a Gpt, or the LSTM baseline, as a next-item model on StreamRec sessions (nn/synthetic.hpp,
// (6)), with one protocol for both: what chapter 10's StreamRec exercises share. The model reads item ids as its
// tokens and predicts the next item at every position.
#include <cstdint>
#include <functional>
#include <ostream>
#include <vector>

#include "nn/baselines.hpp"
#include "nn/gpt.hpp"
#include "nn/synthetic.hpp"

namespace nn {

// The StreamRec sessions of chapter 10's quick budgets (10.26, 10.29): 2000 sessions of 12 events over 60 catalogue
// items in 6 categories, with 6 trigger/target pairs 4 events apart; the other settings as StreamRecConfig's.
StreamRecConfig small_streamrec();

struct NextItemTraining {
  std::size_t steps = 500;
  std::size_t batch = 32;  // sessions per step
  double lr = 3e-3;        // AdamW, constant
  std::uint64_t seed = 1;  // the order of the sessions
  // Parameters outside the model that its forward reads (a front end given by Gpt::set_input, such as 10.26's
  // feature tables): updated by the same optimiser, their gradients zeroed with the model's every step.
  std::vector<ParamRef<float>> extra_parameters;
};

// Trains every parameter of `model` on next-item prediction over `sessions`, batch after batch of shuffled
// sessions. Returns the loss of each step; `progress`, when given, is called after each step with the number of
// steps done and that step's loss.
std::vector<double> train_next_item(Gpt<float>& model, const SequenceSet& sessions, const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress = {});

// The same, with a progress bar on `out` (each step's loss, events per second): what the exercises' --full runs show.
std::vector<double> train_next_item_showing_progress(Gpt<float>& model, const SequenceSet& sessions,
                                                     const NextItemTraining& training, std::ostream& out);

struct NextItemScore {
  double loss = 0;              // mean cross-entropy over every position
  double accuracy = 0;          // argmax = next item, over every position
  double planted_accuracy = 0;  // the same on the rows whose target is a planted target (0 when there are none)
  std::size_t planted = 0;      // how many such rows
  Tokens predicted;             // the argmax item of every row, (count, length) row-major: for finer scores
};
// Evaluation mode, the model's own forward: held-out scores.
NextItemScore score_next_item(Gpt<float>& model, const StreamRecSessions& test, std::size_t batch = 64);

// The same protocol for the LSTM language model (nn/baselines.hpp): the same optimiser, batch order and scoring,
// so that a transformer and an LSTM trained with equal NextItemTraining see the same sessions in the same order.
std::vector<double> train_next_item(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                    const NextItemTraining& training,
                                    const std::function<void(std::size_t done, double loss)>& progress = {});
std::vector<double> train_next_item_showing_progress(LstmLanguageModel<float>& model, const SequenceSet& sessions,
                                                     const NextItemTraining& training, std::ostream& out);
NextItemScore score_next_item(LstmLanguageModel<float>& model, const StreamRecSessions& test, std::size_t batch = 64);

}  // namespace nn
