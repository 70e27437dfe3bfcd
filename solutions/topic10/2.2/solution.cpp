// Reference solution for topic10/2.2: the induction score of a head, and the head that scores highest.

#include "topic10/2.2/interface.hpp"

#include <xtensor/xview.hpp>

namespace topic10_2_2 {

double induction_score(const std::vector<std::size_t>& tokens, const xt::xtensor<double, 2>& pattern) {
  double total = 0;
  std::size_t queries_with_target = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    bool has_target = false;
    // j runs over the positions right after an earlier copy of tokens[i]
    for (std::size_t j = 1; j < i; ++j) {
      if (tokens[j - 1] != tokens[i]) continue;
      has_target = true;
      total += pattern(i, j);
    }
    if (has_target) ++queries_with_target;
  }
  return queries_with_target == 0 ? 0.0 : total / double(queries_with_target);
}

std::size_t find_induction_head(const std::vector<std::size_t>& tokens, const xt::xtensor<double, 3>& patterns) {
  std::size_t best = 0;
  double best_score = -1;
  for (std::size_t h = 0; h < patterns.shape(0); ++h) {
    const xt::xtensor<double, 2> pattern = xt::view(patterns, h, xt::all(), xt::all());
    const double score = induction_score(tokens, pattern);
    if (score > best_score) {  // strict: the lowest index wins a tie
      best = h;
      best_score = score;
    }
  }
  return best;
}

}  // namespace topic10_2_2
