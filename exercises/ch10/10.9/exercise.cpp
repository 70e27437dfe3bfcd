// 10.9: causal and prefix-LM masks. The masks' oracles are their definitions (allowed(i, j) as a boolean
// formula); the weights' oracle is the plain-loop row softmax of workbook/oracle/attention.hpp applied to
// scores + mask. The structure of (b) is a property on the student's masked_softmax: exact zeros where the mask
// is -inf, finite non-negative weights, rows summing to 1. Scores far larger than any finite "big negative"
// mask constant sit above the diagonal, so a mask written as -1e4 instead of -infinity is caught.
// Part (c)'s checkable core is computed on the student's code: with the causal mask, replacing the last token
// leaves every earlier output unchanged; without a mask, the earlier outputs move.

#include "ch10/10.9/interface.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
using Batch = xt::xtensor<double, 3>;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr auto tolerance = workbook::tolerance::float_computation;
// Masks hold only 0 and -infinity: compared exactly.
constexpr workbook::Tolerance exactly{0, 0};

// ---- The masks by definition ----

Matrix mask_from(std::size_t n, bool (*allowed)(std::size_t, std::size_t, std::size_t), std::size_t prefix) {
  Matrix m = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) m(i, j) = allowed(i, j, prefix) ? 0.0 : -inf;
  return m;
}
bool causal_allows(std::size_t i, std::size_t j, std::size_t) { return j <= i; }
bool prefix_allows(std::size_t i, std::size_t j, std::size_t prefix) { return j < prefix || (i >= prefix && j <= i); }
Matrix causal_definition(std::size_t n) { return mask_from(n, causal_allows, 0); }
Matrix prefix_definition(std::size_t n, std::size_t prefix) { return mask_from(n, prefix_allows, prefix); }

// ---- Weights ----

Batch batch_of(const std::vector<Matrix>& matrices) {
  const std::size_t n = matrices.front().shape(0);
  Batch b = Batch::from_shape({matrices.size(), n, n});
  for (std::size_t k = 0; k < matrices.size(); ++k) xt::view(b, k) = matrices[k];
  return b;
}

xt::xarray<double> oracle_weights(const Batch& scores, const Matrix& mask) {
  xt::xarray<double> out = xt::zeros<double>(scores.shape());
  for (std::size_t k = 0; k < scores.shape(0); ++k) {
    const Matrix s = xt::view(scores, k) + mask;
    xt::view(out, k) = workbook::oracle::softmax_rows(s);
  }
  return out;
}

CheckResult weights_match(const Batch& scores, const Matrix& mask) {
  return workbook::close(ch10_9::masked_softmax(scores, mask), oracle_weights(scores, mask), tolerance);
}

// Exact zeros where the mask is -inf, finite weights >= 0 elsewhere, every row summing to 1 (float tolerance).
bool structure_holds(const Batch& weights, const Matrix& mask, std::size_t batch) {
  const std::size_t n = mask.shape(0);
  if (weights.shape() != std::array<std::size_t, 3>{batch, n, n}) return false;
  for (std::size_t k = 0; k < batch; ++k)
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const double w = weights(k, i, j);
        if (mask(i, j) == -inf ? w != 0.0 : !(std::isfinite(w) && w >= 0)) return false;
        sum += w;
      }
      if (!(std::abs(sum - 1) <= tolerance.atol + tolerance.rtol)) return false;
    }
  return true;
}

// Scores N(0, spread^2) below and on the diagonal and `future` above it. Spreads above 100 are rounded to
// multiples of 1/8, exact in float: those cases are about overflow, not about rounding the input to float.
Matrix scores_with_future(std::size_t n, double spread, double future, std::mt19937_64& rng) {
  Matrix s = workbook::oracle::gaussian_matrix(n, n, rng, spread);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (j > i) s(i, j) = future;
      else if (spread > 100) s(i, j) = std::round(s(i, j) * 8) / 8;
    }
  return s;
}

// The student's masks for each (n, prefix length) against the definition; the first mismatch is reported.
// A prefix length of -1 asks for causal_mask(n).
// On success the first case is the one reported.
CheckResult masks_match(const std::vector<std::pair<std::size_t, int>>& cases) {
  std::optional<CheckResult> first;
  for (const auto& [n, prefix] : cases) {
    const bool causal = prefix < 0;
    auto result = causal ? workbook::close(ch10_9::causal_mask(n), causal_definition(n), exactly)
                         : workbook::close(ch10_9::prefix_lm_mask(n, prefix), prefix_definition(n, prefix), exactly);
    if (result.status != workbook::Status::pass) {
      result.message = "n = " + std::to_string(n) + (causal ? "" : ", prefix " + std::to_string(prefix)) + ": " +
                       result.message;
      return result;
    }
    if (!first) first = result;
  }
  return *first;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 1, R"(Write down the causal mask of a 4-token sequence, as a 4 x 4 matrix of 0 and -inf (row i is
query i, column j is key j).)")
      .array_answer("a", "the 4 x 4 causal mask (write -inf for minus infinity)", {4, 4},
                    [] { return xt::xarray<double>(causal_definition(4)); }, Precision::exact());
  ex.part("a2", 1, "Implement causal_mask for any length n.")
      .check("n = 1 .. 9", CheckKind::close, "causal_mask(n) for every n from 1 to 9, entry by entry against the "
             "definition of interface.hpp",
             [](const Context&) {
               std::vector<std::pair<std::size_t, int>> cases;
               for (std::size_t n = 9; n >= 1; --n) cases.push_back({n, -1});
               return masks_match(cases);
             });
}

void part_b1(workbook::Exercise& ex) {
  ex.part("b1", 2, R"(Implement masked_softmax, and check what the causal mask does to the weights: which
entries vanish, and what the rows add up to.)")
      .check("random scores", CheckKind::close, "5 random 7 x 7 score matrices under the causal mask against the "
             "row softmax of scores + mask",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-random");
               std::vector<Matrix> s;
               for (int k = 0; k < 5; ++k) s.push_back(workbook::oracle::gaussian_matrix(7, 7, rng));
               return weights_match(batch_of(s), causal_definition(7));
             })
      .check("huge future scores", CheckKind::close, "scores of 1e5 at every masked position (a finite 'large "
             "negative' mask would let them through) against the row softmax of scores + mask",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-huge");
               return weights_match(batch_of({scores_with_future(6, 1.0, 1e5, rng), scores_with_future(6, 3.0, 1e5, rng)}),
                                    causal_definition(6));
             })
      .check("ties", CheckKind::close, "all-zero scores (every allowed key tied) under the causal mask against "
             "the row softmax of scores + mask",
             [](const Context&) { return weights_match(batch_of({Matrix(xt::zeros<double>({5, 5}))}), causal_definition(5)); })
      .check("prefix mask", CheckKind::close, "random 6 x 6 scores under the prefix-LM mask with a 3-token prefix "
             "against the row softmax of scores + mask",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-prefix");
               return weights_match(batch_of({workbook::oracle::gaussian_matrix(6, 6, rng, 2.0)}), prefix_definition(6, 3));
             })
      .check("structure, any n", CheckKind::property,
             "for random lengths 1 .. 12, batches of 1 .. 3, score spreads from 1e-3 to 1e3 and masked scores up to "
             "1e5: weights exactly 0 wherever the mask holds -infinity, finite and non-negative elsewhere, each row summing "
             "to 1, and equal to the row softmax of scores + mask",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto batch = *rc::gen::inRange<std::size_t>(1, 4);
                 const double spread = *rc::gen::element(1e-3, 1.0, 10.0, 1e3);
                 const double future = *rc::gen::element(0.0, 1e3, 1e5, -1e5);
                 auto rng = workbook::oracle::property_rng();
                 std::vector<Matrix> s;
                 for (std::size_t k = 0; k < batch; ++k) s.push_back(scores_with_future(n, spread, future, rng));
                 const auto scores = batch_of(s);
                 RC_ASSERT(structure_holds(ch10_9::masked_softmax(scores, causal_definition(n)), causal_definition(n), batch));
                 RC_ASSERT(weights_match(scores, causal_definition(n)).status == workbook::Status::pass);
               });
             })
      .hint("exp(-inf) is exactly 0: add the mask before the softmax and subtract each row's maximum, which the "
            "-inf entries never are.");
}

void part_b2(workbook::Exercise& ex) {
  ex.part("b2", 1, R"(Describe the weight matrix of a 4-token causal layer for any finite scores: where are its
zeros, how many are there, and what is its first row whatever the scores?)")
      .choice_answer("b_zeros_where", "where are the weights exactly zero?",
                     {"above the diagonal (key after query)", "below the diagonal (key before query)", "on the diagonal",
                      "nowhere"},
                     "above the diagonal (key after query)")
      .integer_answer("b_zero_count", "how many of the 16 weights are exactly zero?", 6)
      .array_answer("b_first_row", "row 1 of the weights (query 1), whatever the scores", {4},
                    [] { return xt::xarray<double>{1, 0, 0, 0}; }, Precision::exact());
}

// Outputs W V of one attention head on tokens x (n x d), computed here from the student's weights, for the
// tokens as given and with the last token replaced: row k of `before` and `after`.
struct Outputs {
  Matrix before, after;
};

Outputs outputs_with_last_token_replaced(const Context& ctx, const Matrix& mask) {
  auto rng = ctx.rng("c-tokens");
  const std::size_t n = 6, d = 8;
  using workbook::oracle::matmul, workbook::oracle::transpose;
  const Matrix w_q = workbook::oracle::gaussian_matrix(d, d, rng, 1 / std::sqrt(double(d)));
  const Matrix w_k = workbook::oracle::gaussian_matrix(d, d, rng, 1 / std::sqrt(double(d)));
  const Matrix w_v = workbook::oracle::gaussian_matrix(d, d, rng, 1 / std::sqrt(double(d)));
  Matrix x = workbook::oracle::gaussian_matrix(n, d, rng);
  Matrix changed = x;
  xt::row(changed, n - 1) = workbook::oracle::gaussian_vector(d, rng, 3.0);
  std::vector<Matrix> scores, values;
  for (const Matrix& tokens : {x, changed}) {
    scores.push_back(matmul(matmul(tokens, w_q), transpose(matmul(tokens, w_k))) / std::sqrt(double(d)));
    values.push_back(matmul(tokens, w_v));
  }
  const Batch weights = ch10_9::masked_softmax(batch_of(scores), mask);
  workbook::require_shape("masked_softmax", weights, {2, n, n});
  const Matrix first = xt::view(weights, 0), second = xt::view(weights, 1);
  return {matmul(first, values[0]), matmul(second, values[1])};
}

Matrix all_but_last_row(const Matrix& m) { return xt::view(m, xt::range(0, m.shape(0) - 1), xt::all()); }

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(BERT attends in both directions and is trained to fill in masked tokens. Explain why such a
model cannot simply be run left to right to generate text, although its training objective is a kind of language
modelling. The checks run your masked_softmax inside one attention head on 6 tokens and replace the last token.)")
      .choice_answer("c_sees_future", "without a causal mask, can the output at position t change when a later token changes?",
                     {"yes", "no"}, "yes")
      .choice_answer("c_mlm_is_next_token", "does masked-LM training fit p(x_t | x_1 .. x_{t-1}), the factor a left-to-right generator samples from?",
                     {"yes", "no"}, "no")
      .check("causal: past unchanged", CheckKind::close, "with the causal mask, the outputs at positions 1 .. 5 "
             "after the last token is replaced against the outputs before",
             [](const Context& ctx) {
               const auto o = outputs_with_last_token_replaced(ctx, causal_definition(6));
               return workbook::close(all_but_last_row(o.after), all_but_last_row(o.before), tolerance);
             })
      .check("no mask: past moves", CheckKind::property, "with an all-zero mask (bidirectional), replacing the last "
             "token moves the outputs at positions 1 .. 5 by more than 1e-3",
             [](const Context& ctx) {
               const auto o = outputs_with_last_token_replaced(ctx, Matrix(xt::zeros<double>({6, 6})));
               const double moved = workbook::oracle::max_abs_difference(all_but_last_row(o.after), all_but_last_row(o.before));
               return workbook::holds(moved > 1e-3, moved, "the earlier outputs did not move: is the mask ignored, or "
                                                           "are the scores not used?");
             })
      .manual(2);
}

void part_d(workbook::Exercise& ex) {
  ex.part("d1", 1, R"(A prefix LM reads positions 1-3 as a bidirectional prefix and generates positions 4-6 causally.
Write its 6 x 6 mask (row i is query i, column j is key j).)")
      .array_answer("d", "the 6 x 6 prefix-LM mask (write -inf for minus infinity)", {6, 6},
                    [] { return xt::xarray<double>(prefix_definition(6, 3)); }, Precision::exact());
  ex.part("d2", 1, "Implement prefix_lm_mask for any length and prefix length.")
      .check("cases", CheckKind::close, "prefix_lm_mask(n, p) against the definition for (n, p) = (6, 3), (7, 1), "
             "(9, 5), (5, 0) (no prefix: the causal mask), (4, 4) (all prefix: no mask at all), (1, 0) and (1, 1)",
             [](const Context&) { return masks_match({{6, 3}, {7, 1}, {9, 5}, {5, 0}, {4, 4}, {1, 0}, {1, 1}}); });
}

void plots(workbook::Exercise& ex) {
  ex.plot("prefix-lm-weights", "Weights from your masked_softmax for random 6 x 6 scores under the prefix-LM mask "
          "(prefix 1-3, target 4-6)",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot");
            const Batch scores = batch_of({workbook::oracle::gaussian_matrix(6, 6, rng)});
            const Matrix weights = xt::view(ch10_9::masked_softmax(scores, prefix_definition(6, 3)), 0);
            return workbook::heatmap("Prefix-LM attention weights (prefix of 3)", "key position (from 0)",
                                     "query position (from 0)", "weight", weights);
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Causal and prefix-LM masks";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(A decoder must not let a position look at the tokens after it. Attention enforces this with
an additive mask: before the row-wise softmax, the entry for query i and key j receives 0 if the pair is allowed
and -infinity if it is not, so that its exponential, and with it the weight, is exactly zero. In the typed answers
positions are counted from 1 as in the text, and -infinity is written -inf; in code they are counted from 0.
Computing in float is fine: the checks allow for float's rounding, except that a masked weight must be exactly 0.)";
  part_a(ex);
  part_b1(ex);
  part_b2(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
