// 13.2: self-attention without positions is permutation-equivariant: permuting the rows of X permutes the rows
// of the output the same way. The oracle is workbook::oracle::self_attention (plain loops, one query row at a
// time); the equivariance itself is checked as a property on the student's function, over all six orders of
// three rows and over random sizes and permutations. Adding position codes breaks it: part (c) checks that on
// the student's function with a sinusoidal code.
//
// Tolerance: 1e-5 relative plus 1e-5 of the largest output entry (tolerance::float_at_scale): a float implementation
// passes (alternatives/float.patch, swept over 60 seeds).

#include "ch13/13.2/interface.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
using workbook::oracle::Permutation;

using Weights = workbook::oracle::HeadWeights;

// The inputs stacked into one batch (all of the same shape), so that one call answers them all.
xt::xtensor<double, 3> batch_of(const std::vector<Matrix>& xs) {
  xt::xtensor<double, 3> batch = xt::zeros<double>({xs.size(), xs[0].shape(0), xs[0].shape(1)});
  for (std::size_t b = 0; b < xs.size(); ++b)
    for (std::size_t i = 0; i < xs[b].shape(0); ++i)
      for (std::size_t c = 0; c < xs[b].shape(1); ++c) batch(b, i, c) = xs[b](i, c);
  return batch;
}

Matrix slice(const xt::xtensor<double, 3>& batch, std::size_t b) {
  Matrix m = Matrix::from_shape({batch.shape(1), batch.shape(2)});
  for (std::size_t i = 0; i < m.shape(0); ++i)
    for (std::size_t c = 0; c < m.shape(1); ++c) m(i, c) = batch(b, i, c);
  return m;
}

// The student's outputs for every input of the batch, one matrix each.
std::vector<Matrix> outputs(const std::vector<Matrix>& xs, const Weights& w) {
  const auto out = ch13_2::self_attention(batch_of(xs), w.q, w.k, w.v);
  if (out.shape(0) != xs.size()) throw std::runtime_error("self_attention returned a batch of the wrong size");
  std::vector<Matrix> each;
  for (std::size_t b = 0; b < xs.size(); ++b) each.push_back(slice(out, b));
  return each;
}

// The student's outputs against the oracle, input by input (all inputs in one call).
CheckResult matches_oracle(const std::vector<Matrix>& xs, const Weights& w) {
  const auto got = outputs(xs, w);
  xt::xtensor<double, 3> actual = batch_of(got), expected = actual;
  for (std::size_t b = 0; b < xs.size(); ++b) {
    const auto want = workbook::oracle::self_attention(xs[b], w.q, w.k, w.v);
    if (want.shape() != got[b].shape()) return workbook::holds(false, nullptr, "the output has the wrong shape");
    for (std::size_t i = 0; i < want.shape(0); ++i)
      for (std::size_t c = 0; c < want.shape(1); ++c) expected(b, i, c) = want(i, c);
  }
  const xt::xarray<double> want = expected;
  return workbook::close(xt::xarray<double>(actual), want, workbook::tolerance::float_at_scale(want));
}

std::vector<Permutation> all_permutations(std::size_t n) {
  Permutation p(n);
  std::iota(p.begin(), p.end(), 0);
  std::vector<Permutation> all;
  do all.push_back(p);
  while (std::next_permutation(p.begin(), p.end()));
  return all;
}

// Equivariance on the student's function: output(P X) against P output(X) for each permutation P, all in
// one call. Passes when every permuted output is the permuted output within the float tolerance.
CheckResult equivariant(const Matrix& x, const std::vector<Permutation>& perms, const Weights& w) {
  std::vector<Matrix> xs = {x};
  for (const auto& p : perms) xs.push_back(workbook::oracle::permute_rows(x, p));
  const auto out = outputs(xs, w);
  std::vector<Matrix> permuted_out, expected;
  for (std::size_t i = 0; i < perms.size(); ++i) {
    permuted_out.push_back(out[i + 1]);
    expected.push_back(workbook::oracle::permute_rows(out[0], perms[i]));
  }
  const xt::xarray<double> want = batch_of(expected);
  return workbook::close(xt::xarray<double>(batch_of(permuted_out)), want, workbook::tolerance::float_at_scale(want));
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, "Implement self_attention.")
      .check("random", CheckKind::close,
             "a batch of four 5 x 6 Gaussian inputs, d_k = 4, d_v = 3, against plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               const auto w = workbook::oracle::random_head_weights(6, 4, 3, rng);
               std::vector<Matrix> xs;
               for (int b = 0; b < 4; ++b) xs.push_back(workbook::oracle::gaussian_matrix(5, 6, rng));
               return matches_oracle(xs, w);
             })
      .check("large scores", CheckKind::close,
             "inputs with entries of spread 6, whose scores spread over several tens (near-one-hot rows), against "
             "plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-large");
               const auto w = workbook::oracle::random_head_weights(4, 4, 4, rng);
               return matches_oracle({workbook::oracle::gaussian_matrix(6, 4, rng, 6.0), workbook::oracle::gaussian_matrix(6, 4, rng, 6.0)}, w);
             })
      .check("equal rows", CheckKind::close,
             "an input whose rows are all the same (every score tied) and one with a row of zeros, against plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-ties");
               const auto w = workbook::oracle::random_head_weights(3, 2, 3, rng);
               Matrix same = {{0.5, -1, 2}, {0.5, -1, 2}, {0.5, -1, 2}, {0.5, -1, 2}};
               Matrix zero_row = {{0, 0, 0}, {1, 2, -1}, {-2, 0.5, 1}, {3, 1, 0}};
               return matches_oracle({same, zero_row}, w);
             })
      .hint("Store the row maxima and the row sums in containers before broadcasting them against the scores.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 2, R"(Show, on your self_attention, that the output rows follow the input rows: for 3 x 3 inputs
under every one of the six orders of their rows, and then for random sizes and permutations.)")
      .check("all six orders", CheckKind::property,
             "for random 3 x 3 inputs (entries of spread 0.1, 1 or 3) and random 3 x 3 weights, self_attention(P X) "
             "equals P self_attention(X) for all six permutation matrices P",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-six"), [] {
                 const double spread = *rc::gen::element(0.1, 1.0, 3.0);
                 auto rng = workbook::oracle::property_rng();
                 const auto w = workbook::oracle::random_head_weights(3, 3, 3, rng);
                 const auto x = workbook::oracle::gaussian_matrix(3, 3, rng, spread);
                 RC_ASSERT(equivariant(x, all_permutations(3), w).status == workbook::Status::pass);
               });
             })
      .check("any size", CheckKind::property,
             "for random 1 <= n <= 12, 1 <= d_model, d_k, d_v <= 6 and a random permutation P of the n rows, "
             "self_attention(P X) equals P self_attention(X)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-any"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 13);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_k = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 7);
                 auto rng = workbook::oracle::property_rng();
                 const auto w = workbook::oracle::random_head_weights(d, d_k, d_v, rng);
                 const auto x = workbook::oracle::gaussian_matrix(n, d, rng);
                 RC_ASSERT(equivariant(x, {workbook::oracle::random_permutation(n, rng)}, w).status == workbook::Status::pass);
               });
             });
}

// Part (b2)'s example: W_q = W_k = W_v = I, so Q = K = V = X and d_k = 3.
const Matrix example = {{1, 0, 1}, {0, 2, 0}, {1, 1, 0}};
const Permutation third_first = {2, 0, 1};  // rows x3, x1, x2
const Matrix identity3 = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

xt::xarray<double> example_output(const Matrix& x) {
  return xt::xarray<double>(workbook::oracle::self_attention(x, identity3, identity3, identity3));
}

void part_b2(workbook::Exercise& ex) {
  ex.part("b2", 2, R"(The demonstration with numbers. Take X = [[1, 0, 1], [0, 2, 0], [1, 1, 0]] and no projections
(W_q = W_k = W_v = I, so d_k = 3). Compute Y = self_attention(X), then the output for the input whose rows are
x3, x1, x2 in that order. Round every entry to 4 decimal places.)")
      .array_answer("b_y", "Y = self_attention(X), 3 x 3", {3, 3}, [] { return example_output(example); },
                    Precision::decimal_places(4))
      .array_answer("b_y_permuted", "self_attention of the input with rows x3, x1, x2, 3 x 3", {3, 3},
                    [] { return example_output(workbook::oracle::permute_rows(example, third_first)); },
                    Precision::decimal_places(4))
      .choice_answer("b_same_rows", "are the rows of the second output the rows of Y, reordered as 3, 1, 2?",
                     {"yes", "no"}, "yes");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 1, R"(Now add a position code to each row before attention: the input becomes X + E, where row i of
E is the sinusoidal code of position i. Show on your self_attention that reordering the tokens no longer just
reorders the output.)")
      .check("with positions", CheckKind::close,
             "for a random 3 x 4 X and E the sinusoidal code of positions 0, 1, 2 (d_model = 4), the largest entry of "
             "|self_attention(P X + E) - P self_attention(X + E)|, P swapping the first and last token, is at least 1e-3",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-positions");
               const auto w = workbook::oracle::random_head_weights(4, 4, 4, rng);
               const auto x = workbook::oracle::gaussian_matrix(3, 4, rng);
               const auto e = workbook::oracle::sinusoidal_table(0, 3, 4, 10000);
               const Permutation swap = {2, 1, 0};
               const auto out = outputs({Matrix(x + e), Matrix(workbook::oracle::permute_rows(x, swap) + e)}, w);
               const double gap = workbook::oracle::max_abs_difference(out[1], workbook::oracle::permute_rows(out[0], swap));
               return workbook::holds(gap >= 1e-3, gap, "the outputs still just permute: the position code made no difference");
             });
  ex.part("c2", 1, "With the position code added, is self-attention still permutation-equivariant in the tokens?")
      .choice_answer("c_equivariant", "equivariant with positions added?", {"yes", "no"}, "no");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention commutes with reordering the tokens";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric};
  ex.statement = R"(Self-attention compares every token with every other and mixes their values, but nothing in
softmax(Q K^T / sqrt(d_k)) V knows where a token sits. So if the rows of the input X are reordered by a permutation
matrix P (and no position code is added), the output should be the old output with its rows reordered by the
same P: f(P X) = P f(X). Check this on your own implementation, first with all orders of a 3 x 3 input and then
in general. Computing in float is fine: the checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_b2(ex);
  part_c(ex);
}
