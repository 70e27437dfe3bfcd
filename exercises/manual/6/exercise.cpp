// manual/6: self-attention seen as one dense N D x N D layer. Parameter counts are closed forms; the dense
// matrix M built by the student is checked against a plain-loop Kronecker layout, against Y = A X W_v
// computed by plain loops, and (to settle the seed's "low-rank" wording) against the determinant identity
// det(A (x) B) = det(A)^D det(B)^N, which shows M has full rank N D for generic inputs.

#include "manual/6/interface.hpp"

#include <cmath>

#include "workbook/oracle_matrix.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

constexpr std::int64_t tokens = 100, width = 512;
constexpr std::int64_t dense_weights = (tokens * width) * (tokens * width);  // one weight per input-output pair
constexpr std::int64_t attention_weights = 3 * width * width;               // W_q, W_k, W_v, each D x D

// A row-stochastic N x N matrix: the row softmax of Gaussian scores, as attention would produce.
Matrix random_attention(std::size_t n, std::mt19937_64& rng) {
  Matrix a;
  for (const auto& scores : workbook::oracle::gaussian_rows(n, n, rng))
    a.push_back(workbook::oracle::softmax(scores));
  return a;
}

// M(n D + i, m D + j) = a(n, m) W_v(j, i): block (n, m) is a_nm W_v^T.
Matrix dense_oracle(const Matrix& a, const Matrix& w_v) {
  const std::size_t n = a.size(), d = w_v.size();
  Matrix m(n * d, Vector(n * d));
  for (std::size_t bn = 0; bn < n; ++bn)
    for (std::size_t bm = 0; bm < n; ++bm)
      for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) m[bn * d + i][bm * d + j] = a[bn][bm] * w_v[j][i];
  return m;
}

// The rows of a matrix one after another: the stacked token vector.
Vector stacked(const Matrix& x) {
  Vector v;
  for (const auto& row : x) v.insert(v.end(), row.begin(), row.end());
  return v;
}

Vector times(const xt::xtensor<double, 2>& m, const Vector& x) {
  Vector y(m.shape(0), 0.0);
  for (std::size_t r = 0; r < m.shape(0); ++r)
    for (std::size_t c = 0; c < x.size(); ++c) y[r] += m(r, c) * x[c];
  return y;
}

// The student's M for inputs given as plain matrices.
xt::xtensor<double, 2> students_dense(const Matrix& a, const Matrix& w_v) {
  return manual_6::dense_equivalent(workbook::oracle::to_tensor(a), workbook::oracle::to_tensor(w_v));
}

bool vectors_close(const Vector& actual, const Vector& expected, workbook::Tolerance t) {
  if (actual.size() != expected.size()) return false;
  for (std::size_t i = 0; i < actual.size(); ++i)
    if (!(std::abs(actual[i] - expected[i]) <= t.atol + t.rtol * std::abs(expected[i]))) return false;
  return true;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Self-attention as a dense layer with shared blocks";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement =
      "A layer that maps all N tokens (N D numbers) to N new tokens in one go, with an independent weight "
      "for every input-output pair, is an N D x N D matrix. Self-attention also lets every output depend on "
      "every input. Write it in that dense form and compare what has to be learned. Conventions: tokens are "
      "rows, X is N x D, V = X W_v, Y = A V with A = softmax(Q K^T) row by row; the stacked vector x lists "
      "x_1, then x_2, ..., then x_N. Count weights only (no biases), and for attention count W_q, W_k and W_v "
      "(each D x D) but not an output projection. Take N = 100 and D = 512 for the counts.";

  ex.part("a", 1, "How many weights does the dense N D x N D layer have?")
      .integer_answer("a_dense", "weights of the dense layer", dense_weights, "weights");
  ex.part("b", 1, "How many weights does self-attention learn?")
      .integer_answer("b_attention", "weights of W_q, W_k, W_v", attention_weights, "weights");
  ex.part("c", 1, "By what factor is the dense layer larger? Give four significant figures, and pick the "
                  "formula in N and D.")
      .number_answer("c_ratio", "dense / attention", [] { return double(dense_weights) / double(attention_weights); },
                     {5e-4, 0})
      .choice_answer("c_formula", "the ratio in general", {"N^2 D^2 / 3", "N^2 / 3", "N D / 3", "N^2 / (3 D)"},
                     "N^2 / 3");

  auto& d = ex.part("d", 3, "Implement dense_equivalent and show that M x is the stacked "
                            "A X W_v.");
  d.check("blocks", CheckKind::close, "M for N = 3, D = 4 (A a row softmax of Gaussian scores, W_v Gaussian) "
          "against the plain-loop layout M(nD + i, mD + j) = a_nm W_v(j, i)",
          [](const Context& ctx) {
            auto rng = ctx.rng("d-blocks");
            const auto a = random_attention(3, rng);
            const auto w_v = workbook::oracle::gaussian_rows(4, 4, rng);
            const auto expected = workbook::oracle::to_array(dense_oracle(a, w_v));
            return workbook::close(students_dense(a, w_v), expected, {1e-14, 0});
          });
  d.check("Y = A X W_v", CheckKind::property,
          "for random 1 <= N <= 6, 1 <= D <= 5, a row-stochastic A and Gaussian X and W_v, M times the stacked "
          "X equals the stacked A X W_v from plain loops within 1e-10 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("d-property"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(1, 7);
              const auto dim = *rc::gen::inRange<std::size_t>(1, 6);
              auto rng = workbook::oracle::property_rng();
              const auto a = random_attention(n, rng);
              const auto x = workbook::oracle::gaussian_rows(n, dim, rng);
              const auto w_v = workbook::oracle::gaussian_rows(dim, dim, rng);
              const auto m = students_dense(a, w_v);
              RC_ASSERT(m.shape(0) == n * dim && m.shape(1) == n * dim);
              const auto y = workbook::oracle::matmul(workbook::oracle::matmul(a, x), w_v);
              RC_ASSERT(vectors_close(times(m, stacked(x)), stacked(y), {1e-10, 1e-12}));
            });
          })
      .hint("Row n of Y is sum_m a_nm (x_m W_v); as a column that is sum_m a_nm W_v^T x_m.");

  ex.part("e", 1, "Where does the saving come from? Are the a_nm learned, and is M a low-rank matrix?")
      .choice_answer("e_learned", "are the a_nm learned parameters?", {"yes", "no, computed from the input"},
                     "no, computed from the input")
      .choice_answer("e_low_rank", "is M low-rank for generic inputs?", {"yes", "no"}, "no")
      .check("full rank", CheckKind::close,
             "log|det M| of your M (N = 4, D = 3, plain elimination) against D log|det A| + N log|det W_v|, "
             "finite and within 1e-8: M is invertible, rank N D",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-rank");
               const std::size_t n = 4, dim = 3;
               const auto a = random_attention(n, rng);
               const auto w_v = workbook::oracle::gaussian_rows(dim, dim, rng);
               const auto m = students_dense(a, w_v);
               const double expected = dim * workbook::oracle::log_abs_det(a) + n * workbook::oracle::log_abs_det(w_v);
               const double actual = workbook::oracle::log_abs_det(workbook::oracle::to_matrix(m));
               return workbook::close(actual, expected, {0, 1e-8});
             })
      .manual(1);
}
