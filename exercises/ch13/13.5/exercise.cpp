// 13.5: causal masking lets one forward pass stand for n autoregressive steps. The oracle is
// workbook::oracle::self_attention / attention_weights with causal = true (plain loops, query i over keys 0..i).
// The equivalence itself is checked on the student's layer: row t of one pass over the whole sequence equals
// the last row of a pass over the prefix x_1..x_t, and changing tokens after t leaves rows 0..t unchanged.
// Counts (d): unmasked pairs n(n+1)/2; scores of n separate prefix passes sum_t t^2 = n(n+1)(2n+1)/6.
//
// Tolerance: tolerance::float_computation for the weights; the outputs within 1e-5 relative plus 1e-5 of their
// largest entry (tolerance::float_at_scale). A float implementation passes (alternatives/float.patch, 60 seeds).

#include "ch13/13.5/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
constexpr auto tolerance = workbook::tolerance::float_computation;
constexpr std::int64_t long_n = 1024;

using Weights = workbook::oracle::HeadWeights;

double scale(const Weights& w) { return 1 / std::sqrt(double(w.k.shape(1))); }

Matrix first_rows(const Matrix& m, std::size_t rows) {
  Matrix out = Matrix::from_shape({rows, m.shape(1)});
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < m.shape(1); ++c) out(i, c) = m(i, c);
  return out;
}

CheckResult output_matches(const Matrix& x, const Weights& w) {
  const xt::xarray<double> expected = workbook::oracle::self_attention(x, w.q, w.k, w.v, true);
  return workbook::close(ch13_5::causal_self_attention(x, w.q, w.k, w.v), expected, workbook::tolerance::float_at_scale(expected));
}

// Row t of one pass over x against the last row of a pass over the prefix x_0..x_t, for every t.
CheckResult prefixes_match(const Matrix& x, const Weights& w) {
  const Matrix whole = ch13_5::causal_self_attention(x, w.q, w.k, w.v);
  Matrix one_at_a_time = xt::zeros<double>(whole.shape());
  for (std::size_t t = 0; t < x.shape(0); ++t) {
    const Matrix prefix = ch13_5::causal_self_attention(first_rows(x, t + 1), w.q, w.k, w.v);
    if (prefix.shape(0) != t + 1 || prefix.shape(1) != whole.shape(1))
      return workbook::holds(false, nullptr, "a prefix of " + std::to_string(t + 1) + " tokens gave an output of the wrong shape");
    for (std::size_t c = 0; c < prefix.shape(1); ++c) one_at_a_time(t, c) = prefix(t, c);
  }
  const xt::xarray<double> expected = one_at_a_time;
  return workbook::close(whole, expected, workbook::tolerance::float_at_scale(expected));
}

// Rows 0..t of the output (and of the weights) when every token after t is replaced by another.
bool future_ignored(const Matrix& x, const Matrix& changed, std::size_t t, const Weights& w) {
  const auto keep = [&](const xt::xtensor<double, 2>& m) { return first_rows(m, t + 1); };
  const xt::xarray<double> before = keep(ch13_5::causal_self_attention(x, w.q, w.k, w.v));
  const bool outputs = workbook::close(keep(ch13_5::causal_self_attention(changed, w.q, w.k, w.v)), before,
                                       workbook::tolerance::float_at_scale(before)).status == workbook::Status::pass;
  const bool weights = workbook::close(keep(ch13_5::causal_attention_weights(changed, w.q, w.k)),
                                       keep(ch13_5::causal_attention_weights(x, w.q, w.k)), tolerance).status == workbook::Status::pass;
  return outputs && weights;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, "Implement causal_attention_weights and causal_self_attention.")
      .check("weights", CheckKind::close, "the weights for a random 10 x 6 input, d_k = 4, against plain-loop causal attention weights",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-weights");
               const auto w = workbook::oracle::random_head_weights(6, 4, 3, rng);
               const auto x = workbook::oracle::gaussian_matrix(10, 6, rng);
               return workbook::close(ch13_5::causal_attention_weights(x, w.q, w.k),
                                      workbook::oracle::attention_weights(workbook::oracle::matmul(x, w.q),
                                                                          workbook::oracle::matmul(x, w.k), scale(w), true),
                                      tolerance);
             })
      .check("output", CheckKind::close, "the output for a random 10 x 6 input, d_k = 4, d_v = 3, against plain-loop causal attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-output");
               const auto w = workbook::oracle::random_head_weights(6, 4, 3, rng);
               return output_matches(workbook::oracle::gaussian_matrix(10, 6, rng), w);
             })
      .check("large scores", CheckKind::close,
             "an 8 x 4 input with entries of spread 6 (scores spread over several tens), against plain-loop causal attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-large");
               const auto w = workbook::oracle::random_head_weights(4, 4, 4, rng);
               return output_matches(workbook::oracle::gaussian_matrix(8, 4, rng, 6.0), w);
             })
      .check("one token", CheckKind::close, "a sequence of a single token, against plain-loop causal attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-one");
               const auto w = workbook::oracle::random_head_weights(5, 3, 2, rng);
               return output_matches(workbook::oracle::gaussian_matrix(1, 5, rng), w);
             })
      .hint("Mask before the softmax (a score of -infinity gets weight exactly 0), not after it: zeroing weights "
            "after the softmax leaves rows that no longer sum to 1.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show, on your layer, that one pass over the whole sequence gives at every position t exactly
what a pass over the prefix x_1..x_t alone gives at its last position: the n outputs a model needs for n
next-token predictions come out of a single pass.)")
      .check("n=16", CheckKind::close,
             "a random 16 x 8 input: row t of one pass against the last row of a pass over the first t + 1 tokens, "
             "for every t (17 calls)",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-16");
               const auto w = workbook::oracle::random_head_weights(8, 4, 5, rng);
               return prefixes_match(workbook::oracle::gaussian_matrix(16, 8, rng), w);
             })
      .check("any n", CheckKind::property,
             "for random 1 <= n <= 10 and 1 <= d_model, d_k, d_v <= 6, every row of one pass equals the last row of the "
             "pass over its prefix",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-any"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 11);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_k = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 7);
                 auto rng = workbook::oracle::property_rng();
                 const auto w = workbook::oracle::random_head_weights(d, d_k, d_v, rng);
                 RC_ASSERT(prefixes_match(workbook::oracle::gaussian_matrix(n, d, rng), w).status == workbook::Status::pass);
               }, {40, 100});
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Show that the output at position t cannot see the future: replacing any of the tokens after t
leaves rows 0..t of the weights and of the output unchanged.)")
      .check("future changed", CheckKind::property,
             "for random 2 <= n <= 12, a random t < n - 1 and every token after t replaced by a fresh random one, rows "
             "0..t of the weights and of the output stay the same",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-future"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(2, 13);
                 const auto t = *rc::gen::inRange<std::size_t>(0, n - 1);
                 auto rng = workbook::oracle::property_rng();
                 const auto w = workbook::oracle::random_head_weights(6, 4, 3, rng);
                 const auto x = workbook::oracle::gaussian_matrix(n, 6, rng);
                 Matrix changed = x;
                 const auto fresh = workbook::oracle::gaussian_matrix(n, 6, rng, 3.0);
                 for (std::size_t i = t + 1; i < n; ++i)
                   for (std::size_t c = 0; c < 6; ++c) changed(i, c) = fresh(i, c);
                 RC_ASSERT(future_ignored(x, changed, t, w));
               }, {50, 100});
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Explain why the causal mask allows a whole sequence to be trained in one forward pass although
the model generates text one token at a time. Then count, for a sequence of n = 1024 tokens: the (query, key)
pairs that the mask leaves open in one causal pass; and the score-matrix entries computed if, instead, every
prefix x_1..x_t (t = 1..n) were run as its own forward pass (a t x t score matrix each, every entry counted).)")
      .integer_answer("d_open_pairs", "unmasked (query, key) pairs in one causal pass over 1024 tokens", long_n * (long_n + 1) / 2)
      .integer_answer("d_prefix_scores", "score entries computed by 1024 separate prefix passes",
                      long_n * (long_n + 1) * (2 * long_n + 1) / 6)
      .choice_answer("d_future", "does the output at position t depend on any token after t?", {"yes", "no"}, "no")
      .choice_answer("d_unmasked_leak", "without the mask, could position t read token t + 1, the one it is trained to predict?",
                     {"yes", "no"}, "yes")
      .manual(2);
}

void plots(workbook::Exercise& ex) {
  ex.plot("weights", "The weights of your causal_attention_weights for a random 12-token input: zero above the diagonal",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot-weights");
            const auto w = workbook::oracle::random_head_weights(8, 4, 4, rng);
            return workbook::heatmap("Causal attention weights (rows: queries, columns: keys)", "key position",
                                     "query position", "weight",
                                     ch13_5::causal_attention_weights(workbook::oracle::gaussian_matrix(12, 8, rng), w.q, w.k));
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Causal masking: one training pass for every position";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(A language model generates autoregressively: token t + 1 is produced from tokens 1..t, then fed
back in. Training, though, runs the model once over a whole sequence and scores a next-token prediction at every
position. The causal mask is what makes the two agree: position t attends only to positions 1..t. Build one
causal attention head, show on it that a single pass over the sequence gives, position by position, what the
prefixes would give one at a time, and that no position can see its future (figure `weights`). Computing in float
is fine: the checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
