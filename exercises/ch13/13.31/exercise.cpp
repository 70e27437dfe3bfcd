// 13.31: pre-LN and post-LN are different functions of the same weights. The student constructs a small example
// (weights and an input); the checks run one layer (attention sub-layer, then feed-forward sub-layer) both ways with
// the formulas of workbook/oracle/residual_stack.hpp (residual::sublayer, Placement::pre_ln and post_ln) and require
// the outputs to differ by a stated margin: as they come out of the layer, and again after the final LayerNorm a
// pre-LN stack ends with (which an example with both branches switched off cannot pass). Part (b) types the case
// where they agree; part (c) explains.

#include "ch13/13.31/interface.hpp"

#include <cmath>
#include <string>

#include "workbook/exercise.hpp"
#include "workbook/oracle/residual_stack.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
namespace residual = workbook::oracle::residual;
using Matrix = xt::xtensor<double, 2>;

// The margin: the largest entry of |pre - post| must reach it. Entries of a LayerNorm's output are of order 1, so a
// difference of 0.1 is no rounding effect: it is a different function.
constexpr double margin = 0.1;

// The student's example, its shapes and sizes checked; throws (an error the check reports) when they do not fit.
struct Checked {
  Matrix x;
  residual::LayerWeights w;
};

void require_entries_in_range(const std::string& name, const Matrix& m) {
  for (double v : m)
    if (!std::isfinite(v) || std::abs(v) > 10)
      throw std::runtime_error("differing_example: an entry of " + name + " is not a finite number in [-10, 10]");
}

Checked checked_example() {
  const auto e = ch13_31::differing_example();
  if (e.x.dimension() != 2 || e.x.shape(0) < 1 || e.x.shape(0) > 8 || e.x.shape(1) < 2 || e.x.shape(1) > 16)
    throw std::runtime_error("differing_example: x must be (n, d) with 1 <= n <= 8 and 2 <= d <= 16");
  const std::size_t d = e.x.shape(1), d_ff = e.w_1.shape(1);
  if (d_ff < 1 || d_ff > 64) throw std::runtime_error("differing_example: d_ff must be between 1 and 64");
  workbook::require_shape("differing_example (w_q)", e.w_q, {d, d});
  workbook::require_shape("differing_example (w_k)", e.w_k, {d, d});
  workbook::require_shape("differing_example (w_v)", e.w_v, {d, d});
  workbook::require_shape("differing_example (w_o)", e.w_o, {d, d});
  workbook::require_shape("differing_example (w_1)", e.w_1, {d, d_ff});
  workbook::require_shape("differing_example (w_2)", e.w_2, {d_ff, d});
  for (const auto& [name, m] : {std::pair<std::string, const Matrix&>{"x", e.x}, {"w_q", e.w_q}, {"w_k", e.w_k},
                                {"w_v", e.w_v}, {"w_o", e.w_o}, {"w_1", e.w_1}, {"w_2", e.w_2}})
    require_entries_in_range(name, m);
  return {e.x, {e.w_q, e.w_k, e.w_v, e.w_o, e.w_1, e.w_2}};
}

// One layer, attention then feed-forward, each sub-layer in the given arrangement.
Matrix layer(const Checked& c, residual::Placement placement) {
  const Matrix after_attention = residual::sublayer(c.x, c.w, residual::Branch::attention, placement);
  return residual::sublayer(after_attention, c.w, residual::Branch::feed_forward, placement);
}

workbook::CheckResult outputs_differ(bool final_norm) {
  const Checked c = checked_example();
  Matrix pre = layer(c, residual::Placement::pre_ln);
  if (final_norm) pre = residual::layer_norm(pre);
  const Matrix post = layer(c, residual::Placement::post_ln);
  const double largest = xt::amax(xt::abs(pre - post))();
  return workbook::holds(largest >= margin, nlohmann::json{{"largest |pre - post|", largest}},
                         "the outputs must differ by at least " + std::to_string(margin) + " in some entry");
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Implement differing_example: choose sizes, weights and an input on which the two arrangements
give different outputs. The checks run the layer both ways and look at the largest entry of |pre-LN output - post-LN
output|, which must reach 0.1: once as the layer returns them, and once after the final LayerNorm that a pre-LN stack
applies to its output (a post-LN output is already normalised).)")
      .check("outputs differ", CheckKind::property,
             "one layer on your example, pre-LN against post-LN: some entry differs by at least the margin",
             [](const Context&) { return outputs_differ(false); })
      .check("differ after final norm", CheckKind::property,
             "the same with the pre-LN output passed through a final LayerNorm: some entry still differs by at least "
             "the margin",
             [](const Context&) { return outputs_differ(true); })
      .hint("Start from the smallest thing that could differ: with both branches switched off, what does each "
            "arrangement do to x? Then ask what switching the branches on changes after a final LayerNorm.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(When do they agree? Take W_O = 0 and W_2 = 0, so that both branches add nothing. For which inputs
do the two arrangements then give the same output? Give the mean and the variance (over its d features, dividing by d)
that every token must have, with this LayerNorm's eps = 1e-5 (the variance to 6 decimal places), and the number of
LayerNorms the residual stream itself passes through in one layer (attention and feed-forward sub-layers), pre-LN and
post-LN.)")
      .number_answer("b_mean", "a token's mean", [] { return 0.0; }, Precision::exact())
      .number_answer("b_variance", "a token's variance", [] { return 1.0 - 1e-5; }, Precision::decimal_places(6))
      .integer_answer("b_norms_pre", "LayerNorms on the residual stream in one pre-LN layer", 0)
      .integer_answer("b_norms_post", "LayerNorms on the residual stream in one post-LN layer", 2)
      .hint("With both branches off, pre-LN returns x unchanged. When is LN(x) = x, given that LN divides by "
            "sqrt(variance + eps)?");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Explain in a few lines why no choice of weights makes the two arrangements the same function in
general, and what your example shows about where the LayerNorm sits.)")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Pre-norm and post-norm are different functions of the same weights";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(A sub-layer with branch F (attention or feed-forward) can put its LayerNorm in two places:
pre-LN computes x + F(LN(x)), post-LN computes LN(x + F(x)). Both have the same weights, so it is tempting to think
they are two ways of writing one model. Settle it with a concrete counterexample: a layer small enough to follow by
hand (an attention sub-layer, then a feed-forward sub-layer, as the interface describes) on which they disagree.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
