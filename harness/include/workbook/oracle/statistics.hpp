#pragma once
// Judging a measured accuracy: how far above chance a trained model must land before a check says it learned.

#include <cmath>
#include <cstddef>
#include <string>

#include "workbook/check.hpp"

namespace workbook::oracle {

// Chance plus `errors` standard errors of an accuracy measured on n held-out examples by a model that guesses
// (a binomial proportion: sqrt(p (1 - p) / n)). Ten errors: a guessing model reaches it with probability far
// below 1e-20, so a pass says the model learned, and the bar stays low enough that a trained model clears it.
inline double above_chance_bar(double chance, std::size_t n, double errors = 10) {
  return chance + errors * std::sqrt(chance * (1 - chance) / double(n));
}

// Passes when `accuracy`, measured on n held-out examples, clears above_chance_bar(chance, n).
inline CheckResult learned(double accuracy, double chance, std::size_t n) {
  const double bar = above_chance_bar(chance, n);
  return holds(accuracy >= bar, accuracy,
               "held-out accuracy " + std::to_string(accuracy) + " is below " + std::to_string(bar) + " (chance is " +
                   std::to_string(chance) + ", " + std::to_string(n) + " held-out examples)");
}

}  // namespace workbook::oracle
