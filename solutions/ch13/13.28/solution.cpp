// Reference solution for ch13/13.28: the scores of each row, a softmax with its maximum subtracted (the scores
// unscaled reach tens at d_k in the thousands), and the largest weight, which is the weight of the largest score.

#include "ch13/13.28/interface.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ch13_28 {

namespace {

// The largest weight of softmax(scores): exp(0) / sum_j exp(s_j - max s).
double largest_softmax_weight(const std::vector<double>& scores) {
  const double top = *std::max_element(scores.begin(), scores.end());
  double sum = 0;
  for (double s : scores) sum += std::exp(s - top);
  return 1.0 / sum;
}

std::vector<double> row_scores(const xt::xtensor<double, 2>& queries, const xt::xtensor<double, 3>& keys,
                               std::size_t r, double scale) {
  const std::size_t n_keys = keys.shape(1), d_k = keys.shape(2);
  std::vector<double> scores(n_keys, 0.0);
  for (std::size_t j = 0; j < n_keys; ++j) {
    for (std::size_t i = 0; i < d_k; ++i) scores[j] += queries(r, i) * keys(r, j, i);
    scores[j] *= scale;
  }
  return scores;
}

}  // namespace

xt::xtensor<double, 1> largest_weights(const xt::xtensor<double, 2>& queries, const xt::xtensor<double, 3>& keys,
                                       bool scaled) {
  const std::size_t rows = queries.shape(0), d_k = queries.shape(1);
  const double scale = scaled ? 1.0 / std::sqrt(double(d_k)) : 1.0;
  xt::xtensor<double, 1> out = xt::zeros<double>({rows});
  for (std::size_t r = 0; r < rows; ++r) out(r) = largest_softmax_weight(row_scores(queries, keys, r, scale));
  return out;
}

Sharpness mean_largest_weight(std::size_t d_k, std::size_t n_keys, std::size_t rows, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  xt::xtensor<double, 2> queries = xt::zeros<double>({rows, d_k});
  xt::xtensor<double, 3> keys = xt::zeros<double>({rows, n_keys, d_k});
  for (auto& v : queries) v = normal(rng);
  for (auto& v : keys) v = normal(rng);
  const xt::xtensor<double, 1> unscaled = largest_weights(queries, keys, false);
  const xt::xtensor<double, 1> scaled = largest_weights(queries, keys, true);
  Sharpness out;
  for (std::size_t r = 0; r < rows; ++r) out.unscaled += unscaled(r), out.scaled += scaled(r);
  out.unscaled /= double(rows), out.scaled /= double(rows);
  return out;
}

}  // namespace ch13_28
