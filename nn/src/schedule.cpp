#include "nn/schedule.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace nn {

double lr_at(std::size_t step, const Schedule& schedule) {
  if (schedule.decay_steps < schedule.warmup_steps)
    throw std::invalid_argument("lr_at: decay_steps must not be smaller than warmup_steps");
  if (step < schedule.warmup_steps) return schedule.max_lr * double(step + 1) / double(schedule.warmup_steps);
  // >= rather than nanoGPT's >: the cosine is exactly min_lr at decay_steps, and this also covers
  // decay_steps == warmup_steps, where the ratio below would divide by zero.
  if (step >= schedule.decay_steps) return schedule.min_lr;
  const double ratio =
      double(step - schedule.warmup_steps) / double(schedule.decay_steps - schedule.warmup_steps);
  const double coefficient = 0.5 * (1 + std::cos(std::numbers::pi * ratio));
  return schedule.min_lr + coefficient * (schedule.max_lr - schedule.min_lr);
}

}  // namespace nn
