#pragma once
// Interface for ch13/13.10, attention computed tile by tile (the idea behind FlashAttention). Implement the
// three functions in namespace ch13_10. The checks run the loops over tiles themselves, calling these.

#include <xtensor/xtensor.hpp>

namespace ch13_10 {

// What a block of n_q query rows keeps about the keys it has seen so far, row by row:
//   max(i) = the largest score of row i so far (-infinity before the first tile),
//   sum(i) = sum over the keys so far of exp(score - max(i)),
//   acc(i, :) = sum over the keys so far of exp(score - max(i)) * (that key's value row).
// Before the first tile: max = -infinity, sum = 0, acc = 0. Shapes: (n_q), (n_q), (n_q, d_v).
struct RowState {
  xt::xtensor<double, 1> max;
  xt::xtensor<double, 1> sum;
  xt::xtensor<double, 2> acc;
};

// The scores of n_q queries (n_q x d_k) against one tile of t keys (t x d_k): q k_tile^T * scale, (n_q x t).
xt::xtensor<double, 2> tile_scores(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k_tile, double scale);

// One step: the state after the keys behind `state` and then one more tile, whose scores (n_q x t) and values
// (t x d_v) are given. A score of -infinity is a masked key and adds nothing; a row whose scores so far are all
// -infinity keeps max = -infinity, sum = 0, acc = 0.
RowState absorb_tile(const RowState& state, const xt::xtensor<double, 2>& scores, const xt::xtensor<double, 2>& v_tile);

// The attention output of the block, row i = acc(i, :) / sum(i), (n_q x d_v). Every sum is positive here.
xt::xtensor<double, 2> finish(const RowState& state);

}  // namespace ch13_10
