#pragma once
// The learning-rate schedule of nanoGPT (get_lr): linear warm-up, cosine decay, then a floor.
#include <cstddef>

namespace nn {

struct Schedule {
  double max_lr = 6e-4;
  double min_lr = 6e-5;
  std::size_t warmup_steps = 0;  // steps 0 .. warmup_steps-1 climb to max_lr
  std::size_t decay_steps = 0;   // the cosine reaches min_lr at this step; >= warmup_steps
};

// step < warmup:          max_lr (step + 1) / warmup_steps
// warmup <= step <= decay: min_lr + (max_lr - min_lr) (1 + cos(pi r)) / 2, r = (step - warmup) / (decay - warmup)
// step > decay:           min_lr
// Throws std::invalid_argument when decay_steps < warmup_steps.
double lr_at(std::size_t step, const Schedule& schedule);

}  // namespace nn
