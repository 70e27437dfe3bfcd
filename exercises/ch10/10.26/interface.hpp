#pragma once
// Interface for ch10/10.26, a session model that reads more of each event than its item. Implement the four
// functions in namespace ch10_26. The kit offers nothing of the nn library here: the front end is what you write.

#include <vector>

#include <xtensor/xtensor.hpp>

namespace ch10_26 {

using Matrix = xt::xtensor<double, 2>;
using Vector = xt::xtensor<double, 1>;

// Events of some sessions, one entry per event in each of the four lists (all of the same length n).
struct Events {
  std::vector<int> item;        // the item's id: a row of FeatureWeights::item
  std::vector<int> category;    // the item's category: a row of FeatureWeights::category
  std::vector<int> gap_bucket;  // the bucket of the minutes since the previous event: a row of FeatureWeights::gap
  std::vector<int> engagement;  // 0 view, 1 click, 2 save, 3 share: a row of FeatureWeights::engagement
};

// The bucket of each gap of m >= 0 minutes: floor(log2(1 + m)), at most 7 (8 buckets). Gaps under a minute are
// bucket 0, from 1 up to 3 minutes bucket 1, from 3 up to 7 bucket 2, and so on; 127 minutes or more is 7.
std::vector<int> gap_buckets(const std::vector<double>& minutes);

// The front end's parameters: an embedding table per feature and one projection. In the model the tables are 64,
// 16, 16 and 16 wide, so w has 112 rows; the checks use other widths too, which your code reads off the shapes.
struct FeatureWeights {
  Matrix item;        // (n_items, d_item)
  Matrix category;    // (n_categories, d_category)
  Matrix gap;         // (8, d_gap)
  Matrix engagement;  // (4, d_engagement)
  Matrix w;           // (d_item + d_category + d_gap + d_engagement, d_model)
  Vector b;           // (d_model)
};

// Row e of the result, (n, d_model): the concatenation [item[item_e], category[category_e], gap[gap_bucket_e],
// engagement[engagement_e]], in that order, times w, plus b.
Matrix project_features(const FeatureWeights& weights, const Events& events);

// The gradients of sum over e and c of dy(e, c) * project_features(weights, events)(e, c), dy being (n, d_model),
// with respect to every member of weights: a FeatureWeights of the same shapes (a table row that no event reads
// gets zeros).
FeatureWeights project_features_backward(const FeatureWeights& weights, const Events& events, const Matrix& dy);

// The sinusoidal encoding of real-valued times, (times.size(), d) for an even d: for i = 0 .. d/2 - 1, column 2i
// of row e is sin(t_e / 10000^(2i / d)) and column 2i + 1 is cos(t_e / 10000^(2i / d)), t_e = times[e].
Matrix time_encoding(const std::vector<double>& times, std::size_t d);

}  // namespace ch10_26
