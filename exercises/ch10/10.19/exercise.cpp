// 10.19: self-attention is permutation equivariant, and positional encodings break it. The proof by
// computation is a pair of properties on the student's own functions (permute the rows of Q, K and V, or of X,
// and the output rows follow), plus the set view (permute only the key-value pairs and nothing changes). The
// counterexample for (c) is searched among seeded inputs and shown: its permutation and how far the output moves.
//
// Tolerance: float_computation's relative part, with an absolute floor proportional to the values (see
// tolerance::float_sums of the largest |v|). Large scores are built from integer entries with d_k = 4, so that q . k / sqrt(d_k) is exact in
// float: that check is about overflow, not about rounding the scores.

#include "ch10/10.19/interface.hpp"

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
using workbook::oracle::Matrix;
using workbook::oracle::matmul;
using workbook::oracle::Permutation;
using workbook::oracle::permute_rows;

constexpr double length_scale = 10000;

bool passes(const CheckResult& r) { return r.status == workbook::Status::pass; }
double scale(const Matrix& k) { return 1 / std::sqrt(double(k.shape(1))); }

using Weights = workbook::oracle::HeadWeights;

// Integer entries in [-limit, limit]: with d_k = 4 every score q . k / 2 is exact in float.
Matrix integer_matrix(std::size_t rows, std::size_t cols, int limit, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> draw(-limit, limit);
  Matrix m = Matrix::from_shape({rows, cols});
  for (auto& x : m) x = draw(rng);
  return m;
}

CheckResult attention_matches(const Matrix& q, const Matrix& k, const Matrix& v) {
  return workbook::close(ch10_19::attention(q, k, v), workbook::oracle::attention(q, k, v, scale(k)), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(v)));
}

Matrix with_positions(const Matrix& x) {
  return x + workbook::oracle::sinusoidal_table(0, x.shape(0), x.shape(1), length_scale);
}

// Inside a property: tokens (n, d_model) with 1 <= n <= 12 and even 2 <= d_model <= 8, weights, a permutation.
struct Case {
  Matrix x;
  Weights w;
  Permutation p;
};

Case random_case() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto d_model = 2 * *rc::gen::inRange<std::size_t>(1, 5);
  const auto d_k = *rc::gen::inRange<std::size_t>(1, 7);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 5);
  const double spread = *rc::gen::element(0.1, 1.0, 3.0);
  auto rng = workbook::oracle::property_rng();
  Case c{workbook::oracle::gaussian_matrix(n, d_model, rng, spread), workbook::oracle::random_head_weights(d_model, d_k, d_v, rng), {}};
  c.p = workbook::oracle::random_permutation(n, rng);
  return c;
}

void part_a1(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement attention and self_attention.)")
      .check("general shapes", CheckKind::close,
             "attention on a 5 x 4 Q, a 7 x 4 K and a 7 x 3 V (more keys than queries, d_v != d_k) against "
             "plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a1-shapes");
               const auto q = workbook::oracle::gaussian_matrix(5, 4, rng), k = workbook::oracle::gaussian_matrix(7, 4, rng);
               return attention_matches(q, k, workbook::oracle::gaussian_matrix(7, 3, rng));
             })
      .check("large scores", CheckKind::close,
             "integer Q and K with entries up to 40 (scores in the thousands, where exp overflows unless the row "
             "maximum is subtracted) against plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a1-large");
               const auto q = integer_matrix(6, 4, 40, rng), k = integer_matrix(6, 4, 40, rng);
               return attention_matches(q, k, workbook::oracle::gaussian_matrix(6, 2, rng));
             })
      .check("ties and zeros", CheckKind::close,
             "a query of zeros (every weight equal), keys that repeat one another, and a V with a column of zeros",
             [](const Context&) {
               const Matrix q = {{0, 0, 0}, {1, -2, 0.5}, {3, 3, 3}};
               const Matrix k = {{1, 0, 2}, {1, 0, 2}, {-1, 1, 0}, {1, 0, 2}};
               const Matrix v = {{1, 0}, {2, 0}, {-3, 0}, {0.5, 0}};
               return attention_matches(q, k, v);
             })
      .check("self-attention", CheckKind::close,
             "self_attention on 6 tokens of width 8 (d_k = 4, d_v = 5) against plain-loop projections and attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a1-self");
               const auto x = workbook::oracle::gaussian_matrix(6, 8, rng);
               const auto w = workbook::oracle::random_head_weights(8, 4, 5, rng);
               return workbook::close(ch10_19::self_attention(x, w.q, w.k, w.v),
                                      workbook::oracle::self_attention(x, w.q, w.k, w.v),
                                      workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(matmul(x, w.v))));
             });
}

void part_a2(workbook::Exercise& ex) {
  ex.part("a2", 2, R"(Prove that Attention(P Q, P K, P V) = P Attention(Q, K, V) for every permutation matrix P,
and deduce that self-attention without positions satisfies SA(P X) = P SA(X). The checks test both identities on
your own functions for random sizes, inputs and permutations.)")
      .check("P Q, P K, P V", CheckKind::property,
             "for random n <= 12, widths and permutations, your attention of the row-permuted Q, K, V equals the "
             "row-permuted attention of Q, K, V",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a2-qkv"), [] {
                 const auto c = random_case();
                 const Matrix q = matmul(c.x, c.w.q), k = matmul(c.x, c.w.k),
                              v = matmul(c.x, c.w.v);
                 const Matrix before = ch10_19::attention(q, k, v);
                 const Matrix after = ch10_19::attention(permute_rows(q, c.p), permute_rows(k, c.p), permute_rows(v, c.p));
                 RC_ASSERT(passes(workbook::close(after, permute_rows(before, c.p), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(v)))));
               });
             })
      .check("P X", CheckKind::property,
             "for random tokens, weights and permutations, your self_attention of P X equals P times your "
             "self_attention of X",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a2-x"), [] {
                 const auto c = random_case();
                 const Matrix before = ch10_19::self_attention(c.x, c.w.q, c.w.k, c.w.v);
                 const Matrix after = ch10_19::self_attention(permute_rows(c.x, c.p), c.w.q, c.w.k, c.w.v);
                 RC_ASSERT(passes(workbook::close(after, permute_rows(before, c.p), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(matmul(c.x, c.w.v))))));
               });
             })
      .hint("Write (P Q)(P K)^T = P (Q K^T) P^T. What does a row softmax do to a matrix whose rows and columns are "
            "permuted by the same P?")
      .manual(1);
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(Explain why this makes self-attention treat its input as a set rather than a sequence. Show
the sharper fact behind it on your attention: reordering the key-value pairs alone, with the queries left in
place, leaves every output row unchanged.)")
      .check("reordered keys", CheckKind::property,
             "for random sizes and permutations, your attention(Q, P K, P V) equals your attention(Q, K, V)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-keys"), [] {
                 const auto c = random_case();
                 const Matrix q = matmul(c.x, c.w.q), k = matmul(c.x, c.w.k),
                              v = matmul(c.x, c.w.v);
                 RC_ASSERT(passes(workbook::close(ch10_19::attention(q, permute_rows(k, c.p), permute_rows(v, c.p)),
                                                  ch10_19::attention(q, k, v), workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(v)))));
               });
             })
      .choice_answer("b_order_matters", "does a query's output depend on the order in which the key-value pairs are "
                     "listed?", {"yes", "no"}, "no")
      .manual(1);
}

// The largest |SA_pos(P X) - P SA_pos(X)| over entries, for one seeded case.
double equivariance_gap(const Matrix& x, const Weights& w, const Permutation& p) {
  const Matrix before = ch10_19::self_attention_with_positions(x, w.q, w.k, w.v);
  const Matrix after = ch10_19::self_attention_with_positions(permute_rows(x, p), w.q, w.k, w.v);
  return workbook::oracle::max_abs_difference(after, permute_rows(before, p));
}

CheckResult find_counterexample(const Context& ctx) {
  auto rng = ctx.rng("c-counterexample");
  constexpr std::size_t n = 6, d_model = 8;
  for (int attempt = 1; attempt <= 20; ++attempt) {
    const auto x = workbook::oracle::gaussian_matrix(n, d_model, rng);
    const auto w = workbook::oracle::random_head_weights(d_model, 4, 4, rng);
    auto p = workbook::oracle::random_permutation(n, rng);
    if (std::is_sorted(p.begin(), p.end())) continue;  // the identity proves nothing
    const double gap = equivariance_gap(x, w, p);
    if (gap > 1e-3)
      return workbook::holds(true, {{"attempt", attempt}, {"n", n}, {"d_model", d_model}, {"permutation", p},
                                    {"max |SA(P X) - P SA(X)|", gap}},
                             "");
  }
  return workbook::holds(false, "no case in 20 seeded attempts moved by more than 1e-3",
                         "with positions added, P X should not give P times the output for a non-identity P");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 1, R"(Implement self_attention_with_positions, which adds the sinusoidal encoding to the tokens
before the projections.)")
      .check("positions added", CheckKind::close,
             "self_attention_with_positions on 7 tokens of width 6 against plain-loop attention of x + PE",
             [](const Context& ctx) {
               auto rng = ctx.rng("c1");
               const auto x = workbook::oracle::gaussian_matrix(7, 6, rng);
               const auto w = workbook::oracle::random_head_weights(6, 4, 3, rng);
               return workbook::close(ch10_19::self_attention_with_positions(x, w.q, w.k, w.v),
                                      workbook::oracle::self_attention(with_positions(x), w.q, w.k, w.v),
                                      workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(matmul(with_positions(x), w.v))));
             });
  ex.part("c2", 2, R"(Explain how the positional encoding breaks the equivariance of (a). Exhibit it: the check
searches seeded tokens, weights and non-identity permutations for a case where your
self_attention_with_positions(P X) differs from P self_attention_with_positions(X) by more than 1e-3, and shows
the case it finds. Which permutations still commute with the layer for every X?)")
      .check("counterexample", CheckKind::property,
             "a seeded case (6 tokens of width 8, a non-identity permutation) where P X and X give outputs that "
             "are not row permutations of each other: shows the permutation and the largest gap",
             find_counterexample)
      .choice_answer("c_survivors", "the permutations P with SA_pos(P X) = P SA_pos(X) for every X",
                     {"every permutation", "only cyclic shifts", "only the identity"}, "only the identity")
      .hint("Write SA_pos(X) = SA(X + E). Compare SA(P X + E) with P SA(X + E) = SA(P X + P E).")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention is permutation equivariant; positions break it";
  ex.stars = 3;
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(A permutation sigma of n items acts on a matrix with n rows through its permutation matrix
P_sigma: row i of P_sigma X is row sigma(i) of X. Show that scaled dot-product attention commutes with such
reorderings as long as nothing in it knows where a token stands, and find out what adding positions changes.
Computing in float is fine: the checks allow for float's rounding.)";
  part_a1(ex);
  part_a2(ex);
  part_b(ex);
  part_c(ex);
}
