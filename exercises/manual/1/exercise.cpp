// manual/1: non-negative coefficients that sum to 1 are each at most 1. The derivation is turned into a
// computation: for random non-negative rows, a_nk + rest_nk = 1 (sum to one) and rest_nk >= 0
// (non-negativity) are checked separately, and a_nk = 1 - rest_nk <= 1 follows. The oracle is a plain loop;
// part (c) asks for the counterexample that shows non-negativity cannot be dropped.

#include "manual/1/interface.hpp"

#include <limits>

#include "workbook/oracle_matrix.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

// Rounding: a row sum of at most 12 terms in [0, 1] is off from 1 by a few ulps.
const double rounding = 1e-12;

// Plain loops: a = w / row sum, and rest(n, k) = sum over m != k of a(n, m).
Matrix normalised_oracle(const Matrix& w) {
  Matrix a = w;
  const auto sums = workbook::oracle::row_sums(w);
  for (std::size_t n = 0; n < a.size(); ++n)
    for (auto& v : a[n]) v /= sums[n];
  return a;
}

Matrix rest_oracle(const Matrix& a) {
  Matrix rest(a.size(), Vector(a.front().size(), 0.0));
  for (std::size_t n = 0; n < a.size(); ++n)
    for (std::size_t k = 0; k < a[n].size(); ++k)
      for (std::size_t m = 0; m < a[n].size(); ++m)
        if (m != k) rest[n][k] += a[n][m];
  return rest;
}

// Inside a property: an N x M matrix of non-negative weights with 1 <= N, M <= 12. Entries are exact
// zeros about a third of the time and otherwise span 1e-100 .. 1e100, so rows may be nearly one-hot;
// one entry per row is forced positive so the row sum is never 0.
Matrix random_weights() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto m = *rc::gen::inRange<std::size_t>(1, 13);
  auto rng = workbook::oracle::property_rng();
  std::uniform_real_distribution<double> unit(0.5, 1.0), exponent(-100.0, 100.0);
  std::uniform_int_distribution<int> third(0, 2);
  std::uniform_int_distribution<std::size_t> column(0, m - 1);
  Matrix w(n, Vector(m));
  for (auto& row : w) {
    for (auto& v : row) v = third(rng) == 0 ? 0.0 : unit(rng) * std::pow(10.0, exponent(rng));
    row[column(rng)] = unit(rng) * std::pow(10.0, exponent(rng));
  }
  return w;
}

// The hypotheses of the exercise, checked on the student's coefficients: a >= 0 and every row sums to 1.
bool row_stochastic(const xt::xtensor<double, 2>& a) {
  for (std::size_t n = 0; n < a.shape(0); ++n) {
    double sum = 0;
    for (std::size_t m = 0; m < a.shape(1); ++m) {
      if (!(a(n, m) >= 0)) return false;
      sum += a(n, m);
    }
    if (!(std::abs(sum - 1) <= rounding)) return false;
  }
  return true;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Why an attention coefficient never exceeds 1";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement =
      "Token n spreads its attention over M positions with coefficients a_n1, ..., a_nM. Two facts are "
      "given: no coefficient is negative, and together they add up to 1. From these alone it follows that "
      "no single coefficient can be larger than 1. Prove it, turn the proof into a computation on random "
      "rows, and find out which of the two facts the bound really depends on. Decimals to three places.";

  auto& a = ex.part("a", 2, "Implement normalise_rows: coefficients from non-negative "
                            "weights, each row divided by its sum.");
  a.check("example", CheckKind::close, "a 2 x 3 weight matrix [[1, 2, 1], [0, 3, 0]] against the plain-loop "
          "division by row sums: [[0.25, 0.5, 0.25], [0, 1, 0]]",
          [](const Context&) {
            const Matrix w = {{1, 2, 1}, {0, 3, 0}};
            return workbook::close(manual_1::normalise_rows(workbook::oracle::to_tensor(w)),
                                   workbook::oracle::to_array(normalised_oracle(w)), {rounding, rounding});
          });
  a.check("row-stochastic", CheckKind::property,
          "for random N x M non-negative weights (1 <= N, M <= 12, entries 0 or 1e-100 .. 1e100): every "
          "coefficient is >= 0, every row sums to 1 within 1e-12, each coefficient is <= 1 (+1e-15), and the "
          "result matches the plain-loop division within 1e-12 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const auto w = random_weights();
              const auto coefficients = manual_1::normalise_rows(workbook::oracle::to_tensor(w));
              RC_ASSERT(workbook::oracle::all_close(coefficients, normalised_oracle(w), {rounding, 1e-300}));
              RC_ASSERT(row_stochastic(coefficients));
              RC_ASSERT(xt::amax(coefficients)() <= 1.0 + 1e-15);  // w * (1 / sum) may round one ulp up
            });
          });
  a.check("one-hot", CheckKind::close, "a row with a single positive weight, [0, 0, 7, 0], gives the "
          "coefficient 1 on that entry: the bound is attained",
          [](const Context&) {
            const xt::xtensor<double, 2> w = {{0, 0, 7, 0}};
            return workbook::close(manual_1::normalise_rows(w), xt::xarray<double>{{0, 0, 1, 0}}, {0, 1e-15});
          })
      .hint("Divide by a column vector of row sums (keep_dims), evaluated into a container first.");

  auto& b = ex.part("b", 2, "Implement rest_of_row, the mass each row gives to everything except entry k, and use "
                            "it to check the two steps of the proof on random rows.");
  b.check("rest", CheckKind::property,
          "for random row-stochastic N x M matrices (plain-loop normalisation of random non-negative weights), "
          "rest_of_row matches the plain double loop over m != k within 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-rest"), [] {
              const auto a = normalised_oracle(random_weights());
              RC_ASSERT(workbook::oracle::all_close(manual_1::rest_of_row(workbook::oracle::to_tensor(a)),
                                                    rest_oracle(a), {0.0, rounding}));
            });
          });
  b.check("proof steps", CheckKind::property,
          "on the same random rows: a_nk + rest_nk = 1 within 1e-12 (sum to one), rest_nk >= 0 "
          "(non-negativity), and therefore a_nk = 1 - rest_nk <= 1 + 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-steps"), [] {
              const auto a = normalised_oracle(random_weights());
              const auto rest = manual_1::rest_of_row(workbook::oracle::to_tensor(a));
              RC_ASSERT(rest.shape(0) == a.size() && rest.shape(1) == a.front().size());
              for (std::size_t n = 0; n < a.size(); ++n)
                for (std::size_t k = 0; k < a[n].size(); ++k) {
                  RC_ASSERT(std::abs(a[n][k] + rest(n, k) - 1) <= rounding);
                  RC_ASSERT(rest(n, k) >= 0.0);
                  RC_ASSERT(1 - rest(n, k) <= 1 + rounding);
                }
            });
          })
      .hint("The total of row n minus a(n, k) is one way; a loop that skips m = k is another.");

  auto& c = ex.part("c", 2, "Drop non-negativity: normalise the raw scores (3, -1) by their sum, without clipping "
                            "or exponentiating. What coefficients come out, do they respect the bound, and which "
                            "hypothesis of the proof is missing?");
  c.array_answer("c_coefficients", "the two coefficients", {2}, [] {
     return workbook::oracle::to_array(normalised_oracle({{3, -1}}).front());
   }, {0, 5e-4})
      .choice_answer("c_bounded", "is every coefficient <= 1?", {"yes", "no"}, "no")
      .choice_answer("c_missing", "the hypothesis that fails", {"non-negativity", "sum to one"}, "non-negativity")
      .hint("The sum is 2. Which step of the proof needs rest_nk >= 0?");

  ex.part("d", 1, "Write the proof in two or three lines, and say when a coefficient equals 1.")
      .manual();
}
