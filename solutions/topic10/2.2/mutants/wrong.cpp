// Wrong on purpose: forgets the shift by one, so it scores attention on the earlier copies of the current
// token (tokens[j] == tokens[i]) instead of on the tokens that followed them. That measures a
// duplicate-token head, and the detector picks the duplicate-token head instead of the induction head.

#include "topic10/2.2/interface.hpp"

#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/2.2", {"b/six clean heads", "b/random patterns", "b/any input", "b/period 2", "c/[1,2,3,1,2] bank",
                    "c/most attention on the 3", "c/repeated segments"}};

namespace topic10_2_2 {

double induction_score(const std::vector<std::size_t>& tokens, const xt::xtensor<double, 2>& pattern) {
  double total = 0;
  std::size_t queries_with_target = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    bool has_target = false;
    for (std::size_t j = 0; j < i; ++j) {
      if (tokens[j] != tokens[i]) continue;  // the slip: should compare tokens[j - 1]
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
    if (score > best_score) {
      best = h;
      best_score = score;
    }
  }
  return best;
}

}  // namespace topic10_2_2
