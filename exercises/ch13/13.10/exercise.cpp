// 13.10: attention tile by tile, exact with memory that does not grow as n^2. The student writes the three
// pieces of the online softmax (tile_scores, absorb_tile, finish); the checks run the loops over query blocks and
// key tiles, so that everything the algorithm holds between and within calls crosses the channel and is counted.
//
// Oracles: oracle::attention (naive attention by plain loops, double) for outputs; for one absorb_tile step, the
// direct statistics of every score seen so far (max, sum of exp(s - m), sum of exp(s - m) v), taken about the max
// the solution returned, as in 10.12 (softmax does not depend on which m is subtracted). Memory: the closed forms
// B_q B_k + B_q (d_v + 2) (tiled) and n^2 + n (d_v + 2) (naive: one tile holding everything), in numbers held.
//
// Tolerance: outputs are averages of value rows of order one, whose entries cancel to near zero; a float
// implementation leaves absolute errors of a few 1e-7 there (measured with alternatives/float.patch: see the
// notes), so the absolute floor is 1e-6 instead of float_computation's 1e-7; the relative part is the same 1e-5.
// Inputs with huge scores use integer entries and d_k = 16 (scale 1/4), so that the scores are exact in float.

#include "ch13/13.10/interface.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr workbook::Tolerance tolerance{workbook::tolerance::float_computation.rtol, 1e-6};
constexpr std::size_t memory_tile = 128, memory_width = 16;

// ---- the loops over tiles, run on the student's pieces ------------------------------------------------------

Matrix rows(const Matrix& m, std::size_t begin, std::size_t end) {
  Matrix out = Matrix::from_shape({end - begin, m.shape(1)});
  for (std::size_t r = begin; r < end; ++r)
    for (std::size_t c = 0; c < m.shape(1); ++c) out(r - begin, c) = m(r, c);
  return out;
}

ch13_10::RowState empty_state(std::size_t n_q, std::size_t d_v) {
  xt::xtensor<double, 1> max = xt::zeros<double>({n_q});
  max.fill(-inf);
  return {max, xt::zeros<double>({n_q}), xt::zeros<double>({n_q, d_v})};
}

void expect_shape(const xt::xtensor<double, 2>& m, std::size_t r, std::size_t c, const std::string& what) {
  if (m.shape(0) != r || m.shape(1) != c)
    throw std::runtime_error(what + " returned a " + std::to_string(m.shape(0)) + " x " + std::to_string(m.shape(1)) +
                             " matrix, expected " + std::to_string(r) + " x " + std::to_string(c));
}

void expect_state(const ch13_10::RowState& s, std::size_t n_q, std::size_t d_v) {
  if (s.max.size() != n_q || s.sum.size() != n_q) throw std::runtime_error("absorb_tile returned max or sum of the wrong length");
  expect_shape(s.acc, n_q, d_v, "absorb_tile (acc)");
}

struct Run {
  Matrix out;
  std::size_t peak = 0;  // the most numbers held at once beyond Q, K, V and the output: score tile + state
};

// softmax(q k^T * scale) v through the student's pieces: query blocks of bq rows, key tiles of bk rows.
Run run_tiles(const Matrix& q, const Matrix& k, const Matrix& v, double scale, std::size_t bq, std::size_t bk) {
  Run run{xt::zeros<double>({q.shape(0), v.shape(1)})};
  const std::size_t d_v = v.shape(1);
  for (std::size_t r0 = 0; r0 < q.shape(0); r0 += bq) {
    const std::size_t r1 = std::min(r0 + bq, q.shape(0));
    const Matrix q_block = rows(q, r0, r1);
    auto state = empty_state(r1 - r0, d_v);
    for (std::size_t c0 = 0; c0 < k.shape(0); c0 += bk) {
      const std::size_t c1 = std::min(c0 + bk, k.shape(0));
      const auto scores = ch13_10::tile_scores(q_block, rows(k, c0, c1), scale);
      expect_shape(scores, r1 - r0, c1 - c0, "tile_scores");
      state = ch13_10::absorb_tile(state, scores, rows(v, c0, c1));
      expect_state(state, r1 - r0, d_v);
      run.peak = std::max(run.peak, scores.size() + state.max.size() + state.sum.size() + state.acc.size());
    }
    const auto out = ch13_10::finish(state);
    expect_shape(out, r1 - r0, d_v, "finish");
    for (std::size_t r = r0; r < r1; ++r)
      for (std::size_t c = 0; c < d_v; ++c) run.out(r, c) = out(r - r0, c);
  }
  return run;
}

CheckResult tiled_matches(const Matrix& q, const Matrix& k, const Matrix& v, std::size_t bq, std::size_t bk) {
  const double scale = 1 / std::sqrt(double(q.shape(1)));
  return workbook::close(xt::xarray<double>(run_tiles(q, k, v, scale, bq, bk).out),
                         xt::xarray<double>(workbook::oracle::attention(q, k, v, scale)), tolerance);
}

// ---- one absorb_tile step against the direct statistics ------------------------------------------------------

// Columns side by side: [a | b] (rows of scores), and rows one after the other: [a ; b] (rows of values).
Matrix beside(const Matrix& a, const Matrix& b) {
  Matrix out = Matrix::from_shape({a.shape(0), a.shape(1) + b.shape(1)});
  for (std::size_t r = 0; r < a.shape(0); ++r) {
    for (std::size_t c = 0; c < a.shape(1); ++c) out(r, c) = a(r, c);
    for (std::size_t c = 0; c < b.shape(1); ++c) out(r, a.shape(1) + c) = b(r, c);
  }
  return out;
}
Matrix below(const Matrix& a, const Matrix& b) { return workbook::oracle::transpose(beside(workbook::oracle::transpose(a), workbook::oracle::transpose(b))); }

// Row i: [max, sum, acc...] of the scores s (n_q x T) and values v (T x d_v), taken about about[i] (a row whose
// scores are all -inf gives -inf, 0, 0).
Matrix direct_stats(const Matrix& s, const Matrix& v, const xt::xtensor<double, 1>& about) {
  Matrix out = xt::zeros<double>({s.shape(0), 2 + v.shape(1)});
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    double top = -inf;
    for (std::size_t j = 0; j < s.shape(1); ++j) top = std::max(top, s(i, j));
    out(i, 0) = top;
    if (top == -inf) continue;
    for (std::size_t j = 0; j < s.shape(1); ++j) {
      const double w = std::exp(s(i, j) - about(i));
      out(i, 1) += w;
      for (std::size_t c = 0; c < v.shape(1); ++c) out(i, 2 + c) += w * v(j, c);
    }
  }
  return out;
}

ch13_10::RowState state_of(const Matrix& s, const Matrix& v) {
  if (s.shape(1) == 0) return empty_state(s.shape(0), v.shape(1));
  xt::xtensor<double, 1> top = xt::zeros<double>({s.shape(0)});
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    top(i) = -inf;
    for (std::size_t j = 0; j < s.shape(1); ++j) top(i) = std::max(top(i), s(i, j));
  }
  const auto stats = direct_stats(s, v, top);
  ch13_10::RowState st{top, xt::zeros<double>({s.shape(0)}), xt::zeros<double>({s.shape(0), v.shape(1)})};
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    st.sum(i) = stats(i, 1);
    for (std::size_t c = 0; c < v.shape(1); ++c) st.acc(i, c) = stats(i, 2 + c);
  }
  return st;
}

// absorb_tile on the state of (s_before, v_before) and the tile (s_tile, v_tile), against the direct statistics
// of both together.
CheckResult absorb_matches(const Matrix& s_before, const Matrix& v_before, const Matrix& s_tile, const Matrix& v_tile) {
  const auto got = ch13_10::absorb_tile(state_of(s_before, v_before), s_tile, v_tile);
  expect_state(got, s_tile.shape(0), v_tile.shape(1));
  const auto expected = direct_stats(beside(s_before, s_tile), below(v_before, v_tile), got.max);
  Matrix actual = Matrix::from_shape(expected.shape());
  for (std::size_t i = 0; i < actual.shape(0); ++i) {
    actual(i, 0) = got.max(i), actual(i, 1) = got.sum(i);
    for (std::size_t c = 0; c + 2 < actual.shape(1); ++c) actual(i, 2 + c) = got.acc(i, c);
  }
  return workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected), tolerance);
}

CheckResult both(const CheckResult& first, const std::function<CheckResult()>& second) {
  return first.status == workbook::Status::pass ? second() : first;
}


// ---- the parts -------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, R"(Implement tile_scores: the scores of a block of queries against one tile of keys.)")
      .check("5 x 7", CheckKind::close, "5 queries against a tile of 7 keys (d_k = 4, scale 1/2) against the plain-loop q k^T / 2",
             [](const Context& ctx) {
               auto rng = ctx.rng("a");
               const auto q = workbook::oracle::gaussian_matrix(5, 4, rng), k = workbook::oracle::gaussian_matrix(7, 4, rng);
               return workbook::close(xt::xarray<double>(ch13_10::tile_scores(q, k, 0.5)),
                                      xt::xarray<double>(workbook::oracle::matmul(q, workbook::oracle::transpose(k)) * 0.5), tolerance);
             })
      .check("uneven norms", CheckKind::close,
             "queries of norms from 0 to about 60 (one row exactly zero) against keys of different norms, any scale (0.37), "
             "and a tile of a single key",
             [](const Context&) {
               const Matrix q = {{1e-3, 2e-3, 0}, {0, 0, 0}, {30, -20, 45}, {1, 1, 1}};
               const Matrix k = {{2, 0, -1}, {0.5, 0.5, 0.5}, {-10, 0, 4}};
               const auto r = workbook::close(xt::xarray<double>(ch13_10::tile_scores(q, k, 0.37)),
                                              xt::xarray<double>(workbook::oracle::matmul(q, workbook::oracle::transpose(k)) * 0.37), tolerance);
               const Matrix one = {{3, -1, 2}};
               return both(r, [&] {
                 return workbook::close(xt::xarray<double>(ch13_10::tile_scores(q, one, 1.0)),
                                        xt::xarray<double>(workbook::oracle::matmul(q, workbook::oracle::transpose(one))), tolerance);
               });
             });
}

// Fixed tiles for part (b): three query rows, value rows of width 2.
const Matrix v_before = {{1, -2}, {0.5, 0.25}, {-1, 3}};
const Matrix v_tile = {{2, 1}, {-0.5, -1.5}, {0, 4}, {1.5, -0.75}};
const Matrix s_before = {{1, 0.25, -0.5}, {0, 2, 1}, {-1, -2, 0.5}};

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, R"(Implement absorb_tile, the step of the online softmax: from the state of a block of
query rows and one new tile (its scores and its value rows), the state after both, without the earlier scores.)");
  b.check("first tile", CheckKind::close, "the empty state (max -inf, sum 0, acc 0) and a tile of 4 keys for 3 query rows",
          [](const Context&) {
            const Matrix none = Matrix::from_shape({3, 0}), no_values = Matrix::from_shape({0, 2});
            return absorb_matches(none, no_values, {{0.5, -1.25, 2, 0}, {3, 3, -1, 0.25}, {-2, -0.5, -0.75, -3}}, v_tile);
          });
  b.check("raises the max", CheckKind::close,
          "a tile whose largest score exceeds the running maximum in two of the three rows (sum and acc must be rescaled)",
          [](const Context&) { return absorb_matches(s_before, v_before, {{3, -0.5, 2.25, 0}, {1.5, 0.5, -1, 1.75}, {4, 0.5, 1, -3}}, v_tile); });
  b.check("keeps the max", CheckKind::close, "a tile whose scores all stay below the running maximum of every row",
          [](const Context&) { return absorb_matches(s_before, v_before, {{0.5, -1, 0, 0.75}, {1.5, -3, 1.25, 0}, {0, -0.5, 0.25, -4}}, v_tile); });
  b.check("ties the max", CheckKind::close, "a tile whose largest score equals the running maximum of each row",
          [](const Context&) { return absorb_matches(s_before, v_before, {{1, 1, 0, -1}, {2, 0, 2, 1}, {0.5, 0.5, 0.5, 0.5}}, v_tile); });
  b.check("masked keys", CheckKind::close,
          "tiles holding -inf scores: scattered, a whole row after finite scores, and rows masked from the start followed by a "
          "finite tile",
          [](const Context&) {
            const Matrix tile = {{-inf, 1.5, -inf, 0}, {-inf, -inf, -inf, -inf}, {2, -inf, 0.5, -inf}};
            const Matrix masked_before = {{-inf, -inf, -inf}, {0, 2, 1}, {-inf, -inf, -inf}};
            const Matrix masked_tile = {{-inf, -inf, -inf, -inf}, {-inf, 0.5, 3, -inf}, {0.25, -inf, -inf, 1}};
            return both(absorb_matches(s_before, v_before, tile, v_tile),
                        [&] { return absorb_matches(masked_before, v_before, masked_tile, v_tile); });
          });
  b.check("huge scores", CheckKind::close, "scores near +-1000, where exp overflows unless a maximum is subtracted",
          [](const Context&) {
            const Matrix before = {{1000, 999, 998.5}, {-1000, -999, -998}, {800, -800, 0}};
            return absorb_matches(before, v_before, {{1200, 1199.5, 0, -1000}, {-997, -1001, -998, -999}, {799.75, 801, -5, 0}}, v_tile);
          });
  b.hint("When a row's maximum rises from m to m', everything summed against m (sum and acc alike) is multiplied by exp(m - m').");
}

// Integer Q and K with entries up to +-40 and d_k = 16: scores in the thousands, exact in float.
CheckResult huge_scores_case(const Context& ctx) {
  auto rng = ctx.rng("c-huge");
  auto integers = [&](std::size_t n) {
    Matrix m = workbook::oracle::gaussian_matrix(n, 16, rng, 20);
    for (auto& x : m) x = std::clamp(std::round(x), -40.0, 40.0);
    return m;
  };
  const auto q = integers(30), k = integers(30);
  return tiled_matches(q, k, workbook::oracle::gaussian_matrix(30, 6, rng), 8, 8);
}

// Keys repeating every 5 rows (tied scores); query rows scaled by 1e-3 .. 30, and every sixth row zero.
CheckResult ties_and_zeros_case(const Context& ctx) {
  auto rng = ctx.rng("c-ties");
  Matrix q = workbook::oracle::gaussian_matrix(12, 4, rng), k = workbook::oracle::gaussian_matrix(12, 4, rng);
  const double norms[] = {1e-3, 0.1, 1, 5, 30, 0};
  for (std::size_t r = 0; r < 12; ++r)
    for (std::size_t j = 0; j < 4; ++j) q(r, j) *= norms[r % 6], k(r, j) = k(r % 5, j);
  return tiled_matches(q, k, workbook::oracle::gaussian_matrix(12, 3, rng), 3, 3);
}

// One case of the property: random sizes, 1-3 query blocks, 1-6 key tiles.
void random_sizes_case() {
  const auto n_q = *rc::gen::inRange<std::size_t>(1, 61), n_k = *rc::gen::inRange<std::size_t>(1, 61);
  const auto d_k = *rc::gen::inRange<std::size_t>(1, 11), d_v = *rc::gen::inRange<std::size_t>(1, 11);
  const auto blocks = *rc::gen::inRange<std::size_t>(1, 4), tiles = *rc::gen::inRange<std::size_t>(1, 7);
  const double spread = *rc::gen::element(0.01, 1.0, 5.0);
  auto rng = workbook::oracle::property_rng();
  using workbook::oracle::gaussian_matrix;
  const auto q = gaussian_matrix(n_q, d_k, rng, spread), k = gaussian_matrix(n_k, d_k, rng, spread);
  const auto v = gaussian_matrix(n_k, d_v, rng);
  RC_ASSERT(tiled_matches(q, k, v, (n_q + blocks - 1) / blocks, (n_k + tiles - 1) / tiles).status == workbook::Status::pass);
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 2, R"(Add finish. The checks then run your three pieces over query blocks and key tiles;
the result must equal naive attention within the stated tolerance, whatever the tile sizes.)");
  c.check("n = 64, tiles 16", CheckKind::close, "64 x 16 Q, K, V in query blocks and key tiles of 16, against naive attention",
          [](const Context& ctx) {
            auto rng = ctx.rng("c");
            const auto q = workbook::oracle::gaussian_matrix(64, 16, rng), k = workbook::oracle::gaussian_matrix(64, 16, rng);
            return tiled_matches(q, k, workbook::oracle::gaussian_matrix(64, 16, rng), 16, 16);
          });
  c.check("uneven tiles", CheckKind::close,
          "37 queries and 53 keys, d_k = 8 and d_v = 5, blocks of 10 queries and tiles of 7 keys (both ending short), and "
          "tiles of a single query and key on 9 tokens",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-uneven");
            using workbook::oracle::gaussian_matrix;
            const auto r = tiled_matches(gaussian_matrix(37, 8, rng), gaussian_matrix(53, 8, rng), gaussian_matrix(53, 5, rng), 10, 7);
            return both(r, [&] { return tiled_matches(gaussian_matrix(9, 4, rng), gaussian_matrix(9, 4, rng), gaussian_matrix(9, 3, rng), 1, 1); });
          });
  c.check("one tile", CheckKind::close, "tiles larger than the input (40 tokens, tiles of 64): naive attention itself",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-one");
            using workbook::oracle::gaussian_matrix;
            return tiled_matches(gaussian_matrix(40, 8, rng), gaussian_matrix(40, 8, rng), gaussian_matrix(40, 8, rng), 64, 64);
          });
  c.check("huge scores", CheckKind::close,
          "integer Q and K with entries up to +-40 (d_k = 16: scores in the thousands, exact in float), tiles of 8: no inf "
          "or NaN, the naive result",
          huge_scores_case);
  c.check("ties and zeros", CheckKind::close,
          "duplicated keys (tied scores), a query row of zeros (uniform weights) and rows of norms from 1e-3 to 30, tiles of 3",
          ties_and_zeros_case);
  c.check("any sizes", CheckKind::property,
          "for random 1..60 queries and keys, d_k and d_v in 1..10, 1 to 3 query blocks and 1 to 6 key tiles, entries of "
          "spread 0.01, 1 or 5: the tiled result equals naive attention",
          [](const Context& ctx) { return workbook::property(ctx.seed_for("c-property"), random_sizes_case, {40}); });
}

// ---- memory across n -----------------------------------------------------------------------------------------

std::vector<std::size_t> tiled_sizes(const Context& ctx) {
  if (ctx.full()) return {128, 256, 512, 1024, 2048, 4096, 8192};
  return {128, 256, 512, 1024, 2048};
}
std::vector<std::size_t> naive_sizes(const Context& ctx) {
  if (ctx.full()) return {128, 256, 512, 1024, 2048, 4096};
  return {128, 256, 512, 1024, 2048};
}

struct Inputs {
  Matrix q, k, v;
};
Inputs memory_inputs(const Context& ctx, std::size_t n) {
  auto rng = ctx.rng("d-" + std::to_string(n));
  using workbook::oracle::gaussian_matrix;
  return {gaussian_matrix(n, memory_width, rng), gaussian_matrix(n, memory_width, rng), gaussian_matrix(n, memory_width, rng)};
}
constexpr double memory_scale = 0.25;  // 1 / sqrt(16)

// The peak count of numbers held, run through the student's pieces: tiles of memory_tile, or one tile (naive).
std::size_t measured_peak(const Context& ctx, std::size_t n, bool naive) {
  const auto in = memory_inputs(ctx, n);
  const std::size_t tile = naive ? n : memory_tile;
  return run_tiles(in.q, in.k, in.v, memory_scale, tile, tile).peak;
}

double tiled_closed_form(std::size_t) { return double(memory_tile * memory_tile + memory_tile * (memory_width + 2)); }
double naive_closed_form(std::size_t n) { return double(n * n + n * (memory_width + 2)); }

CheckResult peaks_match(const Context& ctx, const std::vector<std::size_t>& sizes, bool naive) {
  xt::xarray<double> actual = xt::zeros<double>({sizes.size()}), expected = actual;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    actual(i) = double(measured_peak(ctx, sizes[i], naive));
    expected(i) = naive ? naive_closed_form(sizes[i]) : tiled_closed_form(sizes[i]);
  }
  return workbook::close(actual, expected, workbook::Precision::exact());
}

void part_d(workbook::Exercise& ex) {
  auto& d = ex.part("d", 2, R"(Measure the extra memory across n (d_k = d_v = 16): the tiled route with query blocks
and key tiles of 128, and the naive route, a single tile holding every query and key. The figure `memory` draws
both against n.)");
  d.check("outputs across n", CheckKind::close,
          "the tiled and the naive route at n = 128, 256, 512, 1024 against naive attention by plain loops",
          [](const Context& ctx) {
            for (std::size_t n : {128, 256, 512, 1024}) {
              const auto in = memory_inputs(ctx, n);
              const xt::xarray<double> expected = workbook::oracle::attention(in.q, in.k, in.v, memory_scale);
              for (std::size_t tile : {memory_tile, n}) {
                auto r = workbook::close(xt::xarray<double>(run_tiles(in.q, in.k, in.v, memory_scale, tile, tile).out), expected, tolerance);
                if (r.status != workbook::Status::pass) {
                  r.message = "n = " + std::to_string(n) + ", tiles of " + std::to_string(tile) + ": " + r.message;
                  return r;
                }
              }
            }
            return workbook::holds(true, "every n", "");
          });
  d.check("tiled memory", CheckKind::close,
          "numbers held at once by the tiled route (score tile + state) at n = 128, 256, ..., 2^11 (--full: to 2^13) against "
          "B_q B_k + B_q (d_v + 2)",
          [](const Context& ctx) { return peaks_match(ctx, tiled_sizes(ctx), false); });
  d.check("naive memory", CheckKind::close,
          "numbers held at once by the naive route at n = 128, 256, ..., 2^11 (--full: to 2^12) against n^2 + n (d_v + 2)",
          [](const Context& ctx) { return peaks_match(ctx, naive_sizes(ctx), true); });
}

workbook::Plot memory_plot(const Context& ctx) {
  workbook::Series tiled{"tiled, blocks and tiles of 128", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series naive{"naive, one n x n tile", {}, {}, workbook::Series::Style::linespoints};
  for (std::size_t n : tiled_sizes(ctx)) tiled.x.push_back(n), tiled.y.push_back(measured_peak(ctx, n, false) * 8 / 1024.0);
  for (std::size_t n : naive_sizes(ctx)) naive.x.push_back(n), naive.y.push_back(measured_peak(ctx, n, true) * 8 / 1024.0);
  auto plot = workbook::xy_plot("Extra memory of attention against sequence length (d = 16, 8-byte numbers)",
                                "sequence length n", "extra memory (KiB)", {naive, tiled});
  plot.logx = plot.logy = true;
  return plot;
}

// ---- by hand -------------------------------------------------------------------------------------------------

constexpr double long_context = 32768, head_dim = 128, block = 128;

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(Explain how the tiled computation can be exact while never holding the n x n matrix: what the
state carries from tile to tile, why rescaling by exp(m - m') makes the result independent of the order and size
of the tiles, and what the O(n) of the memory claim counts. Then put numbers to it for one head of one sequence of
n = 32768 tokens with d_k = d_v = 128: the naive score matrix in fp16 (2 bytes a number), in MiB, and the tiled
route's score tile and state for blocks and tiles of 128, in fp32 (4 bytes a number), in KiB. MiB = 2^20 bytes,
KiB = 2^10 bytes.)")
      .number_answer("e_naive_mib", "naive score matrix, n = 32768, fp16", [] { return long_context * long_context * 2 / (1 << 20); },
                     workbook::Precision::exact(), "MiB")
      .number_answer("e_tiled_kib", "score tile + state, blocks and tiles of 128, d_v = 128, fp32",
                     [] { return (block * block + block * (head_dim + 2)) * 4 / 1024; }, workbook::Precision::exact(), "KiB")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Tiled attention: exact, without the n x n matrix";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(Naive attention builds the whole n x n score matrix Q K^T / sqrt(d_k), takes a softmax along each
row and multiplies by V, so its extra memory grows as n^2. FlashAttention returns the same output while only ever
holding one tile of scores. A block of query rows carries a small state from one tile of keys to the next: for
each row, the largest score so far, the sum of exp(score - max) so far, and the matching weighted sum of value
rows. When a tile raises a row's maximum, the sum and the weighted sum collected so far are multiplied by
exp(old max - new max) before the tile's own terms are added; dividing at the end gives the softmax-weighted
average exactly.

You write the three pieces (tile_scores, absorb_tile, finish). The checks run the loops themselves, over blocks
of B_q query rows and, inside each, tiles of B_k keys, so what your code holds at once is exactly what passes
through these calls. Memory is counted, not sampled from the operating system: the extra memory of a run is the
largest number of values held at once beyond Q, K, V and the output, that is the score tile your tile_scores
returned plus the state your absorb_tile returned, counted from their shapes at 8 bytes a number. (A process's
resident memory depends on the allocator and the machine; this count is exact and the same everywhere. What your
absorb_tile allocates inside a call, at most the size of one tile, is not counted.) Naive attention is the same
loop with a single tile holding every query and every key. Computing in float is fine: outputs must equal naive
attention (plain loops in double) within 1e-5 relative plus 1e-6 absolute.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
  ex.plot("memory", "Extra memory (score tile + state, 8-byte numbers) of the tiled and the naive route against n, "
          "measured on your pieces (log-log)",
          memory_plot);
}
