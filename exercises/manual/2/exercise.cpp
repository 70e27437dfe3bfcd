// manual/2: the softmax of the dot products is a valid set of attention coefficients. The oracle is the
// plain-loop row softmax of oracle/attention.hpp applied to the plain-loop X X^T; the properties cover random
// sizes and inputs large enough that exp of a raw score overflows, in rows of very different scales. Part (c)
// shows that "a_nm > 0" holds exactly but not in doubles.

#include "manual/2/interface.hpp"

#include <cmath>
#include <numbers>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

// The scores x_n . x_m and their row softmax, by plain loops.
Matrix weights_oracle(const Matrix& x) {
  return workbook::oracle::softmax_rows(workbook::oracle::matmul(x, workbook::oracle::transpose(x)));
}

// The statement asks for double precision (scores in the thousands): the student's weights and the oracle's are
// the same exponentials summed in another order.
workbook::CheckResult matches_oracle(const Matrix& x) {
  return workbook::close(manual_2::softmax_weights(x), weights_oracle(x), workbook::tolerance::double_computation);
}

bool oracle_holds(const Matrix& x) { return matches_oracle(x).status == workbook::Status::pass; }

// Inside a property: N x D tokens with 1 <= N <= 10, 1 <= D <= 8 and entries N(0, spread^2).
Matrix random_tokens(std::vector<double> spreads) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 11);
  const auto d = *rc::gen::inRange<std::size_t>(1, 9);
  const double spread = *rc::gen::elementOf(spreads);
  auto rng = workbook::oracle::property_rng();
  return workbook::oracle::gaussian_matrix(n, d, rng, spread);
}

// The two constraints, on the student's weights: every entry finite and >= 0, every row sums to 1 (N <= 10
// terms in double: a few ulps, far inside 1e-12).
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

// Fixed tokens of very different norms (0.01 to about 57): their rows of scores peak anywhere from 1e-4 to 3200.
const Matrix mixed_scales = {{40, 40, 0}, {0.01, 0, 0}, {0, 3, -2}, {-30, 25, 1}, {0, 0, 0.5}, {1, 1, 1}};

// Part (c): two one-dimensional tokens x_1 = 30 and x_2 = 1, scores [[900, 30], [30, 1]].
const Matrix far_apart = {{30}, {1}};

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 2, "Implement softmax_weights.");
  a.check("example", workbook::CheckKind::close,
          "weights for a 5 x 3 Gaussian X against the plain-loop row softmax of the dot products (1e-9 relative)",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-example");
            return matches_oracle(workbook::oracle::gaussian_matrix(5, 3, rng));
          });
  a.check("any N, D", workbook::CheckKind::property,
          "for random 1 <= N <= 10, 1 <= D <= 8 and entries of spread 1e-3, 1 or 3, the weights match the "
          "plain-loop oracle within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"),
                                      [] { RC_ASSERT(oracle_holds(random_tokens({1e-3, 1.0, 3.0}))); });
          })
      .hint("Compute S = X X^T, then exp(S - rowmax(S)) and divide by its row sums; store each reduction in "
            "a container before broadcasting it.");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, "Show that the weights are non-negative and that each row sums to 1, for any inputs.");
  b.check("constraints", workbook::CheckKind::property,
          "for random 1 <= N <= 10, 1 <= D <= 8 and entries of spread 1e-3 ... 30 (scores up to ~1e4, where "
          "exp overflows), every weight is finite and >= 0, every row sums to 1 within 1e-12, and the weights "
          "match the plain-loop oracle",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto x = random_tokens({1e-3, 1.0, 10.0, 30.0});
              RC_ASSERT(constraints_hold(manual_2::softmax_weights(x), x.shape(0)));
              RC_ASSERT(oracle_holds(x));
            });
          });
  b.check("different scales", workbook::CheckKind::close,
          "a 6 x 3 X whose tokens have norms from 0.01 to about 57, so that one row's scores stay near 0 while "
          "another's reach the thousands, against the oracle (1e-9 relative), with no inf or NaN",
          [](const Context&) { return matches_oracle(mixed_scales); })
      .manual(1)
      .hint("exp(710) is already inf in double precision; inf / inf is NaN. Whatever you subtract before exp "
            "must be a constant of the row, and must leave that row's largest exponent at 0.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c1", 2, "Take N = 2 one-dimensional tokens x_1 = 30 and x_2 = 1. Give log10 of the exact weight a_12 "
                   "to two decimal places, and say what double precision returns for a_12.")
      .number_answer("c_log10", "log10 a_12 (exact)", [] {
         // a_12 = e^(30 - 900) / (1 + e^(30 - 900)); the denominator is 1 to within 1e-377.
         return (30.0 - 900.0) / std::numbers::ln10;
       }, workbook::Precision::decimal_places(2))
      .choice_answer("c_double", "a_12 in double precision", {"a positive number", "exactly 0"}, "exactly 0")
      .hint("The scores are x_n x_m: 900, 30, 30 and 1. The smallest positive double is about e^-744.4.");
  ex.part("c2", 1, "Run your softmax_weights on the same two tokens.")
      .check("two tokens", workbook::CheckKind::close,
             "your weights for x = (30, 1) against the exact weights rounded to double precision (1e-12 relative)",
             [](const Context&) {
               const double tail = std::exp(-29.0), far_tail = std::exp(-870.0);
               const xt::xarray<double> exact = {{1 / (1 + far_tail), far_tail / (1 + far_tail)},
                                                 {1 / (1 + tail), tail / (1 + tail)}};
               return workbook::close(manual_2::softmax_weights(far_apart), exact, {1e-12, 0});
             });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Softmax weights are valid attention coefficients";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement = R"(Let every token attend to every other through a_nm = exp(x_n . x_m) / sum_m' exp(x_n . x_m'), a softmax over the dot products in row n. Show that these weights meet the two requirements on attention coefficients (none negative, each row adding up to 1), implement them so that they survive inputs whose dot products are far outside the range of exp, and look at what 'strictly positive' means in double precision. Compute in double: the scores here reach the thousands, where float's rounding (about 1e-4 absolute) would already move the weights in their fourth digit, and part (c) is about double precision itself.)";

  part_a(ex);
  part_b(ex);
  part_c(ex);
}
