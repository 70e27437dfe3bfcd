// Reference solution for ch10/10.8: LayerNorm per token, and the two placements of a residual sub-layer.

#include "ch10/10.8/interface.hpp"

#include <cmath>

#include <xtensor/xview.hpp>

namespace ch10_8 {

namespace {
constexpr double epsilon = 1e-5;
}

Batch layer_norm(const Batch& x) {
  Batch y = xt::zeros<double>(x.shape());
  const std::size_t d = x.shape(2);
  for (std::size_t b = 0; b < x.shape(0); ++b)
    for (std::size_t t = 0; t < x.shape(1); ++t) {
      double mean = 0, variance = 0;
      for (std::size_t c = 0; c < d; ++c) mean += x(b, t, c);
      mean /= d;
      for (std::size_t c = 0; c < d; ++c) variance += (x(b, t, c) - mean) * (x(b, t, c) - mean);
      variance /= d;  // biased, as LayerNorm uses
      const double inverse_std = 1 / std::sqrt(variance + epsilon);
      for (std::size_t c = 0; c < d; ++c) y(b, t, c) = (x(b, t, c) - mean) * inverse_std;
    }
  return y;
}

Batch residual_sublayer(const Batch& x, const LayerWeights& w, Branch which, Placement placement) {
  Batch out = xt::zeros<double>(x.shape());
  if (placement == Placement::pre_ln) {
    // x + F(LN(x)): the residual stream itself is never normalised.
    const Batch normalised = layer_norm(x);
    for (std::size_t b = 0; b < x.shape(0); ++b) {
      const Tokens f = branch(xt::view(normalised, b), w, which);
      xt::view(out, b) = xt::view(x, b) + f;
    }
    return out;
  }
  // LN(x + F(x)): the sum of stream and branch is normalised.
  for (std::size_t b = 0; b < x.shape(0); ++b) {
    const Tokens f = branch(xt::view(x, b), w, which);
    xt::view(out, b) = xt::view(x, b) + f;
  }
  return layer_norm(out);
}

}  // namespace ch10_8
