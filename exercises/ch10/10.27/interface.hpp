#pragma once
// Interface for ch10/10.27, attention patterns of the StreamRec session model. Implement the three functions in
// namespace ch10_27. The kit offers nothing of the nn library here: the exercise trains the model and hands you one
// head's attention weights on one session at a time.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_27 {

// One head's causal attention on one session of L events: (L, L), entry (i, j) the weight that query position i
// gives key position j. Row i is non-negative, sums to 1 and is 0 for every j > i.
using Weights = xt::xtensor<double, 2>;

struct HeadProfile {
  double recency = 0;        // see head_profile
  double same_category = 0;  // see head_profile
  double retrieval = 0;      // see retrieval: head_profile leaves it 0
};

// Two statistics of one head on one session; categories (L) holds the category of each event's item.
// recency: the mean over every query row i = 0 .. L-1 of the weight row i puts on the `window` most recent keys,
//   j = i - window + 1 .. i (clipped at 0, so row i < window counts every key it has).
// same_category: the mean over the rows i = 1 .. L-1 of a lift: the weight row i puts on the earlier keys
//   j = 0 .. i-1 whose category equals category i, minus what attention blind to category would put there,
//   that is the share of those i keys that have category i times the total weight row i puts on keys 0 .. i-1.
//   It is 0 for uniform attention, positive for a head that seeks the current category. (L >= 2.)
// retrieval is left 0.
HeadProfile head_profile(const Weights& w, const std::vector<int>& categories, std::size_t window);

// The weight the query at planted_row gives the key at trigger_position (trigger_position <= planted_row): how much
// of that row's attention reads the trigger of a planted pair.
double retrieval(const Weights& w, std::size_t trigger_position, std::size_t planted_row);

enum class Pattern { recency, category, retrieval, diffuse };

// The rule, applied in this order:
//   recency >= 0.6        -> recency
//   same_category >= 0.2  -> category
//   retrieval >= 0.3      -> retrieval
//   otherwise             -> diffuse
// (>= at every threshold: a profile exactly at a threshold takes that class.)
Pattern classify(const HeadProfile& profile);

}  // namespace ch10_27
