// 13.3: Var(q . k) = d_k for independent unit-variance components. The derivation (instructor.toml) gives the
// typed answers of (a) as closed forms; (b) checks the student's sampler empirically at several d_k.
//
// Tolerances from the sample size. For S = q . k with Gaussian components, E S = 0, E S^2 = d_k and
// E S^4 = 3 d_k^2 + 6 d_k (the product of two independent N(0,1) has fourth moment 9), so over N samples the
// mean has standard error sqrt(d_k / N) and the mean of S^2 has sqrt((2 d_k^2 + 6 d_k) / N). A check passes
// within 5 standard errors: a false alarm about once in a million per statistic; every mutant is off by many.

#include "ch13/13.3/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
constexpr std::size_t samples = 10000;
const std::vector<std::size_t> checked_dims = {1, 8, 64, 512};

struct Moments {
  double mean = 0, second = 0;  // (1/N) sum S and (1/N) sum S^2
};

Moments moments_of(const xt::xtensor<double, 1>& s) {
  Moments m;
  for (double v : s) m.mean += v, m.second += v * v;
  m.mean /= double(s.size()), m.second /= double(s.size());
  return m;
}

workbook::CheckResult moments_match(std::size_t d_k, const Context& ctx) {
  auto rng = ctx.rng("b-" + std::to_string(d_k));
  const auto s = ch13_3::sample_dot_products(d_k, samples, rng);
  if (s.size() != samples) return workbook::holds(false, s.size(), "expected one dot product per sample asked for");
  const auto m = moments_of(s);
  const double d = double(d_k), n = double(samples);
  const double mean_bound = 5 * std::sqrt(d / n), second_bound = 5 * std::sqrt((2 * d * d + 6 * d) / n);
  const bool ok = std::abs(m.mean) <= mean_bound && std::abs(m.second - d) <= second_bound;
  return workbook::holds(ok, nlohmann::json{{"mean", m.mean}, {"mean of squares", m.second}},
                         "the mean must be within " + std::to_string(mean_bound) + " of 0 and the mean of squares within " +
                             std::to_string(second_bound) + " of d_k (5 standard errors for " + std::to_string(samples) + " samples)");
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Derive Var(q . k) from first principles. Let q and k have d_k components, all independent, each
of mean 0 and variance 1. Give E[q_i k_i], Var(q_i k_i), Cov(q_i k_i, q_j k_j) for i != j, then Var(q . k) at
d_k = 64 and Var(q . k / sqrt(d_k)) for any d_k. Write the derivation out: each step and the assumption it uses.)")
      .number_answer("a_mean_term", "E[q_i k_i]", [] { return 0.0; }, Precision::exact())
      .number_answer("a_var_term", "Var(q_i k_i)", [] { return 1.0; }, Precision::exact())
      .number_answer("a_cov_terms", "Cov(q_i k_i, q_j k_j), i != j", [] { return 0.0; }, Precision::exact())
      .number_answer("a_var_64", "Var(q . k) for 64-dimensional q and k", [] { return 64.0; }, Precision::exact())
      .number_answer("a_var_scaled", "Var(q . k / sqrt(d_k))", [] { return 1.0; }, Precision::exact())
      .hint("E[q_i k_i] = E[q_i] E[k_i] by independence; Var(X) = E[X^2] - (E X)^2; a variance of a sum is the sum "
            "of the variances when every covariance vanishes.")
      .manual(2);
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, R"(Check it empirically: implement sample_dot_products, and look at the variance of the samples
against d_k (figure `variance`).)");
  for (std::size_t d_k : checked_dims)
    b.check("d_k=" + std::to_string(d_k), CheckKind::close,
            std::to_string(samples) + " dot products of " + std::to_string(d_k) +
                "-dimensional q and k: their mean against 0 and their mean square against d_k, each within 5 standard errors",
            [d_k](const Context& ctx) { return moments_match(d_k, ctx); });
  b.hint("Draw fresh q and k for every sample, from the generator you are given.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(What the scaling buys: give the standard deviation of an unscaled score q . k at d_k = 512
(to 4 significant figures), and say what a softmax does to scores spread that widely.)")
      .number_answer("c_std_512", "standard deviation of q . k at d_k = 512", [] { return std::sqrt(512.0); },
                     Precision::significant_figures(4))
      .choice_answer("c_softmax", "a softmax over scores of that spread is nearly", {"uniform", "one-hot"}, "one-hot");
}

void plots(workbook::Exercise& ex) {
  ex.plot("variance", "The variance of your sampled dot products against d_k, unscaled and divided by d_k (2000 samples each)",
          [](const Context& ctx) {
            workbook::Series raw{"Var(q . k), sampled", {}, {}, workbook::Series::Style::points};
            workbook::Series scaled{"Var(q . k / sqrt(d_k)), sampled", {}, {}, workbook::Series::Style::points};
            workbook::Series line{"d_k", {}, {}, workbook::Series::Style::lines};
            auto rng = ctx.rng("plot-variance");
            for (std::size_t d_k = 1; d_k <= 1024; d_k *= 2) {
              const auto m = moments_of(ch13_3::sample_dot_products(d_k, 2000, rng));
              const double variance = m.second - m.mean * m.mean;
              raw.x.push_back(d_k), raw.y.push_back(variance);
              scaled.x.push_back(d_k), scaled.y.push_back(variance / d_k);
              line.x.push_back(d_k), line.y.push_back(d_k);
            }
            auto p = workbook::xy_plot("Variance of a dot product of random unit-variance vectors", "d_k", "variance",
                                       {line, raw, scaled});
            p.logx = p.logy = true;
            return p;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Scores whose spread rises with d_k, and the 1/sqrt(d_k) that undoes it";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(Scaled dot-product attention divides its scores by sqrt(d_k). The reason is the size of a raw
score: a dot product of two d_k-dimensional vectors is a sum of d_k terms, and its spread grows with d_k. Derive how,
under the textbook assumption that the components of q and k are independent with mean 0 and variance 1, then
confirm it with samples.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  plots(ex);
}
