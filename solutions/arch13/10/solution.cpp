// Reference solution for arch13/10. Each test compares two tables that agree, up to float's rounding, on a healthy
// model and on the two other bugs, and disagree on its own bug:
//   mask:      the training path's rows before `changed_from`, over `tokens` and over `altered`. A causal model's
//              row t sees tokens 0 .. t only, identical in both; only a model that looks ahead can tell them apart.
//   positions: the last row of the training path against the generation path's forward from scratch over the
//              same whole sequence. Same tokens, same positions, no cache, the last row sees everything under any
//              mask: only a difference in how the two paths apply positions can separate them.
//   cache:     cached generation against recomputed generation, row by row, but only in a causal model: without
//              the mask the two differ even with a perfect cache (the earlier rows a cache keeps would have changed).

#include "arch13/10/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace arch13_10 {

namespace {

using Table = xt::xtensor<double, 2>;

// Two computations of the same logits in float agree to about 1e-6 of their size; every bug moves them by far more
// than 1e-3 of it.
bool differ(const Table& a, const Table& b) {
  const double scale = std::max(1.0, double(xt::amax(xt::abs(b))()));
  return double(xt::amax(xt::abs(a - b))()) > 1e-3 * scale;
}

Table first_rows(const Table& t, std::size_t n) { return xt::view(t, xt::range(0, n), xt::all()); }
Table last_row(const Table& t) { return xt::view(t, xt::range(t.shape(0) - 1, t.shape(0)), xt::all()); }

}  // namespace

bool flags_missing_mask(const Observations& seen) {
  const auto unchanged = std::size_t(seen.changed_from);
  return differ(first_rows(seen.training, unchanged), first_rows(seen.training_altered, unchanged));
}

bool flags_position_mismatch(const Observations& seen) {
  return differ(last_row(seen.training), last_row(seen.generation_recomputed));
}

bool flags_broken_cache(const Observations& seen) {
  return !flags_missing_mask(seen) && differ(seen.generation_cached, seen.generation_recomputed);
}

}  // namespace arch13_10
