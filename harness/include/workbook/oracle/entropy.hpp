#pragma once
// Entropy of discrete distributions as its definition, in loops: H(a) = -sum_j a_j ln a_j (nats), with the term of
// an a_j = 0 taken as its limit, 0.

#include <cmath>
#include <cstddef>
#include <vector>

#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle {

// The entropy of row r of `weights`, in nats.
inline double row_entropy(const Matrix& weights, std::size_t r) {
  double h = 0;
  for (std::size_t j = 0; j < weights.shape(1); ++j) {
    const double a = weights(r, j);
    if (a != 0) h -= a * std::log(a);
  }
  return h;
}

// The entropy of every row of `weights` (rows, n): (rows).
inline Vector row_entropies(const Matrix& weights) {
  Vector h = Vector::from_shape({weights.shape(0)});
  for (std::size_t r = 0; r < weights.shape(0); ++r) h(r) = row_entropy(weights, r);
  return h;
}

// The bar a language model must clear to have learned more than letter frequencies: the mean cross-entropy (nats)
// of `test`'s tokens under the unigram model of `train` (token counts plus one, so no token has probability 0),
// over a vocabulary of `vocab` tokens.
inline double unigram_cross_entropy(const std::vector<int>& train, const std::vector<int>& test, std::size_t vocab) {
  std::vector<double> counts(vocab, 1.0);
  for (const int t : train) counts.at(std::size_t(t)) += 1;
  const double total = double(train.size() + vocab);
  double loss = 0;
  for (const int t : test) loss -= std::log(counts.at(std::size_t(t)) / total);
  return loss / double(test.size());
}

}  // namespace workbook::oracle
