// manual/3: self-attention on orthogonal inputs does not return its input. The closed form for the
// weights, a = e^s / (e^s + N - 1) on the diagonal and b = 1 / (e^s + N - 1) elsewhere, is the oracle;
// the distance ||Y - X||_F = N sqrt((N - 1) s) / (e^s + N - 1) follows from it (derivation in the notes).

#include "manual/3/interface.hpp"

#include <cmath>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

double self_weight(double s, double n) { return std::exp(s) / (std::exp(s) + n - 1); }
double other_weight(double s, double n) { return 1 / (std::exp(s) + n - 1); }
double distance_closed_form(double s, double n) { return n * std::sqrt((n - 1) * s) / (std::exp(s) + n - 1); }

// N orthogonal rows of squared norm s in R^d.
Matrix orthogonal_tokens(std::size_t n, std::size_t d, double s, std::mt19937_64& rng) {
  return workbook::oracle::orthonormal_rows(n, d, rng) * std::sqrt(s);
}

// Y from the closed form: y_n = a x_n + b sum_{m != n} x_m.
Matrix closed_form_output(const Matrix& x, double s) {
  const std::size_t n = x.shape(0);
  const double a = self_weight(s, n), b = other_weight(s, n);
  Matrix y = xt::zeros<double>(x.shape());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t m = 0; m < n; ++m)
      for (std::size_t c = 0; c < x.shape(1); ++c) y(i, c) += (i == m ? a : b) * x(m, c);
  return y;
}

double distance_to_input(const Matrix& x) {
  const xt::xtensor<double, 2> y = manual_3::self_attention(x);
  workbook::require_shape("self_attention", y, {x.shape(0), x.shape(1)});
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += (y.flat(i) - x.flat(i)) * (y.flat(i) - x.flat(i));
  return std::sqrt(sum);
}

// The statement asks for double precision and says why (distances down to 1e-11 and below).
const workbook::Tolerance double_precision = workbook::tolerance::double_computation;

// At s = 40 the exact distance is 4e-17 of ||X||, below double's resolution: Y rounds to X within a few
// ulps of X's entries (about 1e-16 of ||X|| each), so 1e-15 of ||X|| passes a right layer and fails any
// mistake that leaves a weight of 1e-15 or more off the diagonal.
const workbook::Tolerance at_double_resolution{0, 1e-15};

const std::vector<double> norms = {0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30};

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 2, "Implement self_attention.");
  c.check("orthogonal", workbook::CheckKind::close,
          "Y for 10 orthogonal tokens in R^16 of squared norm one against the closed form y_n = a x_n + b "
          "sum_{m!=n} x_m (1e-9 relative)",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-orthogonal");
            const auto x = orthogonal_tokens(10, 16, 1.0, rng);
            return workbook::close(manual_3::self_attention(x), closed_form_output(x, 1.0), double_precision);
          });
  c.check("general", workbook::CheckKind::close,
          "Y for a 6 x 5 Gaussian X (not orthogonal) against plain-loop attention (1e-9 relative)",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-general");
            const auto x = workbook::oracle::gaussian_matrix(6, 5, rng);
            return workbook::close(manual_3::self_attention(x), workbook::oracle::attention(x, x, x, 1.0),
                                   double_precision);
          });
  c.check("any orthogonal set", workbook::CheckKind::property,
          "for random N <= D <= 12 and s in [0.1, 30], Y matches the closed form within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto d = *rc::gen::inRange<std::size_t>(1, 13);
              const auto n = *rc::gen::inRange<std::size_t>(1, d + 1);
              const double s = *rc::gen::inRange(1, 301) / 10.0;
              auto rng = workbook::oracle::property_rng();
              const auto x = orthogonal_tokens(n, d, s, rng);
              RC_ASSERT(workbook::close(manual_3::self_attention(x), closed_form_output(x, s), double_precision)
                            .status == workbook::Status::pass);
            });
          });
}

void part_d(workbook::Exercise& ex) {
  auto& d = ex.part("d", 2, "Is Y = X for unit-norm orthogonal tokens? Give ||Y - X||_F for N = 10, s = 1 to three "
                            "decimal places, and show how the distance behaves as s grows.");
  d.choice_answer("d_equal", "does Y equal X exactly for tokens of squared norm one?", {"yes", "no"}, "no")
      .number_answer("d_distance", "||Y - X||_F for N = 10 tokens of squared norm one", [] { return distance_closed_form(1, 10); },
                     workbook::Precision::decimal_places(3));
  d.check("distance vs s", workbook::CheckKind::close,
          "||Y - X||_F from your self_attention at 16 squared norms from 0.25 to 30 (N = D = 10) against the "
          "distance that the exact weights give (1e-9 relative)",
          [](const Context& ctx) {
            auto rng = ctx.rng("d-distance");
            xt::xarray<double> got = xt::zeros<double>({norms.size()}), want = got;
            for (std::size_t i = 0; i < norms.size(); ++i) {
              got(i) = distance_to_input(orthogonal_tokens(10, 10, norms[i], rng));
              want(i) = distance_closed_form(norms[i], 10);
            }
            return workbook::close(got, want, double_precision);
          });
  d.check("limit", workbook::CheckKind::close,
          "||Y - X||_F / ||X|| from your self_attention at squared norm 40 (N = D = 10) against the exact "
          "value, within double precision's resolution (1e-15)",
          [](const Context& ctx) {
            auto rng = ctx.rng("d-limit");
            const double s = 40;
            return workbook::close(distance_to_input(orthogonal_tokens(10, 10, s, rng)) / std::sqrt(10 * s),
                                   distance_closed_form(s, 10) / std::sqrt(10 * s), at_double_resolution);
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Orthogonal inputs: does self-attention return X?";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement = R"(Take self-attention with no learned maps and no scaling, Y = softmax(X X^T) X, the softmax applied to each row. The N token vectors x_1..x_N (the rows of X) are mutually orthogonal and all have squared length s. A tempting argument says each token then attends only to itself, so Y = X. Test that claim: find the attention weights exactly, implement the layer, and measure how far Y is from X as s grows. Compute in double precision: the distances you will measure fall far below float's rounding of X itself.)";

  ex.part("a", 2, "With N = 10 tokens of squared norm s = 1, find the weight a token puts on itself and the "
                  "weight it puts on each other token, to three decimal places.")
      .number_answer("a_self", "a_nn for N = 10 tokens of squared norm one", [] { return self_weight(1, 10); },
                     workbook::Precision::decimal_places(3))
      .number_answer("a_other", "a_nm (m != n) for N = 10 tokens of squared norm one", [] { return other_weight(1, 10); },
                     workbook::Precision::decimal_places(3))
      .hint("Every off-diagonal score is 0, and exp(0) = 1: those terms do not vanish from the denominator.");
  ex.part("b", 1, "Same N, now with s = 10: the weight a token puts on itself, to four decimal places.")
      .number_answer("b_self", "a_nn for N = 10 tokens of squared norm ten", [] { return self_weight(10, 10); },
                     workbook::Precision::decimal_places(4));

  part_c(ex);
  part_d(ex);

  ex.plot("distance", "||Y - X||_F from your self_attention against the squared norm s of the tokens (N = D = 10), "
          "with the curve that the exact weights give",
          [](const Context& ctx) {
            workbook::Plot p;
            p.title = "Self-attention on orthogonal tokens: distance from the input";
            p.xlabel = "squared norm s of each token";
            p.ylabel = "||Y - X||_F";
            p.logy = true;
            workbook::Series measured{"your self_attention", {}, {}, workbook::Series::Style::points};
            workbook::Series closed{"from the exact weights", {}, {}, workbook::Series::Style::lines};
            auto rng = ctx.rng("plot");
            for (double s : norms) {
              measured.x.push_back(s);
              measured.y.push_back(distance_to_input(orthogonal_tokens(10, 10, s, rng)));
            }
            for (double s = 0.1; s <= 30.0; s += 0.1) {
              closed.x.push_back(s);
              closed.y.push_back(distance_closed_form(s, 10));
            }
            p.series = {closed, measured};
            return p;
          });
}
