// 10.2: why attention divides by sqrt(d_k). Pen-and-paper moments of q_j k_j, then an empirical check.
//
// Tolerances for the empirical part come from the sample size n. With x = q·k and z_j = q_j k_j:
// E[z^2] = 1, E[z^4] = E[q^4] E[k^4] = 9, so E[x^2] = d and E[x^4] = 9d + 3d(d-1) = 3d^2 + 6d.
// The sample mean of x has standard error sqrt(d / n). The sample variance has standard error
// sqrt(Var(x^2) / n) = sqrt((2d^2 + 6d) / n), and by the delta method the sample standard deviation
// has sqrt((2d^2 + 6d) / n) / (2 sqrt d) = sqrt((2d + 6) / n) / 2. Checks allow 5 standard errors: a
// correct solution fails about once in 1.7 million runs; a wrong one (variance instead of standard
// deviation, scaled dots, uniform entries) misses by 30 standard errors or more.

#include "ch10/10.2/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"

namespace {

using workbook::Context;
constexpr std::size_t pairs = 10000;

struct Moments {
  double mean, std;
};

Moments moments(const xt::xtensor<double, 1>& x) {
  double mean = 0, square = 0;
  for (double v : x) mean += v;
  mean /= x.size();
  for (double v : x) square += (v - mean) * (v - mean);
  return {mean, std::sqrt(square / (x.size() - 1))};
}

double std_error_of_std(double d, double n) { return std::sqrt((2 * d + 6) / n) / 2; }

workbook::CheckResult std_matches(const Context& ctx, std::size_t d) {
  const auto dots = ch10_2::random_dot_products(d, pairs, ctx.seed_for("c-" + std::to_string(d)));
  if (dots.size() != pairs) throw std::runtime_error("expected " + std::to_string(pairs) + " dot products");
  return workbook::close(moments(dots).std, std::sqrt(double(d)), {0, 5 * std_error_of_std(d, pairs)});
}

// The figure: dot products divided by sqrt(d_k), as histograms, beside the N(0, 1) density.
void plot_scaled(workbook::Exercise& ex) {
  ex.plot("scaled-histogram", "Dot products divided by sqrt(d_k) for d_k = 64 and 512, against the N(0, 1) density",
          [](const Context& ctx) {
            std::vector<workbook::Series> series;
            for (std::size_t d : {64, 512}) {
              const auto dots = ch10_2::random_dot_products(d, pairs, ctx.seed_for("c-" + std::to_string(d)));
              std::vector<double> scaled;
              for (double x : dots) scaled.push_back(x / std::sqrt(double(d)));
              series.push_back(workbook::histogram("d_k = " + std::to_string(d), scaled, 60, -4.5, 4.5));
            }
            workbook::Series normal{"N(0, 1) density", {}, {}, workbook::Series::Style::lines};
            for (double x = -4.5; x <= 4.5; x += 0.05) {
              normal.x.push_back(x);
              normal.y.push_back(std::exp(-x * x / 2) / std::sqrt(2 * M_PI));
            }
            series.push_back(normal);
            return workbook::xy_plot("q·k / sqrt(d_k) for 10,000 random pairs", "q·k / sqrt(d_k)", "density", series);
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  using workbook::Precision;
  ex.title = "Why scores are divided by sqrt(d_k)";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement = R"(Queries and keys are vectors in R^{d_k}. Model their coordinates q_j and k_j as independent
standard normal variables. The dot product q·k is what the softmax receives; here you work out how widely it
spreads as d_k grows, and why dividing it by sqrt(d_k) brings the spread back to one.)";

  ex.part("a", 1, "Find the mean and the variance of one term q_j k_j.")
      .number_answer("a_mean", "E[q_j k_j]", [] { return 0.0; }, Precision::exact())
      .number_answer("a_var", "Var(q_j k_j)", [] { return 1.0; }, Precision::exact())
      .hint("Independence lets you split E[q_j k_j] and E[q_j^2 k_j^2] into products.");
  // Var(q_j k_j) = E[q_j^2] E[k_j^2] = sigma_q^2 sigma_k^2 = 36, so Var(q·k) = 64 * 36 and the divisor is its root.
  ex.part("b", 1, R"(Starting from (a), show that Var(q·k) = d_k. Then run the same argument with coordinates
that are still independent with mean 0 but have standard deviation sigma_q (for q) and sigma_k (for k).)")
      .integer_answer("b_var", "Var(q·k) for d_k = 64, sigma_q = 2, sigma_k = 3", 64 * 36)
      .number_answer("b_divisor", "the number c for which q·k / c has variance 1, for d_k = 64, sigma_q = 2, sigma_k = 3",
                     [] { return 48.0; }, Precision::exact())
      .hint("Write q·k as a sum of d_k terms. Which of them are independent of one another?")
      .manual();
  auto& c = ex.part("c", 3, R"(Implement random_dot_products. Sample 10,000 independent pairs in R^64 and 10,000
in R^512; the checks set the sample standard deviation of each batch beside sqrt(d_k), and the figure shows the
dot products after division by sqrt(d_k).)");
  for (std::size_t d : {64, 512})
    c.check("std d=" + std::to_string(d), CheckKind::close,
            "sample standard deviation of 10,000 dot products in R^" + std::to_string(d) + " against sqrt(" +
                std::to_string(d) + "), within 5 standard errors",
            [d](const Context& ctx) { return std_matches(ctx, d); });
  c.check("mean d=64", CheckKind::close, "sample mean of the 10,000 dot products in R^64 against 0, within 5 sqrt(d/n)",
          [](const Context& ctx) {
            const auto dots = ch10_2::random_dot_products(64, pairs, ctx.seed_for("c-64"));
            return workbook::close(moments(dots).mean, 0.0, {0, 5 * std::sqrt(64.0 / pairs)});
          });
  c.check("seeded", CheckKind::equal, "two different seeds give different samples, and one seed the same sample",
          [](const Context& ctx) {
            const auto a = ch10_2::random_dot_products(8, 5, ctx.seed_for("seed-a"));
            const auto b = ch10_2::random_dot_products(8, 5, ctx.seed_for("seed-b"));
            const auto a_again = ch10_2::random_dot_products(8, 5, ctx.seed_for("seed-a"));
            return workbook::holds(a != b && a == a_again, a != b ? "different seeds differ" : "different seeds agree",
                                   "the sample must depend on the seed, and only on it");
          });
  plot_scaled(ex);
}
