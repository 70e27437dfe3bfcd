#pragma once
// The training loop of a language model: seeded batches, AdamW under a warm-up + cosine schedule, gradient
// clipping, periodic evaluation on the validation split, a progress bar, a loss log (CSV + plot) and a
// safetensors checkpoint at the end.
#include <filesystem>
#include <iosfwd>
#include <vector>

#include "nn/data_loader.hpp"
#include "nn/gpt.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"

namespace nn {

struct LmTraining {
  std::size_t iterations = 2000;
  std::size_t batch = 12;
  std::size_t eval_interval = 250;  // evaluate at 0, every eval_interval steps and at the end
  std::size_t eval_batches = 20;
  Schedule schedule{1e-3, 1e-4, 100, 2000};
  AdamWConfig optimizer{1e-3, 0.9, 0.99, 1e-8, 0.1};
  double grad_clip = 1.0;  // 0: no clipping
  std::uint64_t seed = 1337;
  std::filesystem::path out_dir;  // loss.csv, loss.svg/png and checkpoint.safetensors; empty: none written
};

// The mean losses of one evaluation (at step 0, every eval_interval steps and at the end).
struct LmEvaluation {
  std::size_t step = 0;
  double train_loss = 0;
  double val_loss = 0;
};

struct LmTrainingResult {
  double train_loss = 0;  // mean over the last evaluation's batches
  double val_loss = 0;
  std::vector<LmEvaluation> evaluations;  // every evaluation in order: the curves
  double tokens_per_second = 0;  // training steps only, evaluation excluded
  double seconds = 0;
};

// Mean loss over `batches` batches drawn from loader (dropout off).
template <class T>
double evaluate_lm(Gpt<T>& model, LmLoader& loader, std::size_t batches);

// progress: where the progress bar and evaluation lines go (std::cerr in the examples).
template <class T>
LmTrainingResult train_lm(Gpt<T>& model, const TokenSplit& data, const LmTraining& config, std::ostream& progress);

}  // namespace nn
