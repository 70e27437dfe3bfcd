// Reference solution for ch10/10.9: masks built entry by entry, softmax with the row maximum subtracted.

#include "ch10/10.9/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ch10_9 {

namespace {
constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
}

xt::xtensor<double, 2> causal_mask(std::size_t n) {
  xt::xtensor<double, 2> mask = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) mask(i, j) = minus_infinity;  // key j comes after query i
  return mask;
}

xt::xtensor<double, 2> prefix_lm_mask(std::size_t n, std::size_t prefix_length) {
  xt::xtensor<double, 2> mask = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const bool key_in_prefix = j < prefix_length;
      const bool query_in_target = i >= prefix_length;
      if (!(key_in_prefix || (query_in_target && j <= i))) mask(i, j) = minus_infinity;
    }
  return mask;
}

xt::xtensor<double, 3> masked_softmax(const xt::xtensor<double, 3>& scores, const xt::xtensor<double, 2>& mask) {
  xt::xtensor<double, 3> weights = xt::zeros<double>(scores.shape());
  const std::size_t n = scores.shape(1), keys = scores.shape(2);
  for (std::size_t b = 0; b < scores.shape(0); ++b)
    for (std::size_t i = 0; i < n; ++i) {
      double top = minus_infinity;
      for (std::size_t j = 0; j < keys; ++j) top = std::max(top, scores(b, i, j) + mask(i, j));
      double sum = 0;
      for (std::size_t j = 0; j < keys; ++j) sum += weights(b, i, j) = std::exp(scores(b, i, j) + mask(i, j) - top);
      for (std::size_t j = 0; j < keys; ++j) weights(b, i, j) /= sum;
    }
  return weights;
}

}  // namespace ch10_9
