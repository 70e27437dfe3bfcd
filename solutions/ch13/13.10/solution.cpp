// Reference solution for ch13/13.10: the online softmax of FlashAttention, one tile of keys at a time.

#include "ch13/13.10/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch13_10 {

namespace {
constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
}

xt::xtensor<double, 2> tile_scores(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k_tile, double scale) {
  xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k_tile));
  scores *= scale;
  return scores;
}

RowState absorb_tile(const RowState& state, const xt::xtensor<double, 2>& scores, const xt::xtensor<double, 2>& v_tile) {
  RowState next = state;
  const std::size_t d_v = v_tile.shape(1);
  for (std::size_t i = 0; i < scores.shape(0); ++i) {
    double new_max = state.max(i);
    for (std::size_t j = 0; j < scores.shape(1); ++j) new_max = std::max(new_max, scores(i, j));
    if (new_max == minus_infinity) continue;  // every key of this row masked so far: nothing to add
    // What was summed against the old maximum is rescaled to the new one: exp(s - m_old) exp(m_old - m_new).
    const double rescale = std::exp(state.max(i) - new_max);
    next.max(i) = new_max;
    next.sum(i) = state.sum(i) * rescale;
    for (std::size_t c = 0; c < d_v; ++c) next.acc(i, c) = state.acc(i, c) * rescale;
    for (std::size_t j = 0; j < scores.shape(1); ++j) {
      const double weight = std::exp(scores(i, j) - new_max);
      next.sum(i) += weight;
      for (std::size_t c = 0; c < d_v; ++c) next.acc(i, c) += weight * v_tile(j, c);
    }
  }
  return next;
}

xt::xtensor<double, 2> finish(const RowState& state) {
  xt::xtensor<double, 2> out = state.acc;
  for (std::size_t i = 0; i < out.shape(0); ++i) xt::row(out, i) /= state.sum(i);
  return out;
}

}  // namespace ch13_10
