// arch13/9: why a KV cache is exact only under the causal mask. The student writes a small stack of attention layers
// twice: recomputed over the whole sequence with a mask of either kind, and decoded one position at a time with a
// per-layer cache of keys and values (state crosses as an argument, docs/model.md rule 3). Expected values: the stack
// written with the plain-loop self-attention oracle (workbook/oracle/attention.hpp), its hidden states giving the
// cache's keys and values. Part (c) then runs the student's two routes against each other: identical under the
// causal mask, and, under the bidirectional one, different in exactly the rows the statement's argument predicts
// (with one layer every row but the newest; with two, every row). The typed counts of (d) are closed forms in n.
//
// Unlike ch10/10.15 (a cached attention step inside the library's GPT), the point here is the why: the seed's
// answer says the mask keeps the past keys and values fixed, but the first layer's keys and values are projections
// of each position's own input and never change under either mask; what the mask keeps fixed is every layer's
// output at earlier positions, hence the keys and values of every layer above the first.

#include "arch13/9/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_9::Mask;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Status;
using workbook::oracle::Matrix;
using Vector = xt::xtensor<double, 1>;

// ---- the stack, written with the oracle -----------------------------------------------------------------------

// Entries N(0, spread^2 / d) for the query and key projections, N(0, 1 / d) for the values: with spread 1 the
// scores are of order one (attention of some sharpness, for the checks against the oracle).
arch13_9::Stack random_stack(std::size_t layers, std::size_t d, std::mt19937_64& rng, double spread = 1) {
  arch13_9::Stack s{xt::zeros<double>({layers, d, d}), xt::zeros<double>({layers, d, d}),
                    xt::zeros<double>({layers, d, d})};
  const double unit = 1 / std::sqrt(double(d));
  for (std::size_t l = 0; l < layers; ++l)
    for (auto [w, sd] : {std::pair{&s.w_q, spread * unit}, std::pair{&s.w_k, spread * unit}, std::pair{&s.w_v, unit}})
      xt::view(*w, l, xt::all(), xt::all()) = workbook::oracle::gaussian_matrix(d, d, rng, sd);
  return s;
}

Matrix layer(const xt::xtensor<double, 3>& w, std::size_t l) { return xt::view(w, l, xt::all(), xt::all()); }

// h_0 = x, h_(l+1) = h_l + self-attention of h_l: every hidden state, h_0 to h_L.
std::vector<Matrix> oracle_states(const Matrix& x, const arch13_9::Stack& s, bool causal) {
  std::vector<Matrix> h{x};
  for (std::size_t l = 0; l < s.w_q.shape(0); ++l)
    h.push_back(h.back() +
                workbook::oracle::self_attention(h.back(), layer(s.w_q, l), layer(s.w_k, l), layer(s.w_v, l), causal));
  return h;
}

Matrix oracle_output(const Matrix& x, const arch13_9::Stack& s, bool causal) {
  return oracle_states(x, s, causal).back();
}

CheckResult close_to(const xt::xarray<double>& actual, const xt::xarray<double>& expected) {
  return workbook::close(actual, expected, workbook::tolerance::float_at_scale(expected));
}

bool passes(const CheckResult& r) { return r.status == Status::pass; }

// ---- the student's two routes ---------------------------------------------------------------------------------

Matrix student_recompute(const Matrix& x, const arch13_9::Stack& s, Mask mask) {
  auto out = arch13_9::recompute(x, s, mask);
  workbook::require_shape("recompute", out, {x.shape(0), x.shape(1)});
  return out;
}

struct Decoded {
  Matrix rows;               // row t: what append_token returned for position t
  arch13_9::KvCache cache;   // after the last position
};

// The rows of x appended one at a time, the cache carried from call to call starting empty.
Decoded decode(const Matrix& x, const arch13_9::Stack& s) {
  const std::size_t layers = s.w_q.shape(0), n = x.shape(0), d = x.shape(1);
  Decoded out{Matrix::from_shape({n, d}), {xt::zeros<double>({layers, std::size_t(0), d}),
                                           xt::zeros<double>({layers, std::size_t(0), d})}};
  for (std::size_t t = 0; t < n; ++t) {
    const Vector row = arch13_9::append_token(xt::row(x, t), s, out.cache);
    workbook::require_shape("append_token", row, {d});
    workbook::require_shape("append_token (cache.k)", out.cache.k, {layers, t + 1, d});
    workbook::require_shape("append_token (cache.v)", out.cache.v, {layers, t + 1, d});
    xt::row(out.rows, t) = row;
  }
  return out;
}

// What every layer's cache must hold after the whole of x: the keys and values of the causal stack's hidden states.
CheckResult cache_holds(const arch13_9::KvCache& cache, const Matrix& x, const arch13_9::Stack& s) {
  const auto h = oracle_states(x, s, true);
  xt::xtensor<double, 3> k = xt::zeros<double>(cache.k.shape()), v = k;
  for (std::size_t l = 0; l < s.w_q.shape(0); ++l) {
    xt::view(k, l, xt::all(), xt::all()) = workbook::oracle::matmul(h[l], layer(s.w_k, l));
    xt::view(v, l, xt::all(), xt::all()) = workbook::oracle::matmul(h[l], layer(s.w_v, l));
  }
  return close_to(xt::concatenate(xt::xtuple(xt::flatten(cache.k), xt::flatten(cache.v))),
                  xt::concatenate(xt::xtuple(xt::flatten(k), xt::flatten(v))));
}

struct Case {
  Matrix x;
  arch13_9::Stack stack;
};

Case draw_case(std::size_t layers, std::size_t n, std::size_t d, std::mt19937_64& rng, double spread = 1) {
  Matrix x = workbook::oracle::gaussian_matrix(n, d, rng);
  return {x, random_stack(layers, d, rng, spread)};
}

// Inside a property: 1 to 3 layers, 1 to 8 positions, d from 1 to 6.
Case random_case() {
  const auto layers = *rc::gen::inRange<std::size_t>(1, 4);
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  const auto d = *rc::gen::inRange<std::size_t>(1, 7);
  auto rng = workbook::oracle::property_rng();
  return draw_case(layers, n, d, rng);
}

// ---- which rows differ ----------------------------------------------------------------------------------------

// A row of the cached route "differs" from recomputation when some entry is off by more than 1e-3 of the largest
// entry: a hundred times the other checks' tolerance, and far below the change a new key brings to a row that sees
// it. For that, part (c)'s stack has flat attention (query and key spread 0.3: scores of about 0.1), so the new key
// takes about 1 / (i + 2) of row i's weight and moves the row by a fraction of a value vector. With scores of order
// one, a row may give the new key a weight of 1e-4 by chance and its change sinks below any safe threshold
// (measured: 9 seeds in 1000 had such a row).
std::vector<std::int64_t> differing_rows(const Matrix& cached, const Matrix& recomputed) {
  const double scale = workbook::tolerance::largest_magnitude(xt::xarray<double>(recomputed));
  std::vector<std::int64_t> out;
  for (std::size_t t = 0; t < cached.shape(0); ++t)
    out.push_back(xt::amax(xt::abs(xt::row(cached, t) - xt::row(recomputed, t)))() > 1e-3 * scale ? 1 : 0);
  return out;
}

// Rows of 8 positions, d = 8: the student's cached route against the student's recomputation under `mask`.
std::vector<std::int64_t> cached_against_recomputed(const Context& ctx, std::size_t layers, Mask mask) {
  auto rng = ctx.rng("c-" + std::to_string(layers));
  const auto c = draw_case(layers, 8, 8, rng, 0.3);
  return differing_rows(decode(c.x, c.stack).rows, student_recompute(c.x, c.stack, mask));
}

// The pattern found, shown without the predicted one: part (d) asks for counts the prediction would give away.
CheckResult rows_as_argued(const std::vector<std::int64_t>& found, const std::vector<std::int64_t>& predicted) {
  return workbook::holds(found == predicted, found,
                         "the rows where your two routes differ are not the rows the argument predicts");
}

// ---- parts ----------------------------------------------------------------------------------------------------

CheckResult recompute_check(const Context& ctx, std::string stream, std::size_t layers, std::size_t n, Mask mask) {
  auto rng = ctx.rng(stream);
  const auto c = draw_case(layers, n, 6, rng);
  return close_to(student_recompute(c.x, c.stack, mask), oracle_output(c.x, c.stack, mask == Mask::causal));
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Implement recompute: the stack over the whole sequence at once, with the mask it is given. The
checks compare your h_L with the stack written with plain-loop self-attention, within float's rounding (1e-5
relative, plus 1e-5 of the largest expected entry absolute).)")
      .check("causal, 1 layer", CheckKind::close, "6 positions, d = 6, one layer, causal mask",
             [](const Context& ctx) { return recompute_check(ctx, "a-causal-1", 1, 6, Mask::causal); })
      .check("bidirectional, 2 layers", CheckKind::close, "7 positions, d = 6, two layers, no mask",
             [](const Context& ctx) { return recompute_check(ctx, "a-bidir-2", 2, 7, Mask::bidirectional); })
      .check("causal, 3 layers", CheckKind::close, "5 positions, d = 6, three layers, causal mask",
             [](const Context& ctx) { return recompute_check(ctx, "a-causal-3", 3, 5, Mask::causal); })
      .check("any stack", CheckKind::property,
             "1 to 3 layers, 1 to 8 positions, d up to 6, both masks: h_L against the oracle's stack",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-any"), [] {
                 const auto c = random_case();
                 for (const Mask mask : {Mask::causal, Mask::bidirectional})
                   RC_ASSERT(passes(close_to(student_recompute(c.x, c.stack, mask),
                                             oracle_output(c.x, c.stack, mask == Mask::causal))));
               });
             })
      .hint("Feed each layer's output, residual included, to the next layer's projections; the mask only decides "
            "which scores of a row enter its softmax.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement append_token: one new position up the stack, each layer's cache extended by the new
key and value before the new query attends. The checks feed a sequence one position at a time from an empty cache and
compare what you return at each step with the matching row of the causal stack over the whole sequence, and the
cache you hand back with the keys and values of the causal stack's hidden states (same tolerance as (a)).)")
      .check("first position", CheckKind::close,
             "two layers, d = 5: one position into an empty cache, against the causal stack over that position alone",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-first");
               const auto c = draw_case(2, 1, 5, rng);
               return close_to(decode(c.x, c.stack).rows, oracle_output(c.x, c.stack, true));
             })
      .check("position by position", CheckKind::close,
             "two layers, d = 6, 7 positions appended one at a time: the 7 returned rows against the causal stack",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-steps");
               const auto c = draw_case(2, 7, 6, rng);
               return close_to(decode(c.x, c.stack).rows, oracle_output(c.x, c.stack, true));
             })
      .check("the cache", CheckKind::close,
             "after those 7 positions, every layer's cached keys and values against h_l w_k[l] and h_l w_v[l] of the "
             "causal stack (shapes first)",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-steps");
               const auto c = draw_case(2, 7, 6, rng);
               return cache_holds(decode(c.x, c.stack).cache, c.x, c.stack);
             })
      .check("any stack", CheckKind::property,
             "1 to 3 layers, 1 to 8 positions, d up to 6: the returned rows against the causal stack, and the cache",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-any"), [] {
                 const auto c = random_case();
                 const auto decoded = decode(c.x, c.stack);
                 RC_ASSERT(passes(close_to(decoded.rows, oracle_output(c.x, c.stack, true))));
                 RC_ASSERT(passes(cache_holds(decoded.cache, c.x, c.stack)));
               });
             })
      .hint("Layer l's key for the new position comes from the new row's h_l, the input of that layer, not from "
            "x_new.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Now run your two routes against each other on 8 positions (d = 8): append_token position by
position, and recompute over all 8 at once. A row "differs" when one of its entries is off by more than 1e-3 of the
largest entry. Under the causal mask the routes must agree on every row. Under the bidirectional mask, work out first
which rows must differ with one layer and with two, then let the checks compare your routes with your prediction.)")
      .check("causal: identical", CheckKind::property,
             "1 to 3 layers, 1 to 8 positions, d up to 6: your cached rows against your recompute under the causal "
             "mask, within float's rounding",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-causal"), [] {
                 const auto c = random_case();
                 RC_ASSERT(passes(close_to(decode(c.x, c.stack).rows, student_recompute(c.x, c.stack, Mask::causal))));
               });
             })
      .check("bidirectional, 1 layer", CheckKind::property,
             "one layer: which of the 8 rows of your cached route differ from your bidirectional recompute (shown as "
             "0 agree, 1 differs), against the pattern the argument predicts",
             [](const Context& ctx) {
               std::vector<std::int64_t> predicted(8, 1);
               predicted.back() = 0;  // the newest row sees every key on both routes, and layer 1's keys are exact
               return rows_as_argued(cached_against_recomputed(ctx, 1, Mask::bidirectional), predicted);
             })
      .check("bidirectional, 2 layers", CheckKind::property,
             "two layers: which of the 8 rows differ, against the pattern the argument predicts",
             [](const Context& ctx) {
               // every row: the newest one's layer-2 keys and values of earlier positions come from stale h_1 rows
               return rows_as_argued(cached_against_recomputed(ctx, 2, Mask::bidirectional),
                                     std::vector<std::int64_t>(8, 1));
             })
      .hint("Row i of a layer's output is a weighted mean over the keys row i sees. Which rows see the key that "
            "arrives last, under each mask? And what are the second layer's keys computed from?");
}

// n positions cached, one appended, a stack of two layers: how many of the n earlier rows change.
constexpr std::int64_t cached_positions = 7;

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Count, by hand. A stack of two layers has processed 7 positions; an 8th is appended, and everything
is recomputed over the 8. Of the 7 earlier positions, how many have a row that is not what it was over 7 positions:
in layer 1's output under the causal mask; in layer 1's output under the bidirectional mask; in layer 1's keys under
the bidirectional mask; in layer 2's keys under the bidirectional mask? Then: under the bidirectional mask, how many
of the 8 rows of h_L does the cached route get right with one layer, and with two? Exact integers.)")
      .integer_answer("d_causal_outputs", "layer 1 outputs changed, causal", 0)
      .integer_answer("d_bidirectional_outputs", "layer 1 outputs changed, bidirectional", cached_positions)
      .integer_answer("d_bidirectional_keys_1", "layer 1 keys changed, bidirectional", 0)
      .integer_answer("d_bidirectional_keys_2", "layer 2 keys changed, bidirectional", cached_positions)
      .integer_answer("d_right_one_layer", "rows the cache gets right, bidirectional, one layer", 1)
      .integer_answer("d_right_two_layers", "rows the cache gets right, bidirectional, two layers", 0)
      .hint("A key of layer l is a projection of one position's h_l row alone; h_0 is the input.");
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(Explain why the cache is exact under the causal mask and wrong without it: say what happens to
row i of a layer's output when position t + 1 arrives under each mask, and why that matters for the layers above. A
common short answer is "the mask keeps the past keys and values fixed"; say in which layer that is not what the mask
does, and what it does keep fixed. Finally: say what the cached route still gets right in a one-layer bidirectional
stack, if anything, and why that would not rescue a real encoder.)")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Why a KV cache needs the causal mask";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(When a model generates, each step appends one position and reads the top layer's output at that
position. A KV cache keeps, for every layer, the keys and values of the positions already processed, and computes
only the new position's row; recomputation runs the whole sequence through every layer again. The two agree only if
nothing the cache kept would have come out differently had it been recomputed. This exercise finds out when that
holds, on a small stack of single-head attention layers with residual connections given as data (interface.hpp):
you write both routes, check each against a plain computation, then compare them under the causal and the
bidirectional mask.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
}
