// topic10/2.1: single-head scaled dot-product attention in xtensor. The oracle is the plain-loop
// attention of workbook/oracle.hpp (one query at a time, softmax with the maximum subtracted); the
// permutation properties need no oracle at all.

#include "topic10/2.1/interface.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include "workbook/oracle.hpp"

using workbook::oracle::gaussian_matrix;
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::Tolerance;
using Matrix2 = xt::xtensor<double, 2>;

// Same formula, different summation order (BLAS blocks vs. a plain loop): agreement to ~1e-15 relative.
const Tolerance rounding{1e-10, 1e-12};


xt::xarray<double> oracle_attention(const Matrix2& q, const Matrix2& k, const Matrix2& v) {
  using namespace workbook::oracle;
  return to_array(attention(to_matrix(q), to_matrix(k), to_matrix(v), 1.0 / std::sqrt(double(q.shape(1)))));
}

xt::xarray<double> oracle_weights(const Matrix2& q, const Matrix2& k) {
  using namespace workbook::oracle;
  const auto queries = to_matrix(q), keys = to_matrix(k);
  Matrix weights;
  for (const auto& query : queries) {
    Vector scores;
    for (const auto& key : keys) scores.push_back(dot(query, key) / std::sqrt(double(q.shape(1))));
    weights.push_back(softmax(scores));
  }
  return to_array(weights);
}

workbook::CheckResult matches_oracle(const Context& ctx, const std::string& stream, std::size_t n_q,
                                     std::size_t n_k, std::size_t d_k, std::size_t d_v, double sd) {
  auto rng = ctx.rng(stream);
  const auto q = gaussian_matrix(n_q, d_k, rng, sd), k = gaussian_matrix(n_k, d_k, rng, sd);
  const auto v = gaussian_matrix(n_k, d_v, rng, 1.0);
  return workbook::close(topic10_2_1::attention(q, k, v), oracle_attention(q, k, v), rounding);
}

// Row i of the result is row perm[i] of m: the product P m with the permutation matrix P.
Matrix2 permute_rows(const Matrix2& m, const std::vector<std::size_t>& perm) {
  Matrix2 out = Matrix2::from_shape(m.shape());
  for (std::size_t i = 0; i < perm.size(); ++i)
    for (std::size_t c = 0; c < m.shape(1); ++c) out(i, c) = m(perm[i], c);
  return out;
}

// RapidCheck inputs: entries in [-3, 3] on a grid of 1e-3, so that scores reach |q·k|/sqrt(d_k) = 9 sqrt(d_k).
Matrix2 generated_matrix(std::size_t rows, std::size_t cols) {
  const auto raw = *rc::gen::container<std::vector<int>>(rows * cols, rc::gen::inRange(-3000, 3001));
  Matrix2 m = Matrix2::from_shape({rows, cols});
  for (std::size_t i = 0; i < raw.size(); ++i) m.flat(i) = raw[i] / 1000.0;
  return m;
}

std::vector<std::size_t> generated_permutation(std::size_t n) {
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  std::shuffle(perm.begin(), perm.end(), rng);
  return perm;
}

// Permuting the tokens changes only the order in which each softmax sum and each weighted sum of values is
// added up. With n <= 24 terms of size <= 3, the rounding bound n * eps * max|v| is about 1.6e-14, so
// rtol = atol = 1e-12 leaves a margin of ~60 and still catches any real difference.
const Tolerance reordering{1e-12, 1e-12};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Scaled dot-product attention with xtensor";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement =
      "Write one attention head from scratch, using xtensor and xtensor-blas only. Queries Q (n_q x d_k), "
      "keys K (n_k x d_k) and values V (n_k x d_v) hold one token per row. The head computes the scores "
      "S = Q K^T / sqrt(d_k), turns every row of S into a probability vector with a softmax, and returns "
      "A V, each output row a weighted average of the value rows. Implement attention_weights and "
      "attention. Without positional information, attention has no idea of "
      "token order: reorder the tokens and the outputs are reordered the same way. You will check that "
      "this holds in floating point up to rounding, and say how large the rounding can be.";

  auto& a = ex.part("a", 2, "Implement attention_weights and attention.");
  a.check("square", CheckKind::close,
          "attention for 7 tokens, d_k = 5, d_v = 3 (N(0,1) entries) against the plain-loop oracle",
          [](const Context& ctx) { return matches_oracle(ctx, "a-square", 7, 7, 5, 3, 1.0); });
  a.check("rectangular", CheckKind::close,
          "4 queries over 9 keys, d_k = 6, d_v = 2: the output is 4 x 2 and matches the oracle",
          [](const Context& ctx) { return matches_oracle(ctx, "a-rectangular", 4, 9, 6, 2, 1.0); });
  a.check("weights", CheckKind::close, "attention_weights for 5 queries over 8 keys, d_k = 4, against softmax "
          "of the plain-loop scores",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-weights");
            const auto q = gaussian_matrix(5, 4, rng, 1.0), k = gaussian_matrix(8, 4, rng, 1.0);
            return workbook::close(topic10_2_1::attention_weights(q, k), oracle_weights(q, k), rounding);
          });
  a.check("rows sum to 1", CheckKind::close,
          "every row of attention_weights (6 queries, 11 keys, entries of size 3) sums to 1 within 1e-12",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-rows");
            const auto w = topic10_2_1::attention_weights(gaussian_matrix(6, 4, rng, 3.0), gaussian_matrix(11, 4, rng, 3.0));
            const xt::xarray<double> row_sums = xt::sum(w, {1});
            return workbook::close(row_sums, xt::ones<double>({std::size_t{6}}), {0, 1e-12});
          });
  a.hint("xt::linalg::dot(q, xt::transpose(k)) gives the scores; store xt::amax(scores, {1}, xt::keep_dims) "
         "and xt::sum(..., {1}, xt::keep_dims) in containers before broadcasting them.");

  ex.part("b", 1, "Make the softmax safe for large scores: entries of Q and K of size ~30 give scores of "
                  "order 1000, where exp overflows.")
      .check("large scores", CheckKind::close,
             "attention with scores of standard deviation 1000 (Q, K entries N(0, 1000)): finite, no NaN, and "
             "equal to the oracle",
             [](const Context& ctx) { return matches_oracle(ctx, "b-large", 6, 10, 8, 3, std::sqrt(1000.0)); })
      .hint("softmax(s) = softmax(s - max s): after subtracting the row maximum every exponent is <= 0.");

  auto& c = ex.part("c", 2, "Verify that your head is permutation equivariant up to rounding: for any "
                            "permutation matrix P, attention(PQ, PK, PV) = P attention(Q, K, V). State the "
                            "tolerance you need and why.");
  c.check("joint permutation", CheckKind::property,
          "for random n <= 24, d_k, d_v <= 16, entries in [-3, 3] and a random permutation P of the tokens, "
          "attention(PQ, PK, PV) = P attention(Q, K, V) within rtol = atol = 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-joint"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(1, 25);
              const auto d_k = *rc::gen::inRange<std::size_t>(1, 17), d_v = *rc::gen::inRange<std::size_t>(1, 17);
              const auto q = generated_matrix(n, d_k), k = generated_matrix(n, d_k), v = generated_matrix(n, d_v);
              const auto perm = generated_permutation(n);
              const auto permuted_output =
                  topic10_2_1::attention(permute_rows(q, perm), permute_rows(k, perm), permute_rows(v, perm));
              const auto check = workbook::close(permuted_output, permute_rows(topic10_2_1::attention(q, k, v), perm),
                                                 reordering);
              RC_ASSERT(check.status == workbook::Status::pass);
            });
          });
  c.check("key order", CheckKind::property,
          "reordering only the keys and their values (the same P on K and V) leaves every output row "
          "unchanged within rtol = atol = 1e-12 (random sizes as above, n_q may differ from n_k)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-keys"), [] {
              const auto n_q = *rc::gen::inRange<std::size_t>(1, 25), n_k = *rc::gen::inRange<std::size_t>(1, 25);
              const auto d_k = *rc::gen::inRange<std::size_t>(1, 17), d_v = *rc::gen::inRange<std::size_t>(1, 17);
              const auto q = generated_matrix(n_q, d_k), k = generated_matrix(n_k, d_k), v = generated_matrix(n_k, d_v);
              const auto perm = generated_permutation(n_k);
              const auto check = workbook::close(topic10_2_1::attention(q, permute_rows(k, perm), permute_rows(v, perm)),
                                                 topic10_2_1::attention(q, k, v), reordering);
              RC_ASSERT(check.status == workbook::Status::pass);
            });
          });
  c.hint("Write the permuted scores as P S P^T and follow P through the softmax and the product with PV.");
}
