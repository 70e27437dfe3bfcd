// Reference solution for arch13/18. The mask is one condition in the score loop: hidden keys get -infinity, which
// the softmax turns into exactly 0. Removing the mask removes that condition and nothing else.

#include "arch13/18/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace arch13_18 {

Slabs attention_weights(const Slabs& q, const Slabs& k, bool causal) {
  const std::size_t slabs = q.shape(0), n = q.shape(1), d = q.shape(2);
  const double scale = 1.0 / std::sqrt(double(d));
  Slabs w = xt::zeros<double>({slabs, n, n});
  for (std::size_t s = 0; s < slabs; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      double largest = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < n; ++j) {
        double score = -std::numeric_limits<double>::infinity();
        if (!causal || j <= i) {
          score = 0;
          for (std::size_t c = 0; c < d; ++c) score += q(s, i, c) * k(s, j, c);
          score *= scale;
        }
        w(s, i, j) = score;
        largest = std::max(largest, score);
      }
      double total = 0;
      for (std::size_t j = 0; j < n; ++j) {
        w(s, i, j) = std::exp(w(s, i, j) - largest);
        total += w(s, i, j);
      }
      for (std::size_t j = 0; j < n; ++j) w(s, i, j) /= total;
    }
  }
  return w;
}

}  // namespace arch13_18
