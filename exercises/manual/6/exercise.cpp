// manual/6: self-attention seen as one dense N D x N D layer. The parameter counts are closed forms. The
// student's dense matrix M is checked against a plain-loop Kronecker layout and against Y = A X W_v by plain
// loops, on matrices A that are not row-stochastic (zeros, ties, rows of very different size), since the
// identity y = M x holds for any A. The seed's "low-rank" wording is settled by the ranks of the student's M,
// compared with rank(A) rank(W_v) (the rank of a Kronecker product).

#include "manual/6/interface.hpp"

#include <algorithm>
#include <cmath>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

constexpr std::int64_t tokens = 100, width = 512;
constexpr std::int64_t dense_weights = (tokens * width) * (tokens * width);  // one weight per input-output pair
constexpr std::int64_t attention_weights = 3 * width * width;               // W_q, W_k, W_v, each D x D

// An N x N matrix that no softmax would produce: Gaussian entries (negative ones too), about a quarter of
// them exactly 0, row n scaled by 10^u with u uniform in [-2, 2] (rows of very different size), and the
// last row a copy of the first (a tie). A layout that only works for row-stochastic A fails on it.
Matrix adversarial_a(std::size_t n, std::mt19937_64& rng) {
  Matrix a = workbook::oracle::gaussian_matrix(n, n, rng);
  std::uniform_real_distribution<double> exponent(-2, 2), unit(0, 1);
  for (std::size_t r = 0; r < n; ++r) {
    const double scale = std::pow(10.0, exponent(rng));
    for (std::size_t c = 0; c < n; ++c) a(r, c) = unit(rng) < 0.25 ? 0.0 : a(r, c) * scale;
  }
  if (n > 1)
    for (std::size_t c = 0; c < n; ++c) a(n - 1, c) = a(0, c);
  return a;
}

// M(n D + i, m D + j) = a(n, m) W_v(j, i): block (n, m) is a_nm W_v^T.
Matrix dense_oracle(const Matrix& a, const Matrix& w_v) {
  const std::size_t n = a.shape(0), d = w_v.shape(0);
  Matrix m = Matrix::from_shape({n * d, n * d});
  for (std::size_t bn = 0; bn < n; ++bn)
    for (std::size_t bm = 0; bm < n; ++bm)
      for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) m(bn * d + i, bm * d + j) = a(bn, bm) * w_v(j, i);
  return m;
}

// The rows of a matrix one after another: the stacked token vector.
xt::xarray<double> stacked(const Matrix& x) {
  xt::xarray<double> v = xt::xarray<double>::from_shape({x.size()});
  std::copy(x.begin(), x.end(), v.begin());
  return v;
}

// m times the column x, entry by entry.
xt::xarray<double> times(const Matrix& m, const xt::xarray<double>& x) {
  xt::xarray<double> y = xt::zeros<double>({m.shape(0)});
  for (std::size_t r = 0; r < m.shape(0); ++r)
    for (std::size_t c = 0; c < m.shape(1); ++c) y(r) += m(r, c) * x(c);
  return y;
}

// A Gaussian k x k matrix whose singular values stay within a factor 100 of each other (redrawn otherwise),
// so that "invertible" is clear-cut for the rank check below.
Matrix well_conditioned(std::size_t k, std::mt19937_64& rng) {
  while (true) {
    Matrix m = workbook::oracle::gaussian_matrix(k, k, rng);
    const auto s = workbook::oracle::singular_values(m);
    if (s.back() >= 1e-2 * s.front()) return m;
  }
}

// Singular values below this fraction of the largest count as zero. A singular A (two equal rows) makes
// rows of M exact copies of each other, whose singular value is ~1e-16 relative even when M is computed in
// float; the inputs above keep every true singular value of M above 1e-4 relative; float rounding of M's
// entries (2e-7 relative at most, in norm) stays far below the threshold either way.
constexpr double rank_threshold = 1e-5;

void counts(workbook::Exercise& ex) {
  ex.part("a", 1, "How many weights does the dense N D x N D layer have?")
      .integer_answer("a_dense", "weights of the dense layer", dense_weights, "weights");
  ex.part("b", 1, "How many weights does self-attention learn?")
      .integer_answer("b_attention", "weights of W_q, W_k, W_v", attention_weights, "weights");
  ex.part("c", 1, "By what factor is the dense layer larger? Give the factor to four significant figures, and "
                  "pick the formula in N and D.")
      .number_answer("c_ratio", "dense / attention",
                     [] { return double(dense_weights) / double(attention_weights); },
                     workbook::Precision::significant_figures(4))
      .choice_answer("c_formula", "the ratio in general", {"N^2 D^2 / 3", "N^2 / 3", "N D / 3", "N^2 / (3 D)"},
                     "N^2 / 3");
}

void part_d(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& d = ex.part("d", 3, "Implement dense_equivalent and show that M x is the stacked A X W_v, for any "
                            "N x N matrix A.");
  d.check("blocks", CheckKind::close,
          "M for N = 3, D = 4 and an A with zeros, two equal rows and rows of very different size (W_v "
          "Gaussian) against the plain-loop layout M(nD + i, mD + j) = a_nm W_v(j, i)",
          [](const Context& ctx) {
            auto rng = ctx.rng("d-blocks");
            const auto a = adversarial_a(3, rng);
            const auto w_v = workbook::oracle::gaussian_matrix(4, 4, rng);
            return workbook::close(manual_6::dense_equivalent(a, w_v), dense_oracle(a, w_v),
                                   workbook::tolerance::float_computation);
          });
  d.check("Y = A X W_v", CheckKind::property,
          "for random 1 <= N <= 6, 1 <= D <= 5, an A with zeros, a repeated row and rows of different size, "
          "and Gaussian X and W_v: M times the stacked X against the stacked A X W_v from plain loops, within "
          "float rounding of the terms summed",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("d-property"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(1, 7);
              const auto dim = *rc::gen::inRange<std::size_t>(1, 6);
              auto rng = workbook::oracle::property_rng();
              const auto a = adversarial_a(n, rng);
              const auto x = workbook::oracle::gaussian_matrix(n, dim, rng);
              const auto w_v = workbook::oracle::gaussian_matrix(dim, dim, rng);
              const Matrix m = manual_6::dense_equivalent(a, w_v);
              RC_ASSERT(m.shape(0) == n * dim && m.shape(1) == n * dim);
              const auto expected = stacked(workbook::oracle::matmul(workbook::oracle::matmul(a, x), w_v));
              const Matrix size_of_terms = xt::abs(dense_oracle(a, w_v));
              const double term_scale = workbook::tolerance::largest_magnitude(times(size_of_terms, xt::abs(stacked(x))));
              const auto result = workbook::close(times(m, stacked(x)), expected, workbook::tolerance::float_sums(term_scale));
              RC_ASSERT(result.status == workbook::Status::pass);
            });
          })
      .hint("Row n of Y is sum_m a_nm (x_m W_v); as a column that is sum_m a_nm W_v^T x_m.");
}

void part_e(workbook::Exercise& ex) {
  ex.part("e1", 1, "Find the rank of your M for N = 4, D = 3 and a Gaussian W_v: once for an invertible A, once "
                   "for an A with two equal rows.")
      .check("rank", workbook::CheckKind::equal,
             "the numerical ranks of your M for the two choices of A (singular values above 1e-5 of the "
             "largest) against rank(A) rank(W_v) from the oracle's singular values",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-rank");
               const auto w_v = well_conditioned(3, rng);
               Matrix tied = well_conditioned(4, rng);
               const Matrix invertible = tied;
               for (std::size_t c = 0; c < 4; ++c) tied(3, c) = tied(1, c);
               std::vector<std::int64_t> actual, expected;
               for (const Matrix* a : std::initializer_list<const Matrix*>{&invertible, &tied}) {
                 const Matrix m = manual_6::dense_equivalent(*a, w_v);
                 actual.push_back(std::int64_t(workbook::oracle::numerical_rank(m, rank_threshold)));
                 expected.push_back(std::int64_t(workbook::oracle::numerical_rank(*a, rank_threshold) *
                                                 workbook::oracle::numerical_rank(w_v, rank_threshold)));
               }
               return workbook::equal(actual, expected);
             });
  ex.part("e2", 1, "Where does the saving come from? Are the a_nm learned, and is M a low-rank matrix?")
      .choice_answer("e_learned", "are the a_nm learned parameters?", {"yes", "no, computed from the input"},
                     "no, computed from the input")
      .choice_answer("e_low_rank", "is M low-rank for generic inputs?", {"yes", "no"}, "no")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention as a dense layer with shared blocks";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(A layer that maps all N tokens (N D numbers) to N new tokens in one go, with an independent weight for every input-output pair, is an N D x N D matrix. Self-attention also lets every output depend on every input. Write it in that dense form and compare what has to be learned. Conventions: tokens are rows, X is N x D, V = X W_v, Y = A V with A = softmax(Q K^T) row by row; the stacked vector x lists x_1, then x_2, ..., then x_N. The dense form does not use the softmax: it must give Y = A X W_v for any N x N matrix A. Count weights only (no biases), and for attention count W_q, W_k and W_v (each D x D) but not an output projection. Take N = 100 and D = 512 for the counts.)";
  counts(ex);
  part_d(ex);
  part_e(ex);
}
