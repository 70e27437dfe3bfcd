// Reference solution for ch10/10.20: row entropies with 0 ln 0 = 0, their mean per head, and a threshold at half
// the largest possible entropy.

#include "ch10/10.20/interface.hpp"

#include <cmath>

namespace ch10_20 {

xt::xtensor<double, 1> row_entropy(const xt::xtensor<double, 2>& weights) {
  xt::xtensor<double, 1> h = xt::zeros<double>({weights.shape(0)});
  for (std::size_t r = 0; r < weights.shape(0); ++r)
    for (std::size_t j = 0; j < weights.shape(1); ++j) {
      const double a = weights(r, j);
      if (a > 0) h(r) -= a * std::log(a);  // a = 0 adds nothing: a ln a -> 0 as a -> 0
    }
  return h;
}

xt::xtensor<double, 2> head_entropy(const Attention& attention) {
  const std::size_t examples = attention.shape(0), layers = attention.shape(1), heads = attention.shape(2);
  const std::size_t queries = attention.shape(3), keys = attention.shape(4);
  xt::xtensor<double, 2> mean = xt::zeros<double>({layers, heads});
  for (std::size_t l = 0; l < layers; ++l)
    for (std::size_t h = 0; h < heads; ++h) {
      xt::xtensor<double, 2> rows = xt::xtensor<double, 2>::from_shape({examples * queries, keys});
      for (std::size_t e = 0; e < examples; ++e)
        for (std::size_t i = 0; i < queries; ++i)
          for (std::size_t j = 0; j < keys; ++j) rows(e * queries + i, j) = attention(e, l, h, i, j);
      mean(l, h) = xt::mean(row_entropy(rows))();
    }
  return mean;
}

// Half of ln n: a head is focused when its rows spread, on average, over fewer than about sqrt(n) keys
// (exp(H) is the number of keys a uniform row with the same entropy would cover).
HeadLabels classify_heads(const xt::xtensor<double, 2>& entropy, std::size_t n_keys) {
  HeadLabels out;
  out.threshold = 0.5 * std::log(double(n_keys));
  out.focused = xt::zeros<int>(entropy.shape());
  for (std::size_t l = 0; l < entropy.shape(0); ++l)
    for (std::size_t h = 0; h < entropy.shape(1); ++h) out.focused(l, h) = entropy(l, h) < out.threshold ? 1 : 0;
  return out;
}

}  // namespace ch10_20
