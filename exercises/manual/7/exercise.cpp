// manual/7: without position information, self-attention is permutation equivariant. The oracle is
// workbook::oracle::self_attention (plain loops, max-subtracted softmax); the student's head is checked
// against it on inputs with a zero row, two equal rows (tied scores), rows of very different size and scores
// far beyond exp's range; the equivariance is a property over random sizes, weights, inputs and
// permutations; adding a sinusoidal encoding breaks it, shown by a computed counterexample.

#include "manual/7/interface.hpp"

#include <algorithm>
#include <cmath>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Permutation;

bool passes(const workbook::CheckResult& result) { return result.status == workbook::Status::pass; }

// Random weights of one head; the 1/sqrt(D) spread keeps the scores of order |x|^2 / sqrt(D).
manual_7::Weights random_weights(std::size_t d, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  const double spread = 1.0 / std::sqrt(double(d));
  return {workbook::oracle::gaussian_matrix(d, d_k, rng, spread), workbook::oracle::gaussian_matrix(d, d_k, rng, spread),
          workbook::oracle::gaussian_matrix(d, d_v, rng, spread)};
}

// Gaussian tokens, row n scaled by 10^u with u uniform in [-1/2, 1/2] (rows of different size, by up to a
// factor 10); with three rows or more, row 0 is zero (all its scores 0: uniform weights) and the last row
// repeats row 1 (tied keys).
Matrix adversarial_tokens(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  Matrix x = workbook::oracle::gaussian_matrix(n, d, rng);
  std::uniform_real_distribution<double> exponent(-0.5, 0.5);
  for (std::size_t r = 0; r < n; ++r) {
    const double scale = std::pow(10.0, exponent(rng));
    for (std::size_t c = 0; c < d; ++c) x(r, c) *= scale;
  }
  if (n >= 3)
    for (std::size_t c = 0; c < d; ++c) {
      x(0, c) = 0;
      x(n - 1, c) = x(1, c);
    }
  return x;
}

Matrix attention_oracle(const Matrix& x, const manual_7::Weights& w) {
  return workbook::oracle::self_attention(x, w.query, w.key, w.value);
}

// The sizes of the terms behind Y, for float_sums. V = X W_v has terms of size |X| |W_v|; Y mixes rows of V
// with weights that sum to 1, whose float error is about eps times the size of the scores' terms,
// S = |Q| |K|^T / sqrt(D_k). So Y is off by about eps |X| |W_v| (1 + S).
double attention_term_scale(const Matrix& x, const manual_7::Weights& w) {
  using workbook::oracle::matmul;
  const Matrix value_terms = matmul(xt::abs(x), xt::abs(w.value));
  const Matrix q = xt::abs(matmul(x, w.query)), k = xt::abs(matmul(x, w.key));
  const double score_terms = workbook::tolerance::largest_magnitude(matmul(q, workbook::oracle::transpose(k))) / std::sqrt(double(w.key.shape(1)));
  return workbook::tolerance::largest_magnitude(value_terms) * (1 + score_terms);
}

workbook::CheckResult against_oracle(const Matrix& x, const manual_7::Weights& w, workbook::Tolerance t) {
  const xt::xarray<double> expected = attention_oracle(x, w);
  return workbook::close(manual_7::self_attention(x, w), expected, t);
}

// Compares Y(X^pi) with Y(X)^pi, both from the student's self_attention.
workbook::CheckResult equivariant(const Matrix& x, const manual_7::Weights& w, const Permutation& pi) {
  const xt::xarray<double> expected = workbook::oracle::permute_rows(manual_7::self_attention(x, w), pi);
  return workbook::close(manual_7::self_attention(workbook::oracle::permute_rows(x, pi), w), expected,
                         workbook::tolerance::float_sums(attention_term_scale(x, w)));
}

// Tokens that make every score enormous but leave no doubt about the weights: row n is 60 e_n plus N(0, 1/4)
// noise (n < 5) and row 5 repeats row 4; with W_q = W_k = I (D = D_k = 8), row n's own score is about
// 3600 / sqrt(8) = 1270, far beyond exp's range (709), and every other score is at least 1000 below it,
// except the exact tie of rows 4 and 5 (weights 1/2 and 1/2, computed identically). The weights are thus
// one-hot (or halves) to double precision, and only the rounding of V is left: float_sums of |X| |W_v|.
struct LargeScores {
  Matrix x;
  manual_7::Weights w;
};
LargeScores large_scores(std::mt19937_64& rng) {
  Matrix x = workbook::oracle::gaussian_matrix(6, 8, rng, 0.5);
  for (std::size_t n = 0; n < 5; ++n) x(n, n) += 60;
  for (std::size_t c = 0; c < 8; ++c) x(5, c) = x(4, c);
  const Matrix identity = xt::eye<double>(8);
  return {x, {identity, identity, workbook::oracle::gaussian_matrix(8, 4, rng, 1 / std::sqrt(8.0))}};
}

// Largest |Y(X^pi + R) - Y(X + R)^pi| relative to the largest |Y(X + R)|, R the sinusoidal table.
double encoded_deviation(const Matrix& x, const manual_7::Weights& w, const Permutation& pi) {
  const Matrix r = workbook::oracle::sinusoidal_table(0, x.shape(0), x.shape(1), 10000.0);
  const Matrix moved_in = workbook::oracle::permute_rows(x, pi) + r, in = x + r;
  const Matrix moved = manual_7::self_attention(moved_in, w);
  const Matrix y = manual_7::self_attention(in, w);
  const Matrix expected = workbook::oracle::permute_rows(y, pi);
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    worst = std::max(worst, std::abs(moved.flat(i) - expected.flat(i)));
    scale = std::max(scale, std::abs(y.flat(i)));
  }
  return worst / scale;
}

// The sizes RapidCheck draws: N tokens of width D, head widths D_k and D_v.
struct Sizes {
  std::size_t n, d, d_k, d_v;
};
Sizes random_sizes() {
  return {*rc::gen::inRange<std::size_t>(1, 13), *rc::gen::inRange<std::size_t>(1, 9),
          *rc::gen::inRange<std::size_t>(1, 9), *rc::gen::inRange<std::size_t>(1, 9)};
}

void part_a(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& a = ex.part("a", 2, "Implement self_attention.");
  a.check("fixed", CheckKind::close,
          "Y for N = 6 tokens (a zero row, two equal rows, rows of different size), D = 5, D_k = 3, D_v = 4 "
          "against plain-loop attention, within float rounding of the terms",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-fixed");
            const auto x = adversarial_tokens(6, 5, rng);
            const auto w = random_weights(5, 3, 4, rng);
            return against_oracle(x, w, workbook::tolerance::float_sums(attention_term_scale(x, w)));
          });
  a.check("any size", CheckKind::property,
          "for random N <= 12 and D, D_k, D_v <= 8 and tokens as in the fixed check, Y against plain-loop "
          "attention, within float rounding of the terms",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const auto s = random_sizes();
              auto rng = workbook::oracle::property_rng();
              const auto x = adversarial_tokens(s.n, s.d, rng);
              const auto w = random_weights(s.d, s.d_k, s.d_v, rng);
              RC_ASSERT(passes(against_oracle(x, w, workbook::tolerance::float_sums(attention_term_scale(x, w)))));
            });
          });
  a.check("large scores", CheckKind::close,
          "Y for N = 6 nearly orthogonal tokens of length about 60 (the last two equal), W_q = W_k = I, "
          "D = D_k = 8, D_v = 4 (scores above 1000, beyond the range of exp) against plain-loop attention, "
          "within float rounding of the values",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-large");
            const auto in = large_scores(rng);
            return against_oracle(in.x, in.w, workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(workbook::oracle::matmul(xt::abs(in.x), xt::abs(in.w.value)))));
          });
  a.hint("Subtract each row's maximum score before exp; the row sums then never overflow.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, "Show Y(X^pi) = Y(X)^pi for every input, every set of weights and every permutation.")
      .check("any permutation", workbook::CheckKind::property,
             "for random sizes (N <= 12, D, D_k, D_v <= 8), tokens as in (a), Gaussian weights and a random "
             "permutation: Y(X^pi) against Y(X)^pi, within float rounding of the terms",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto s = random_sizes();
                 auto rng = workbook::oracle::property_rng();
                 const auto x = adversarial_tokens(s.n, s.d, rng);
                 const auto w = random_weights(s.d, s.d_k, s.d_v, rng);
                 RC_ASSERT(passes(equivariant(x, w, workbook::oracle::random_permutation(s.n, rng))));
               });
             })
      .hint("Write the reordering as a permutation matrix P and follow it through Q, K, V, the scores and the "
            "softmax.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 2, "Add the sinusoidal position vector r_n (length scale 10000) to row n before the head (D "
                   "even). Show that the outputs are no longer just reordered.")
      .check("counterexample", workbook::CheckKind::property,
             "a search over random X, weights (N = 6, D = 8, D_k = D_v = 4) and permutations other than the "
             "identity for one where Y(X^pi + R) and Y(X + R)^pi differ by more than 1e-3 of the largest entry",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-counterexample");
               for (int trial = 0; trial < 20; ++trial) {
                 const auto x = workbook::oracle::gaussian_matrix(6, 8, rng);
                 const auto w = random_weights(8, 4, 4, rng);
                 const auto pi = workbook::oracle::random_permutation(6, rng);
                 if (std::is_sorted(pi.begin(), pi.end())) continue;  // the identity moves nothing
                 const double deviation = encoded_deviation(x, w, pi);
                 if (deviation > 1e-3)
                   return workbook::holds(true, {{"permutation", pi}, {"relative deviation", deviation}}, "");
               }
               return workbook::holds(false, nullptr, "no permutation in 20 trials changed more than the order");
             });
  ex.part("c2", 1, "Now add one and the same vector c to every row instead of r_n. Is the output for the "
                   "reordered tokens still the reordered output?")
      .choice_answer("c_same_vector", "with the same c on every row, is Y(X^pi + 1 c^T) = Y(X + 1 c^T)^pi?",
                     {"yes", "no"}, "yes")
      .hint("Is X + 1 c^T, reordered, the same as X^pi + 1 c^T?");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention cannot see word order";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(One attention head maps N tokens (the rows of X, N x D) to Y = softmax(Q K^T / sqrt(D_k)) V, where Q = X W_q, K = X W_k, V = X W_v and the softmax acts on each row. Reorder the tokens with a permutation pi: X^pi has row n equal to row pi(n) of X. Show that, with nothing in X that marks positions, the head reorders its output in exactly the same way: Y(X^pi) = Y(X)^pi. Then add a position-dependent vector to each row and see the property fail. Implement self_attention; float arithmetic is accurate enough, but scores may be far larger than exp can take.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.part("d", 1, "Two sentences hold the same words in a different order. Without a position encoding, what "
                  "does a model built only from such layers see of the order? A classifier averages the "
                  "output vectors of such a stack over the tokens: can its prediction differ between the two "
                  "sentences?")
      .choice_answer("d_pooled_differs", "can the averaged prediction differ between the two orderings?",
                     {"yes", "no"}, "no")
      .manual();
}
