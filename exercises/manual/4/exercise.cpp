// manual/4: E[(a.b)^2] = D for independent a, b ~ N(0, I_D), checked empirically. Tolerances come from the
// sample size: with Y = (a.b)^2, Var(Y) = 2D^2 + 6D (derived in the notes), so the sample mean of n draws
// has standard error sqrt((2D^2 + 6D) / n), and each check allows 5 of them (false alarm ~6e-7).

#include "manual/4/interface.hpp"

#include <cmath>

namespace {

using workbook::Context;

// Closed-form moments of a.b (derivation in the notes): conditionally on b, a.b ~ N(0, |b|^2), and
// |b|^2 is chi-squared with D degrees of freedom.
double second_moment(double d) { return d; }                                            // E[(a.b)^2]
double fourth_moment(double d) { return 3 * d * (d + 2); }                              // E[(a.b)^4]
double eighth_moment(double d) { return 105 * d * (d + 2) * (d + 4) * (d + 6); }        // E[(a.b)^8]
double variance_of_square(double d) { return fourth_moment(d) - d * d; }                // 2D^2 + 6D
double variance_of_fourth(double d) { return eighth_moment(d) - std::pow(fourth_moment(d), 2); }

std::size_t sample_size(const Context& ctx) { return ctx.full() ? 200000 : 20000; }

xt::xtensor<double, 1> draw(const Context& ctx, std::size_t d, std::size_t n, const std::string& stream) {
  auto rng = ctx.rng(stream);
  const auto samples = manual_4::squared_dot_samples(d, n, rng);
  if (samples.size() != n) throw std::runtime_error("squared_dot_samples returned the wrong number of samples");
  return samples;
}

double sample_mean_of_power(const xt::xtensor<double, 1>& v, int power) {
  double sum = 0;
  for (double x : v) sum += std::pow(x, power);
  return sum / double(v.size());
}

// The sample mean of Y = (a.b)^2 against D, within 5 standard errors sqrt(Var(Y) / n).
workbook::CheckResult mean_matches(const Context& ctx, std::size_t d) {
  const std::size_t n = sample_size(ctx);
  const auto samples = draw(ctx, d, n, "b-" + std::to_string(d));
  const double standard_error = std::sqrt(variance_of_square(d) / n);
  return workbook::close(sample_mean_of_power(samples, 1), second_moment(d), {0, 5 * standard_error});
}

// The sample mean of Y^2 = (a.b)^4 against 3D(D + 2), the moment the variance rests on. Y^2 has heavier
// tails than Y, so 6 standard errors sqrt(Var(Y^2) / n).
workbook::CheckResult fourth_matches(const Context& ctx, std::size_t d) {
  const std::size_t n = sample_size(ctx);
  const auto samples = draw(ctx, d, n, "c-" + std::to_string(d));
  const double standard_error = std::sqrt(variance_of_fourth(d) / n);
  return workbook::close(sample_mean_of_power(samples, 2), fourth_moment(d), {0, 6 * standard_error});
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "How large is the dot product of two random vectors?";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(Draw a and b independently from N(0, I_D): every coordinate of each is an independent standard normal. Their dot product a.b has mean 0. Show that its square has expected value D, so that a typical raw attention score grows like sqrt(D); check it by simulation, with a tolerance you can justify, and find how much the square itself fluctuates.)";

  ex.part("a", 1, "Show that E[(a.b)^2] = D, and say where your argument needs a and b to be independent. To "
                  "see that it matters, take the same vector twice: find E[(a.a)^2] = E[|a|^4] for D = 512.")
      .integer_answer("a_same_vector", "E[(a.a)^2] for D = 512", 512 * 514)
      .hint("a.a = |a|^2 is a sum of D independent squares z_i^2, each with mean 1 and E[z_i^4] = 3.")
      .manual(1);

  auto& b = ex.part("b", 2, "Implement squared_dot_samples and check E[(a.b)^2] = D "
                            "by simulation for D = 4, 16, 64, 256 and 512.");
  for (std::size_t d : {4, 16, 64, 256, 512})
    b.check("mean D=" + std::to_string(d), CheckKind::close,
            "the mean of n = 20000 samples (200000 with --full) of (a.b)^2 in D = " + std::to_string(d) +
                " against D, within 5 standard errors (from the exact variance of (a.b)^2, part c1)",
            [d](const Context& ctx) { return mean_matches(ctx, d); });
  b.check("samples", CheckKind::property, "squared_dot_samples(8, 1000) returns 1000 values, all >= 0 and finite",
          [](const Context& ctx) {
            const auto samples = draw(ctx, 8, 1000, "b-samples");
            bool valid = true;
            for (double s : samples) valid = valid && std::isfinite(s) && s >= 0;
            return workbook::holds(valid, samples.size(), "every sample of a square must be finite and >= 0");
          })
      .hint("Draw fresh a and b for every sample; do not reuse one vector across samples.");

  ex.part("c1", 1, "Find Var((a.b)^2) as a function of D (it sets the tolerance of part (b)), and give it for "
                   "D = 512.")
      .integer_answer("c_variance", "Var((a.b)^2) for D = 512", 2 * 512 * 512 + 6 * 512)
      .hint("Condition on b: a.b is then normal with variance |b|^2, and E[z^4] = 3 for a standard normal z. "
            "|b|^2 is chi-squared with D degrees of freedom: mean D, variance 2D.");
  ex.part("c2", 1, "Check the moment your variance rests on, E[(a.b)^4], by simulation with your "
                   "squared_dot_samples.")
      .check("fourth D=4", CheckKind::close, "the mean of (a.b)^4 over n samples in D = 4 against its exact value, "
             "within 6 standard errors (from the exact E[(a.b)^8])",
             [](const Context& ctx) { return fourth_matches(ctx, 4); })
      .check("fourth D=64", CheckKind::close, "the same in D = 64",
             [](const Context& ctx) { return fourth_matches(ctx, 64); })
      .check("fourth D=512", CheckKind::close, "the same in D = 512",
             [](const Context& ctx) { return fourth_matches(ctx, 512); });

  ex.part("d", 1, "Give the standard deviation of a.b for D = 512 to four significant figures, and the factor by "
                  "which scores must be multiplied to bring their variance back to 1. Why does that matter "
                  "before a softmax?")
      .number_answer("d_sd", "SD of a.b for D = 512", [] { return std::sqrt(512.0); },
                     workbook::Precision::significant_figures(4))
      .choice_answer("d_scale", "the factor", {"1/D", "1/sqrt(D)", "sqrt(D)", "1"}, "1/sqrt(D)")
      .manual(1);

  ex.plot("mean-square", "The sample mean of (a.b)^2 against D, with the line y = D (log-log)",
          [](const Context& ctx) {
            workbook::Plot p;
            p.title = "Mean square of the dot product of two N(0, I_D) vectors";
            p.xlabel = "dimension D";
            p.ylabel = "mean of (a.b)^2";
            p.logx = p.logy = true;
            workbook::Series line{"y = D", {}, {}, workbook::Series::Style::lines};
            workbook::Series measured{"your samples (n = 5000 each)", {}, {}, workbook::Series::Style::points};
            for (std::size_t d = 1; d <= 512; d *= 2) {
              line.x.push_back(double(d));
              line.y.push_back(double(d));
              measured.x.push_back(double(d));
              measured.y.push_back(sample_mean_of_power(draw(ctx, d, 5000, "plot-" + std::to_string(d)), 1));
            }
            p.series = {line, measured};
            return p;
          });
}
