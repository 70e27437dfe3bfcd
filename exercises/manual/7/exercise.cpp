// manual/7: without position information, self-attention is permutation equivariant. The oracle is
// plain-loop attention (projections by hand, then workbook::oracle::attention); the equivariance is a
// property over random sizes, weights, inputs and permutations; adding a sinusoidal encoding breaks it,
// shown by a computed counterexample.

#include "manual/7/interface.hpp"

#include <algorithm>
#include <numeric>

#include "workbook/oracle_tokens.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using Permutation = std::vector<std::size_t>;

// Outputs that should agree exactly in real arithmetic differ only by summation order: ~1e-15 relative.
const workbook::Tolerance rounding{1e-9, 1e-12};

// Random weights of one head; the 1/sqrt(D) spread keeps the scores of order 1.
manual_7::Weights random_weights(std::size_t d, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  const double spread = 1.0 / std::sqrt(double(d));
  return {workbook::oracle::gaussian_matrix(d, d_k, rng, spread), workbook::oracle::gaussian_matrix(d, d_k, rng, spread),
          workbook::oracle::gaussian_matrix(d, d_v, rng, spread)};
}

// X W, entry by entry.
Matrix project(const Matrix& x, const xt::xtensor<double, 2>& w) {
  Matrix out(x.size(), workbook::oracle::Vector(w.shape(1), 0.0));
  for (std::size_t n = 0; n < x.size(); ++n)
    for (std::size_t c = 0; c < w.shape(1); ++c)
      for (std::size_t i = 0; i < w.shape(0); ++i) out[n][c] += x[n][i] * w(i, c);
  return out;
}

xt::xarray<double> attention_oracle(const xt::xtensor<double, 2>& x, const manual_7::Weights& w) {
  const auto rows = workbook::oracle::to_matrix(x);
  return workbook::oracle::to_array(workbook::oracle::attention(
      project(rows, w.query), project(rows, w.key), project(rows, w.value), 1.0 / std::sqrt(double(w.key.shape(1)))));
}

// X^pi: row n of the result is row pi(n) of x.
xt::xtensor<double, 2> permute_rows(const xt::xtensor<double, 2>& x, const Permutation& pi) {
  xt::xtensor<double, 2> out = xt::xtensor<double, 2>::from_shape(x.shape());
  for (std::size_t n = 0; n < pi.size(); ++n)
    for (std::size_t c = 0; c < x.shape(1); ++c) out(n, c) = x(pi[n], c);
  return out;
}

Permutation random_permutation(std::size_t n, std::mt19937_64& rng) {
  Permutation pi(n);
  std::iota(pi.begin(), pi.end(), std::size_t{0});
  std::shuffle(pi.begin(), pi.end(), rng);
  return pi;
}

// Compares Y(X^pi) with Y(X)^pi, both from the student's self_attention.
workbook::CheckResult equivariant(const xt::xtensor<double, 2>& x, const manual_7::Weights& w, const Permutation& pi) {
  return workbook::close(manual_7::self_attention(permute_rows(x, pi), w),
                         permute_rows(manual_7::self_attention(x, w), pi), rounding);
}

// X + R: the sinusoidal position vector r_n (length scale 10000) added to row n.
xt::xtensor<double, 2> with_positions(const xt::xtensor<double, 2>& x) {
  xt::xtensor<double, 2> out = x;
  for (std::size_t n = 0; n < x.shape(0); ++n) {
    const auto r = workbook::oracle::sinusoidal_position(double(n), x.shape(1), 10000.0);
    for (std::size_t c = 0; c < x.shape(1); ++c) out(n, c) += r[c];
  }
  return out;
}

// Largest |Y(X^pi + R) - Y(X + R)^pi| relative to the largest |Y(X + R)|.
double encoded_deviation(const xt::xtensor<double, 2>& x, const manual_7::Weights& w, const Permutation& pi) {
  const xt::xtensor<double, 2> moved = manual_7::self_attention(with_positions(permute_rows(x, pi)), w);
  const xt::xtensor<double, 2> y = manual_7::self_attention(with_positions(x), w);
  const xt::xtensor<double, 2> expected = permute_rows(y, pi);
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

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Self-attention cannot see word order";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement =
      "One attention head maps N tokens (the rows of X, N x D) to Y = softmax(Q K^T / sqrt(D_k)) V, where "
      "Q = X W_q, K = X W_k, V = X W_v and the softmax acts on each row. Reorder the tokens with a "
      "permutation pi: X^pi has row n equal to row pi(n) of X. Show that, with nothing in X that marks "
      "positions, the head reorders its output in exactly the same way: Y(X^pi) = Y(X)^pi. Then add a "
      "position-dependent vector to each row and see the property fail. Implement self_attention.";

  auto& a = ex.part("a", 2, "Implement self_attention.");
  a.check("fixed", CheckKind::close, "Y for N = 6 tokens, D = 5, D_k = 3, D_v = 4 against plain-loop attention",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-fixed");
            const auto x = workbook::oracle::gaussian_matrix(6, 5, rng);
            const auto w = random_weights(5, 3, 4, rng);
            return workbook::close(manual_7::self_attention(x, w), attention_oracle(x, w), rounding);
          });
  a.check("any size", CheckKind::property,
          "for random N <= 12 and D, D_k, D_v <= 8, Y matches plain-loop attention within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const auto s = random_sizes();
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              const auto x = workbook::oracle::gaussian_matrix(s.n, s.d, rng);
              const auto w = random_weights(s.d, s.d_k, s.d_v, rng);
              RC_ASSERT(workbook::close(manual_7::self_attention(x, w), attention_oracle(x, w), rounding).status ==
                        workbook::Status::pass);
            });
          });
  a.hint("Subtract each row's maximum score before exp; the row sums then never overflow.");

  ex.part("b", 3, "Show Y(X^pi) = Y(X)^pi for every input, every set of weights and every permutation.")
      .check("any permutation", CheckKind::property,
             "for random sizes (N <= 12, D, D_k, D_v <= 8), Gaussian X and weights and a random permutation, "
             "Y(X^pi) equals Y(X)^pi within 1e-9 relative",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto s = random_sizes();
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto x = workbook::oracle::gaussian_matrix(s.n, s.d, rng);
                 const auto w = random_weights(s.d, s.d_k, s.d_v, rng);
                 const auto pi = random_permutation(s.n, rng);
                 const auto check = equivariant(x, w, pi);
                 RC_ASSERT(check.status == workbook::Status::pass);
               });
             })
      .hint("Write the reordering as a permutation matrix P and follow it through Q, K, V, the scores and the "
            "softmax.");

  auto& c = ex.part("c", 2, "Add the sinusoidal position vector r_n to row n before the head (D even). Show that "
                            "the outputs are no longer just reordered, while adding the same vector to every "
                            "row changes nothing.");
  c.check("counterexample", CheckKind::property,
          "a search over random X, weights (N = 6, D = 8, D_k = D_v = 4) and permutations finds one where "
          "Y(X^pi + R) differs from Y(X + R)^pi by more than 1e-3 relative",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-counterexample");
            for (int trial = 0; trial < 20; ++trial) {
              const auto x = workbook::oracle::gaussian_matrix(6, 8, rng);
              const auto w = random_weights(8, 4, 4, rng);
              const auto pi = random_permutation(6, rng);
              if (std::is_sorted(pi.begin(), pi.end())) continue;  // the identity moves nothing
              const double deviation = encoded_deviation(x, w, pi);
              if (deviation > 1e-3)
                return workbook::holds(true, {{"permutation", pi}, {"relative deviation", deviation}}, "");
            }
            return workbook::holds(false, nullptr, "no permutation in 20 trials changed more than the order");
          });
  c.check("same shift", CheckKind::property,
          "for random sizes, X, weights, permutations and one vector c added to every row, "
          "Y(X^pi + 1 c^T) equals Y(X + 1 c^T)^pi within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-shift"), [] {
              const auto s = random_sizes();
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              auto x = workbook::oracle::gaussian_matrix(s.n, s.d, rng);
              const auto shift = workbook::oracle::gaussian_vector(s.d, rng);
              for (std::size_t n = 0; n < s.n; ++n)
                for (std::size_t i = 0; i < s.d; ++i) x(n, i) += shift(i);
              const auto check = equivariant(x, random_weights(s.d, s.d_k, s.d_v, rng), random_permutation(s.n, rng));
              RC_ASSERT(check.status == workbook::Status::pass);
            });
          });

  ex.part("d", 1, "Two sentences hold the same words in a different order. Without a position encoding, "
                  "does the output vector of a given word depend on where the word stands? What follows "
                  "for a model built only from such layers?")
      .choice_answer("d_depends", "does a word's output vector depend on its position?", {"yes", "no"}, "no")
      .manual();
}
