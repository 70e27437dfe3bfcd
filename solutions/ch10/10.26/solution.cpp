// Reference solution for ch10/10.26: a multi-feature front end for a session model. With x_e the concatenation of
// the four embedding rows of event e, y_e = x_e w + b, so for dy:
//   dw = X^T dy,  db = sum_e dy_e,  dX = dy w^T,
// and each table gets its slice of dX added to the row its event read (rows read twice get both shares).

#include "ch10/10.26/interface.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch10_26 {

namespace {

// The four tables in the order of the concatenation, with the row each event reads from them.
std::array<const Matrix*, 4> tables_of(const FeatureWeights& weights) {
  return {&weights.item, &weights.category, &weights.gap, &weights.engagement};
}
std::array<Matrix*, 4> tables_of(FeatureWeights& weights) {
  return {&weights.item, &weights.category, &weights.gap, &weights.engagement};
}
std::array<const std::vector<int>*, 4> rows_of(const Events& events) {
  return {&events.item, &events.category, &events.gap_bucket, &events.engagement};
}

// X: (n, d_item + d_category + d_gap + d_engagement), one concatenation per event.
Matrix concatenated(const FeatureWeights& weights, const Events& events) {
  const auto tables = tables_of(weights);
  const auto rows = rows_of(events);
  const std::size_t n = events.item.size();
  Matrix x = Matrix::from_shape({n, weights.w.shape(0)});
  std::size_t column = 0;
  for (std::size_t f = 0; f < 4; ++f) {
    const std::size_t width = tables[f]->shape(1);
    for (std::size_t e = 0; e < n; ++e)
      xt::view(x, e, xt::range(column, column + width)) = xt::row(*tables[f], std::size_t((*rows[f])[e]));
    column += width;
  }
  return x;
}

}  // namespace

std::vector<int> gap_buckets(const std::vector<double>& minutes) {
  std::vector<int> buckets;
  for (const double m : minutes) buckets.push_back(std::min(7, int(std::floor(std::log2(1 + m)))));
  return buckets;
}

Matrix project_features(const FeatureWeights& weights, const Events& events) {
  return xt::linalg::dot(concatenated(weights, events), weights.w) + weights.b;
}

FeatureWeights project_features_backward(const FeatureWeights& weights, const Events& events, const Matrix& dy) {
  FeatureWeights g;
  const auto tables = tables_of(weights);
  auto grads = tables_of(g);
  for (std::size_t f = 0; f < 4; ++f) *grads[f] = xt::zeros<double>(tables[f]->shape());
  g.w = xt::linalg::dot(xt::transpose(concatenated(weights, events)), dy);
  g.b = xt::sum(dy, {0});
  const Matrix dx = xt::linalg::dot(dy, xt::transpose(weights.w));
  const auto rows = rows_of(events);
  std::size_t column = 0;
  for (std::size_t f = 0; f < 4; ++f) {
    const std::size_t width = tables[f]->shape(1);
    for (std::size_t e = 0; e < dx.shape(0); ++e)
      xt::row(*grads[f], std::size_t((*rows[f])[e])) += xt::view(dx, e, xt::range(column, column + width));
    column += width;
  }
  return g;
}

Matrix time_encoding(const std::vector<double>& times, std::size_t d) {
  Matrix out = Matrix::from_shape({times.size(), d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double frequency = std::pow(10000.0, -double(2 * i) / double(d));
    for (std::size_t e = 0; e < times.size(); ++e) {
      out(e, 2 * i) = std::sin(times[e] * frequency);
      out(e, 2 * i + 1) = std::cos(times[e] * frequency);
    }
  }
  return out;
}

}  // namespace ch10_26
