// topic10/2.1: single-head scaled dot-product attention in xtensor. The oracle is the plain-loop attention of
// workbook/oracle/attention.hpp (one query at a time, softmax with the maximum subtracted); the permutation
// properties need no oracle at all. Part (c) splits the property (code) from the tolerance it needs (a choice
// and a number, with the reasoning graded by hand).

#include "topic10/2.1/interface.hpp"

#include <cmath>
#include <limits>
#include <random>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
namespace oracle = workbook::oracle;

double scale_for(const Matrix& q) { return 1.0 / std::sqrt(double(q.shape(1))); }

workbook::CheckResult matches_oracle(const Context& ctx, const std::string& stream, std::size_t n_q,
                                     std::size_t n_k, std::size_t d_k, std::size_t d_v, double sd) {
  auto rng = ctx.rng(stream);
  const auto q = oracle::gaussian_matrix(n_q, d_k, rng, sd), k = oracle::gaussian_matrix(n_k, d_k, rng, sd);
  const auto v = oracle::gaussian_matrix(n_k, d_v, rng);
  return workbook::close(topic10_2_1::attention(q, k, v), oracle::attention(q, k, v, scale_for(q)),
                         workbook::tolerance::double_computation);
}

// Awkward inputs for the weights: 5 queries over 8 keys (d_k = 4) where query 0 is all zeros (every score 0:
// the weights must be uniform), keys 2 and 5 are equal (tied scores for every query), query 1 equals key 7
// and query 4 is query 3 scaled by 10 (sharper, but the same order of keys).
std::pair<Matrix, Matrix> tied_case(const Context& ctx) {
  auto rng = ctx.rng("a-weights");
  Matrix q = oracle::gaussian_matrix(5, 4, rng), k = oracle::gaussian_matrix(8, 4, rng);
  xt::view(q, 0, xt::all()) = 0.0;
  xt::view(k, 5, xt::all()) = xt::view(k, 2, xt::all());
  xt::view(q, 1, xt::all()) = xt::view(k, 7, xt::all());
  xt::view(q, 4, xt::all()) = 10.0 * xt::view(q, 3, xt::all());
  return {q, k};
}

// RapidCheck inputs: entries in [-3, 3] on a grid of 1e-3, so that scores reach |q·k|/sqrt(d_k) = 9 sqrt(d_k).
Matrix generated_matrix(std::size_t rows, std::size_t cols) {
  const auto raw = *rc::gen::container<std::vector<int>>(rows * cols, rc::gen::inRange(-3000, 3001));
  Matrix m = Matrix::from_shape({rows, cols});
  for (std::size_t i = 0; i < raw.size(); ++i) m.flat(i) = raw[i] / 1000.0;
  return m;
}

// Permuting the tokens changes only the order in which each softmax sum and each weighted sum of values is
// added up. With n <= 24 terms of size <= 3, the rounding bound n * eps * max|v| is about 1.6e-14, so
// rtol = atol = 1e-12 leaves a margin of ~60 and still catches any real difference.
const workbook::Tolerance reordering{1e-12, 1e-12};

// The bound part (c2) asks for: n eps max|v| for the largest case of the properties.
constexpr std::size_t largest_n = 24;
constexpr double largest_entry = 3.0;
double rounding_bound() { return double(largest_n) * std::numeric_limits<double>::epsilon() * largest_entry; }

void part_a(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& a = ex.part("a", 2, "Implement attention_weights and attention.");
  a.check("square", CheckKind::close,
          "attention for 7 tokens, d_k = 5, d_v = 3 (N(0,1) entries) against the plain-loop oracle",
          [](const Context& ctx) { return matches_oracle(ctx, "a-square", 7, 7, 5, 3, 1.0); });
  a.check("rectangular", CheckKind::close,
          "4 queries over 9 keys, d_k = 6, d_v = 2: the output is 4 x 2 and matches the oracle",
          [](const Context& ctx) { return matches_oracle(ctx, "a-rectangular", 4, 9, 6, 2, 1.0); });
  a.check("one query, d_k = 1", CheckKind::close,
          "a single query over 5 keys with d_k = 1 and d_v = 4 against the oracle",
          [](const Context& ctx) { return matches_oracle(ctx, "a-single", 1, 5, 1, 4, 1.0); });
  a.check("weights", CheckKind::close,
          "attention_weights for 5 queries over 8 keys, d_k = 4, against the plain-loop softmax of the scores, "
          "with an all-zero query, two equal keys, a query equal to a key and a query that is another one scaled "
          "by 10",
          [](const Context& ctx) {
            const auto [q, k] = tied_case(ctx);
            return workbook::close(topic10_2_1::attention_weights(q, k), oracle::attention_weights(q, k, scale_for(q)),
                                   workbook::tolerance::double_computation);
          });
  a.check("rows sum to 1", CheckKind::close,
          "every row of attention_weights (6 queries, 11 keys, entries of size 3) sums to 1 within 1e-12",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-rows");
            const auto w = topic10_2_1::attention_weights(oracle::gaussian_matrix(6, 4, rng, 3.0),
                                                          oracle::gaussian_matrix(11, 4, rng, 3.0));
            const xt::xarray<double> row_sums = xt::sum(w, {1});
            return workbook::close(row_sums, xt::ones<double>({std::size_t{6}}), {0, 1e-12});
          });
  a.hint("xt::linalg::dot(q, xt::transpose(k)) gives the scores; store xt::amax(scores, {1}, xt::keep_dims) "
         "and xt::sum(..., {1}, xt::keep_dims) in containers before broadcasting them.");
}

void part_c1(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& c1 = ex.part("c1", 2, "Verify that your head is permutation equivariant up to rounding: for any "
                              "permutation matrix P, attention(PQ, PK, PV) = P attention(Q, K, V).");
  c1.check("joint permutation", CheckKind::property,
           "for random n <= 24, d_k, d_v <= 16, entries in [-3, 3] and a random permutation P of the tokens, "
           "attention(PQ, PK, PV) = P attention(Q, K, V) within rtol = atol = 1e-12",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("c-joint"), [] {
               const auto n = *rc::gen::inRange<std::size_t>(1, largest_n + 1);
               const auto d_k = *rc::gen::inRange<std::size_t>(1, 17), d_v = *rc::gen::inRange<std::size_t>(1, 17);
               const auto q = generated_matrix(n, d_k), k = generated_matrix(n, d_k), v = generated_matrix(n, d_v);
               auto rng = oracle::property_rng();
               const auto perm = oracle::random_permutation(n, rng);
               const Matrix permuted_output = topic10_2_1::attention(oracle::permute_rows(q, perm), oracle::permute_rows(k, perm),
                                                                     oracle::permute_rows(v, perm));
               const auto check = workbook::close(permuted_output,
                                                  oracle::permute_rows(topic10_2_1::attention(q, k, v), perm), reordering);
               RC_ASSERT(check.status == workbook::Status::pass);
             });
           });
  c1.check("key order", CheckKind::property,
           "reordering only the keys and their values (the same P on K and V) leaves every output row "
           "unchanged within rtol = atol = 1e-12 (random sizes as above, n_q may differ from n_k)",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("c-keys"), [] {
               const auto n_q = *rc::gen::inRange<std::size_t>(1, largest_n + 1), n_k = *rc::gen::inRange<std::size_t>(1, largest_n + 1);
               const auto d_k = *rc::gen::inRange<std::size_t>(1, 17), d_v = *rc::gen::inRange<std::size_t>(1, 17);
               const auto q = generated_matrix(n_q, d_k), k = generated_matrix(n_k, d_k), v = generated_matrix(n_k, d_v);
               auto rng = oracle::property_rng();
               const auto perm = oracle::random_permutation(n_k, rng);
               const auto check = workbook::close(
                   topic10_2_1::attention(q, oracle::permute_rows(k, perm), oracle::permute_rows(v, perm)),
                   topic10_2_1::attention(q, k, v), reordering);
               RC_ASSERT(check.status == workbook::Status::pass);
             });
           });
  c1.hint("Write the permuted scores as P S P^T and follow P through the softmax and the product with PV.");
}

void part_c2(workbook::Exercise& ex) {
  auto& c2 = ex.part("c2", 1,
                     "The checks of (c1) compare the two sides within a tolerance. Could they demand bit-for-bit "
                     "equality instead? How large can the difference get? Permuting the tokens reorders the sums "
                     "inside every softmax denominator and every weighted average of values; a sum of n terms of "
                     "size at most M, added in another order, can move by about n * eps * M, with eps = 2^-52 the "
                     "spacing of doubles at 1. Evaluate that bound for the largest case of the checks (n = 24, "
                     "entries of V at most 3 in size), then say which tolerance you would choose and why: what would "
                     "a much smaller one cost, and what a much larger one?");
  c2.choice_answer("c2_exact", "can the check demand exact (bit-for-bit) equality?", {"yes", "no"}, "no");
  c2.number_answer("c2_bound", "n * eps * M for n = 24, M = 3, to 2 significant figures", rounding_bound,
                   workbook::Precision::significant_figures(2));
  c2.manual(1);
  c2.hint("Floating-point addition is commutative but not associative: (a + b) + c and a + (b + c) can differ "
          "in the last bit.");
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Scaled dot-product attention with xtensor";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric};
  ex.statement =
      "Write one attention head from scratch, using xtensor and xtensor-blas only. Queries Q (n_q x d_k), "
      "keys K (n_k x d_k) and values V (n_k x d_v) hold one token per row. The head computes the scores "
      "S = Q K^T / sqrt(d_k), turns every row of S into a probability vector with a softmax, and returns "
      "A V, each output row a weighted average of the value rows. Implement attention_weights and "
      "attention, in double precision: part (c) is about how far rounding moves the result, and its checks "
      "hold you to double's rounding. Without positional information, attention has no idea of "
      "token order: reorder the tokens and the outputs are reordered the same way. You will check that "
      "this holds in floating point up to rounding, and say how large the rounding can be.";
  part_a(ex);

  ex.part("b", 1, "Make the softmax safe for large scores: entries of Q and K of size ~30 give scores of "
                  "order 1000, where exp overflows.")
      .check("large scores", CheckKind::close,
             "attention with scores of standard deviation 1000 (Q, K entries N(0, 1000)): finite, no NaN, and "
             "equal to the oracle",
             [](const Context& ctx) { return matches_oracle(ctx, "b-large", 6, 10, 8, 3, std::sqrt(1000.0)); })
      .hint("softmax(s) = softmax(s - max s): after subtracting the row maximum every exponent is <= 0.");

  part_c1(ex);
  part_c2(ex);
}
