// Reference solution for ch10/10.27: a head's recency and same-category lift on one session, its weight on a planted
// trigger, and the stated classification rule.

#include "ch10/10.27/interface.hpp"

namespace ch10_27 {

namespace {

// The weight row i puts on keys i - window + 1 .. i, the first clipped at 0.
double recent_weight(const Weights& w, std::size_t i, std::size_t window) {
  const std::size_t first = i + 1 > window ? i + 1 - window : 0;
  double sum = 0;
  for (std::size_t j = first; j <= i; ++j) sum += w(i, j);
  return sum;
}

// Row i's weight on the earlier keys of category i, less the share of those keys times the row's weight on all of
// them: what is left is what the head adds for sharing a category.
double category_lift(const Weights& w, const std::vector<int>& categories, std::size_t i) {
  double same = 0, earlier = 0;
  std::size_t same_keys = 0;
  for (std::size_t j = 0; j < i; ++j) {
    earlier += w(i, j);
    if (categories[j] == categories[i]) {
      same += w(i, j);
      ++same_keys;
    }
  }
  return same - double(same_keys) / double(i) * earlier;
}

}  // namespace

HeadProfile head_profile(const Weights& w, const std::vector<int>& categories, std::size_t window) {
  const std::size_t n = w.shape(0);
  HeadProfile profile;
  for (std::size_t i = 0; i < n; ++i) profile.recency += recent_weight(w, i, window);
  profile.recency /= double(n);
  for (std::size_t i = 1; i < n; ++i) profile.same_category += category_lift(w, categories, i);
  profile.same_category /= double(n - 1);
  return profile;
}

double retrieval(const Weights& w, std::size_t trigger_position, std::size_t planted_row) {
  return w(planted_row, trigger_position);  // row = the query, column = the key it reads
}

Pattern classify(const HeadProfile& profile) {
  if (profile.recency >= 0.6) return Pattern::recency;
  if (profile.same_category >= 0.2) return Pattern::category;
  if (profile.retrieval >= 0.3) return Pattern::retrieval;
  return Pattern::diffuse;
}

}  // namespace ch10_27
