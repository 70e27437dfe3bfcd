// manual/2: the softmax of the dot products is a valid set of attention coefficients. The oracle is the
// plain-loop softmax of oracle.hpp applied row by row; the properties cover random sizes and inputs large
// enough that exp of a raw score overflows. Part (c) shows that "a_nm > 0" holds exactly but not in doubles.

#include "manual/2/interface.hpp"

#include <numbers>

#include "workbook/oracle_matrix.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

// Scores x_n . x_m and their row softmax, one row at a time.
Matrix weights_oracle(const Matrix& x) {
  Matrix a;
  for (const auto& query : x) {
    workbook::oracle::Vector scores;
    for (const auto& key : x) scores.push_back(workbook::oracle::dot(query, key));
    a.push_back(workbook::oracle::softmax(scores));
  }
  return a;
}

// The student's weights and the oracle's are the same exponentials summed in a different order; with
// scores up to ~1e5 the exponents differ by ~1e-11, hence 1e-9 relative.
const workbook::Tolerance reordering{1e-9, 1e-12};

workbook::CheckResult matches_oracle(const Matrix& x) {
  return workbook::close(manual_2::softmax_weights(workbook::oracle::to_tensor(x)),
                         workbook::oracle::to_array(weights_oracle(x)), reordering);
}

// Inside a property: N x D tokens with 1 <= N <= 10, 1 <= D <= 8 and entries N(0, spread^2).
Matrix random_tokens(std::vector<double> spreads) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 11);
  const auto d = *rc::gen::inRange<std::size_t>(1, 9);
  const double spread = *rc::gen::elementOf(spreads);
  auto rng = workbook::oracle::property_rng();
  return workbook::oracle::gaussian_rows(n, d, rng, spread);
}

// The two constraints, on the student's weights: every entry finite and >= 0, every row sums to 1.
bool constraints_hold(const xt::xtensor<double, 2>& a, std::size_t n) {
  if (a.shape(0) != n || a.shape(1) != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (std::size_t m = 0; m < n; ++m) {
      if (!(std::isfinite(a(i, m)) && a(i, m) >= 0)) return false;
      sum += a(i, m);
    }
    if (!(std::abs(sum - 1) <= 1e-12)) return false;
  }
  return true;
}

// Part (c): two one-dimensional tokens x_1 = 30 and x_2 = 1, scores [[900, 30], [30, 1]].
const xt::xtensor<double, 2> far_apart = {{30}, {1}};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Softmax weights are valid attention coefficients";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement =
      "Let every token attend to every other through a_nm = exp(x_n . x_m) / sum_m' exp(x_n . x_m'), a "
      "softmax over the dot products in row n. Show that these weights meet the two requirements on "
      "attention coefficients (none negative, each row adding up to 1), implement them so that they "
      "survive inputs whose dot products are far outside the range of exp, and look at what 'strictly "
      "positive' means in double precision.";

  auto& a = ex.part("a", 2, "Implement softmax_weights.");
  a.check("example", CheckKind::close, "weights for a 5 x 3 Gaussian X against the plain-loop row softmax of "
          "the dot products (1e-9 relative)",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-example");
            return matches_oracle(workbook::oracle::gaussian_rows(5, 3, rng));
          });
  a.check("any N, D", CheckKind::property, "for random 1 <= N <= 10, 1 <= D <= 8 and entries of spread 1e-3, "
          "1 or 3, the weights match the plain-loop oracle within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              RC_ASSERT(matches_oracle(random_tokens({1e-3, 1.0, 3.0})).status == workbook::Status::pass);
            });
          })
      .hint("Compute S = X X^T, then exp(S - rowmax(S)) and divide by its row sums; store each reduction in "
            "a container before broadcasting it.");

  auto& b = ex.part("b", 2, "Show that the weights are non-negative and that each row sums to 1, for any inputs.");
  b.check("constraints", CheckKind::property,
          "for random 1 <= N <= 10, 1 <= D <= 8 and entries of spread 1e-3 ... 30 (scores up to ~1e4, where "
          "exp overflows), every weight is finite and >= 0, every row sums to 1 within 1e-12, and the weights "
          "match the plain-loop oracle",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto x = random_tokens({1e-3, 1.0, 10.0, 30.0});
              RC_ASSERT(constraints_hold(manual_2::softmax_weights(workbook::oracle::to_tensor(x)), x.size()));
              RC_ASSERT(matches_oracle(x).status == workbook::Status::pass);
            });
          });
  b.check("large", CheckKind::close, "a 6 x 4 X with entries of spread 40 (scores in the thousands): the "
          "weights equal the oracle's, with no inf or NaN",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-large");
            return matches_oracle(workbook::oracle::gaussian_rows(6, 4, rng, 40.0));
          })
      .manual(1)
      .hint("exp(710) is already inf in double precision; inf / inf is NaN.");

  auto& c = ex.part("c", 2, "Take N = 2 one-dimensional tokens x_1 = 30 and x_2 = 1. Give log10 of the exact "
                            "weight a_12 to two decimals, and say what double precision returns for a_12.");
  c.number_answer("c_log10", "log10 a_12 (exact)", [] {
     // a_12 = e^(30 - 900) / (1 + e^(30 - 900)); the denominator is 1 to within 1e-377.
     return (30.0 - 900.0) / std::numbers::ln10;
   }, {0, 5e-3})
      .choice_answer("c_double", "a_12 in double precision", {"a positive number", "exactly 0"}, "exactly 0")
      .check("underflow", CheckKind::close,
             "your weights for x = (30, 1): row 1 is exactly [1, 0] (e^-870 underflows), row 2 is "
             "[1/(1 + e^-29), e^-29/(1 + e^-29)] within 1e-12 relative",
             [](const Context&) {
               const double tail = std::exp(-29.0);
               const xt::xarray<double> exact = {{1.0, 0.0}, {1 / (1 + tail), tail / (1 + tail)}};
               return workbook::close(manual_2::softmax_weights(far_apart), exact, {1e-12, 0});
             })
      .hint("The scores are x_n x_m: 900, 30, 30 and 1. The smallest positive double is about e^-744.4.");
}
