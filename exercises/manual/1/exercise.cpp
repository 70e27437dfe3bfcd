// manual/1: non-negative coefficients that sum to 1 are each at most 1. The derivation becomes a computation:
// rest_nk (the mass of row n outside entry k) satisfies a_nk + rest_nk = 1 (sum to one) and rest_nk >= 0
// (non-negativity), so a_nk = 1 - rest_nk <= 1. The oracles are plain loops. The inputs are chosen so that a
// wrong routine cannot pass by luck: weights that are not normalised, exact zeros, ties, one-hot rows, rows
// whose scales differ by many orders of magnitude, and (part b) rows with negative entries.

#include "manual/1/interface.hpp"

#include <cmath>
#include <random>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

// Both routines may be written in float or double, and two routes are equally right: dividing by the row's
// total, and rest = total - a(n, k). Each loses a few ulps of the row's total (not of the entry: total - a
// cancels when a row is nearly one-hot), so errors are measured against the total of |a| over the row. A float
// total of at most 12 terms is off by at most 12 x 6e-8 = 7e-7 of itself; 1e-6 leaves room. Every mistake
// below (wrong axis, the max instead of the sum, the entry counted in its own rest, 1 - a on a row that does
// not sum to 1) moves some entry by at least a tenth of its row's total.
const double row_relative = 1e-6;

// Plain loops: a(n, m) = w(n, m) / (sum over m' of w(n, m')).
Matrix normalised_oracle(const Matrix& w) {
  const auto sums = workbook::oracle::row_sums(w);
  Matrix a = w;
  for (std::size_t n = 0; n < a.shape(0); ++n)
    for (std::size_t m = 0; m < a.shape(1); ++m) a(n, m) /= sums(n);
  return a;
}

// Plain loops: rest(n, k) = sum over m != k of a(n, m).
Matrix rest_oracle(const Matrix& a) {
  Matrix rest = xt::zeros<double>(a.shape());
  for (std::size_t n = 0; n < a.shape(0); ++n)
    for (std::size_t k = 0; k < a.shape(1); ++k)
      for (std::size_t m = 0; m < a.shape(1); ++m)
        if (m != k) rest(n, k) += a(n, m);
  return rest;
}

// `actual` against `expected` with every row divided by the total of |scale| over that row (row_relative).
workbook::CheckResult close_per_row(const xt::xtensor<double, 2>& actual, const Matrix& expected, const Matrix& scale) {
  if (actual.shape() != expected.shape()) return workbook::close(actual, expected);  // reports the shapes
  xt::xarray<double> got = actual, want = expected;
  for (std::size_t n = 0; n < scale.shape(0); ++n) {
    double total = 0;
    for (std::size_t m = 0; m < scale.shape(1); ++m) total += std::abs(scale(n, m));
    for (std::size_t m = 0; m < scale.shape(1); ++m) {
      got(n, m) /= total;
      want(n, m) /= total;
    }
  }
  return workbook::close(got, want, {0, row_relative});
}

bool holds_per_row(const xt::xtensor<double, 2>& actual, const Matrix& expected, const Matrix& scale) {
  return close_per_row(actual, expected, scale).status == workbook::Status::pass;
}

// Inside a property: N x M non-negative weights, 1 <= N, M <= 12. Each row has its own scale, 10^-20 .. 10^20
// (so rows differ by up to 40 orders of magnitude, all within float's range); about a third of the entries are
// exact zeros, some rows repeat one value (ties), and one entry per row is forced positive.
Matrix random_weights() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto m = *rc::gen::inRange<std::size_t>(1, 13);
  auto rng = workbook::oracle::property_rng();
  std::uniform_real_distribution<double> unit(0.5, 1.0), exponent(-20.0, 20.0), spread(-3.0, 3.0);
  std::uniform_int_distribution<int> third(0, 2), shape(0, 3);
  std::uniform_int_distribution<std::size_t> column(0, m - 1);
  Matrix w = Matrix::from_shape({n, m});
  for (std::size_t r = 0; r < n; ++r) {
    const double scale = std::pow(10.0, exponent(rng));
    const bool ties = shape(rng) == 0;
    const double tied = unit(rng) * scale;
    for (std::size_t c = 0; c < m; ++c)
      w(r, c) = third(rng) == 0 ? 0.0 : ties ? tied : unit(rng) * scale * std::pow(10.0, spread(rng));
    w(r, column(rng)) = ties ? tied : unit(rng) * scale;
  }
  return w;
}

// Inside a property: rows that sum to 1, some with negative entries (raw scores in [-1, 3] divided by their
// sum, kept only when the sum is at least M / 2 so that no row is a near-cancellation), the others from
// random_weights().
Matrix random_unit_sum_rows() {
  Matrix a = normalised_oracle(random_weights());
  auto rng = workbook::oracle::property_rng();
  std::uniform_real_distribution<double> score(-1.0, 3.0);
  std::bernoulli_distribution signed_row(0.5);
  for (std::size_t n = 0; n < a.shape(0); ++n) {
    if (!signed_row(rng)) continue;
    double sum = 0;
    while (sum < 0.5 * double(a.shape(1))) {
      sum = 0;
      for (std::size_t m = 0; m < a.shape(1); ++m) sum += a(n, m) = score(rng);
    }
    for (std::size_t m = 0; m < a.shape(1); ++m) a(n, m) /= sum;
  }
  return a;
}

// Fixed adversarial weights (4 x 4, so that a routine working along the wrong axis returns the right shape):
// a tie for the largest entry with zeros beside it, a one-hot row, all-equal entries, and a row a million
// times smaller than the others with an exact zero.
const Matrix tricky_weights = {{5, 5, 0, 0}, {0, 0, 7, 0}, {2, 2, 2, 2}, {1e-6, 3e-6, 0, 4e-6}};

// Fixed rows for rest_of_row that do not sum to 1: different totals (9, 28, 0.01), ties, zeros, a one-hot row.
const Matrix tricky_rows = {{2, 0, 2, 5}, {7, 7, 7, 7}, {1e-3, 4e-3, 0, 5e-3}, {0, 0, 3, 0}};

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 2, "Implement normalise_rows: coefficients from non-negative weights, each row divided "
                            "by its sum.");
  a.check("example", workbook::CheckKind::close,
          "a 4 x 4 weight matrix with ties, exact zeros, a one-hot row and a row a million times smaller than "
          "the others, against the plain-loop division by row sums (errors measured against each row's total)",
          [](const Context&) {
            return close_per_row(manual_1::normalise_rows(tricky_weights), normalised_oracle(tricky_weights),
                                 normalised_oracle(tricky_weights));
          });
  a.check("any weights", workbook::CheckKind::property,
          "for random N x M non-negative weights (1 <= N, M <= 12, rows of scales 1e-20 .. 1e20, exact zeros, "
          "ties): the result matches the plain-loop division, every coefficient is >= 0 and every row sums to "
          "1 (within 1e-6)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const auto w = random_weights();
              const auto coefficients = manual_1::normalise_rows(w);
              const auto expected = normalised_oracle(w);
              RC_ASSERT(holds_per_row(coefficients, expected, expected));
              RC_ASSERT(xt::amin(coefficients)() >= 0.0);
              const Matrix sums = xt::sum(coefficients, {1}, xt::keep_dims);
              RC_ASSERT(workbook::close(sums, xt::ones<double>(sums.shape()), {0, row_relative}).status ==
                        workbook::Status::pass);
            });
          })
      .hint("Divide by a column vector of row sums (keep_dims), evaluated into a container first.");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, "Implement rest_of_row, the mass each row gives to everything except entry k, and use "
                            "it to check the two steps of the proof on random rows.");
  b.check("example", workbook::CheckKind::close,
          "rest_of_row of a 4 x 4 matrix whose rows do not sum to 1 (different totals, ties, zeros, a one-hot "
          "row) against the plain double loop over m != k (errors measured against each row's total)",
          [](const Context&) {
            return close_per_row(manual_1::rest_of_row(tricky_rows), rest_oracle(tricky_rows), tricky_rows);
          });
  b.check("any matrix", workbook::CheckKind::property,
          "for random N x M non-negative matrices that are not normalised (the weights of part a), rest_of_row "
          "matches the plain double loop over m != k (errors measured against each row's total)",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-rest"), [] {
              const auto w = random_weights();
              RC_ASSERT(holds_per_row(manual_1::rest_of_row(w), rest_oracle(w), w));
            });
          });
  b.check("proof steps", workbook::CheckKind::property,
          "on random rows that sum to 1, half of them with negative entries: a_nk + rest_nk = 1 (the "
          "sum-to-one step, within 1e-6 of the row's total of |a|) on every row, and rest_nk >= 0 (the "
          "non-negativity step) on every row without a negative entry",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-steps"), [] {
              const auto a = random_unit_sum_rows();
              const auto rest = manual_1::rest_of_row(a);
              const Matrix sum_to_one = a + rest;
              RC_ASSERT(holds_per_row(sum_to_one, xt::ones<double>(a.shape()), a));
              for (std::size_t n = 0; n < a.shape(0); ++n) {
                if (xt::amin(xt::row(a, n))() < 0) continue;
                for (std::size_t k = 0; k < a.shape(1); ++k) RC_ASSERT(rest(n, k) >= 0.0);
              }
            });
          })
      .hint("The total of row n minus a(n, k) is one way; a loop that skips m = k is another. Do not assume "
            "that the rows you are given sum to 1.");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Why an attention coefficient never exceeds 1";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(Token n spreads its attention over M positions with coefficients a_n1, ..., a_nM. Two facts are given: no coefficient is negative, and together they add up to 1. From these alone it follows that no single coefficient can be larger than 1. Prove it, turn the proof into a computation on random rows, and find out which of the two facts the bound really depends on. Your code may work in float or double.)";

  part_a(ex);
  part_b(ex);

  ex.part("c", 2, "Drop non-negativity: normalise the raw scores (3, -1) by their sum, without clipping or "
                  "exponentiating. What coefficients come out (to three decimal places), do they respect the "
                  "bound, and which hypothesis of the proof is missing?")
      .array_answer("c_coefficients", "the two coefficients", {2},
                    [] {
                      xt::xarray<double> coefficients = normalised_oracle(Matrix{{3, -1}});
                      coefficients.reshape({2});
                      return coefficients;
                    },
                    workbook::Precision::decimal_places(3))
      .choice_answer("c_bounded", "is every coefficient <= 1?", {"yes", "no"}, "no")
      .choice_answer("c_missing", "the hypothesis that fails", {"non-negativity", "sum to one"}, "non-negativity")
      .hint("Which step of the proof needs rest_nk >= 0?");

  ex.part("d", 1, "Write the proof in two or three lines, and say when a coefficient equals 1.").manual();
}
