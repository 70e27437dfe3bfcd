// topic10/1.2: the dot product of two independent standard Gaussian vectors has mean 0 and variance d.
// Two routes: the student's pen-and-paper values (exact), and the student's sampler (sample_scores), whose
// sample moments at d = 64 must match the exact moments within five standard errors derived from the
// moments. The "why scale" part is checked on its computable core: the student's row softmax against a
// plain-loop one on scores drawn here, scaled and unscaled up to d = 2^20, and on rows built to break a
// careless softmax; the plot shows, with the student's softmax, the unscaled weights turning one-hot.

#include "topic10/1.2/interface.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xview.hpp>

#include "workbook/oracle/attention.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::Precision;

constexpr double monte_carlo_d = 64;

// E[q.k] = 0, Var(q.k) = d, E[(q.k)^4] = 3 d^2 + 6 d (derivation in the notes).
double fourth_moment(double d) { return 3 * d * d + 6 * d; }

// ---- Monte Carlo on the student's sampler ---------------------------------------------------------------
// 20000 at the quick size: the student's sampler draws about 19 million normals for part (d1) (0.5 s), and the
// mutants' wrong samplers still miss the checks they name by 40 standard errors or more.
constexpr std::size_t quick_sample = 20000, full_sample = 1000000;
std::size_t sample_count(const Context& ctx) { return ctx.full() ? full_sample : quick_sample; }
// The sample as the checks' descriptions name it.
const std::string your_scores =
    "your " + std::to_string(quick_sample) + " scores (" + std::to_string(full_sample) + " with --full)";

// The student's n scores at dimension d, from the check's own seed: one call for the whole sample.
xt::xtensor<double, 1> student_scores(std::size_t d, std::size_t n, std::uint64_t seed) {
  auto s = topic10_1_2::sample_scores(d, n, seed);
  if (s.size() != n)
    throw std::runtime_error("sample_scores returned " + std::to_string(s.size()) + " scores, not " +
                             std::to_string(n));
  return s;
}

double mean_of_power(const xt::xtensor<double, 1>& samples, int power, double divide_by = 1) {
  double sum = 0;
  for (double s : samples) sum += std::pow(s / divide_by, power);
  return sum / samples.size();
}

// |estimate - truth| <= 5 standard errors: a false alarm has probability below 1e-6 (normal tails; the
// sample sizes make the estimates very nearly normal), while a wrong sampler (uniform entries on [0, 1),
// scores already divided by sqrt(d)) misses by many standard errors. Only the distance in standard errors is
// reported: the exact moments are answers of parts (a) to (d2).
workbook::CheckResult within_five_se(double estimate, double truth, double standard_error) {
  const double z = (estimate - truth) / standard_error;
  return workbook::holds(std::abs(z) <= 5, {{"standard errors from the exact value", workbook::to_json(z)}},
                         "your sample moment lies more than 5 standard errors from the exact value");
}

// Var((q.k / sqrt(d))^2) = (2 d^2 + 6 d) / d^2 = 2 + 6/d, so the mean of N squared scaled scores has
// standard error sqrt((2 + 6/d)/N).
workbook::CheckResult scaled_variance(const Context& ctx, std::size_t d) {
  const auto s = student_scores(d, sample_count(ctx), ctx.seed_for("d-scaled-" + std::to_string(d)));
  return within_five_se(mean_of_power(s, 2, std::sqrt(double(d))), 1, std::sqrt((2 + 6.0 / d) / s.size()));
}

// ---- why scale: softmax over 32 keys ---------------------------------------------------------------------
constexpr std::size_t keys_per_query = 32;
// d = 4^0 .. 4^10 = 1048576: unscaled scores reach the thousands, where a softmax that does not subtract the
// maximum overflows.
const std::vector<std::size_t> dims = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

// `count` queries' scores over 32 keys (one query per row), divided by sqrt(d) when `scaled`. Given q, the
// scores q.k_j of independent keys k_j ~ N(0, I_d) are independent N(0, |q|^2), and |q|^2 is chi-squared with
// d degrees of freedom. So |q| z_j with |q|^2 ~ chi^2_d and z_j ~ N(0, 1) has exactly the joint law of the 32
// scores, at a cost that does not grow with d.
Matrix query_scores(std::size_t d, bool scaled, std::size_t count, std::mt19937_64& rng) {
  std::chi_squared_distribution<double> squared_norm{static_cast<double>(d)};
  std::normal_distribution<double> normal;
  Matrix scores = Matrix::from_shape({count, keys_per_query});
  for (std::size_t r = 0; r < count; ++r) {
    const double norm = std::sqrt(squared_norm(rng));
    for (std::size_t j = 0; j < keys_per_query; ++j)
      scores(r, j) = norm * normal(rng) / (scaled ? std::sqrt(double(d)) : 1.0);
  }
  return scores;
}

// Rows a careless softmax gets wrong: all tied, all zero, all near -10^4 (exp underflows to 0 and 0/0 is NaN
// unless the maximum is subtracted), +-1000 (exp overflows) and one large score among small ones.
Matrix hard_rows() {
  Matrix rows = xt::zeros<double>({std::size_t(5), keys_per_query});
  for (std::size_t j = 0; j < keys_per_query; ++j) {
    rows(0, j) = 3.5;
    rows(2, j) = -1e4 - double(j % 5);
    rows(3, j) = j % 2 == 0 ? 1000.0 : -1000.0;
    rows(4, j) = 0.01 * double(j);
  }
  rows(4, 7) = 40;
  return rows;
}

// Each largest weight lies in [0, 1], so the mean of 400 has standard error at most 0.5/sqrt(400) = 0.025.
std::size_t trial_count(const Context& ctx) { return ctx.full() ? 4000 : 400; }

// Softmax of exactly the same inputs: both routes compute the same exponentials, so they agree to double
// rounding; entries that underflow to (almost) zero are compared absolutely.
const workbook::Tolerance rounding = workbook::tolerance::double_computation;

workbook::CheckResult softmax_matches(const Matrix& scores, const std::string& where) {
  auto result = workbook::close(topic10_1_2::softmax(scores), workbook::oracle::softmax_rows(scores), rounding);
  if (result.status != workbook::Status::pass) result.message = where + ": " + result.message;
  return result;
}

workbook::CheckResult softmax_check(const Context& ctx) {
  auto rng = ctx.rng("e-softmax");
  auto result = softmax_matches(hard_rows(), "the hand-made rows");
  for (auto d : dims)
    for (bool scaled : {true, false}) {
      if (result.status != workbook::Status::pass) return result;
      result = softmax_matches(query_scores(d, scaled, trial_count(ctx), rng),
                               "d " + std::to_string(d) + (scaled ? ", scaled" : ", unscaled"));
    }
  return result;
}

double mean_row_max(const xt::xtensor<double, 2>& weights) {
  double total = 0;
  for (std::size_t r = 0; r < weights.shape(0); ++r) total += xt::amax(xt::row(weights, r))();
  return total / weights.shape(0);
}

// ---- the parts -------------------------------------------------------------------------------------------
void typed_parts(workbook::Exercise& ex) {
  ex.part("a", 1, "Find E[q.k].")
      .number_answer("a_mean", "E[q.k]", [] { return 0.0; }, Precision::exact())
      .hint("Linearity of expectation, and independence of q_i and k_i.");
  ex.part("b", 2, "Find Var(q_i k_i) for one term and Var(q.k) for d = 64.")
      .number_answer("b_term", "Var(q_i k_i)", [] { return 1.0; }, Precision::exact())
      .number_answer("b_var", "Var(q.k) in dimension 64", [] { return monte_carlo_d; }, Precision::exact())
      .hint("For independent zero-mean factors, E[(q_i k_i)^2] = E[q_i^2] E[k_i^2].");
  ex.part("c", 2, "How precisely does a sample of N scores estimate Var(q.k)? Find Var((q_i k_i)^2) and "
                  "E[(q.k)^4] for d = 64; the standard error of (1/N) sum (q.k)^2 is sqrt((E[(q.k)^4] - d^2)/N).")
      .number_answer("c_term_square", "Var((q_i k_i)^2)", [] { return 8.0; }, Precision::exact())
      .number_answer("c_fourth", "E[(q.k)^4] in dimension 64", [] { return fourth_moment(monte_carlo_d); },
                     Precision::exact())
      .hint("Expand (X_1 + ... + X_d)^4 and keep the terms in which no index appears exactly once.");
}

void part_d(workbook::Exercise& ex) {
  auto& d1 = ex.part("d1", 2, "Implement sample_scores; the run checks the moments of (a) to (c) on your samples, "
                              "and the second moment of the scaled score q.k/sqrt(d) at several d.");
  d1.check("sample mean", CheckKind::property,
           "the mean of " + your_scores + " in dimension 64 against the exact mean, within 5 standard errors",
           [](const Context& ctx) {
             const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-mean"));
             return within_five_se(mean_of_power(s, 1), 0, std::sqrt(monte_carlo_d / s.size()));
           })
      .check("sample variance", CheckKind::property,
             "the mean of (q.k)^2 over " + your_scores + " in dimension 64 against the exact variance, within 5 "
             "standard errors",
             [](const Context& ctx) {
               const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-variance"));
               const double d = monte_carlo_d;
               return within_five_se(mean_of_power(s, 2), d, std::sqrt((2 * d * d + 6 * d) / s.size()));
             })
      .check("sample 4th moment", CheckKind::property,
             "the mean of (q.k)^4 over " + your_scores + " in dimension 64 against the exact fourth moment, within "
             "5 standard errors estimated from the sample itself",
             [](const Context& ctx) {
               const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-fourth"));
               const double m4 = mean_of_power(s, 4), m8 = mean_of_power(s, 8);
               return within_five_se(m4, fourth_moment(monte_carlo_d), std::sqrt((m8 - m4 * m4) / s.size()));
             });
  for (std::size_t d : {1, 16, 256})
    d1.check("scaled d=" + std::to_string(d), CheckKind::property,
             "the mean of (q.k/sqrt(d))^2 over " + your_scores + " in dimension " + std::to_string(d) +
                 " against the exact variance of the scaled score, within 5 standard errors",
             [d](const Context& ctx) { return scaled_variance(ctx, d); });
  d1.hint("One score is a loop over d coordinates: draw q_i and k_i from N(0, 1) and add their product. Seed "
          "one generator with `seed` and draw every score from it.");

  ex.part("d2", 1, "Find the variance of the scaled score q.k/sqrt(d).")
      .number_answer("d_scaled_var", "Var(q.k / sqrt(d))", [] { return 1.0; }, Precision::exact());
}

void part_e(workbook::Exercise& ex) {
  ex.part("e1", 1, "Implement softmax, row by row.")
      .check("softmax", CheckKind::close,
             "your softmax of 400 queries' scores over 32 keys, at every d in 1, 4, ..., 4^10, scaled and "
             "unscaled, and of rows of ties, zeros, scores near -10^4 and scores of +-1000, against a plain-loop "
             "softmax",
             softmax_check)
      .hint("Subtract each row's maximum before exp: the softmax does not change, and exp never exceeds 1.");

  ex.part("e2", 1, "Why must the scores be divided by sqrt(d) before the softmax? Say what happens to the largest "
                   "attention weight over 32 keys as d grows when they are not (the plot max-weight draws it with "
                   "your softmax).")
      .choice_answer("e_trend", "without scaling, as d grows the mean largest weight",
                     {"falls toward 1/32", "stays about the same", "rises toward 1"}, "rises toward 1")
      .manual(2);
}

workbook::Plot max_weight_plot(const Context& ctx) {
  workbook::Plot p;
  p.title = "Softmax over 32 keys: mean largest weight";
  p.xlabel = "dimension d";
  p.ylabel = "mean of max_j softmax_j";
  p.logx = true;
  workbook::Series raw{"q.k (unscaled)", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series scaled{"q.k / sqrt(d)", {}, {}, workbook::Series::Style::linespoints};
  auto rng = ctx.rng("plot");
  for (auto d : dims) {
    raw.x.push_back(d);
    raw.y.push_back(mean_row_max(topic10_1_2::softmax(query_scores(d, false, trial_count(ctx), rng))));
    scaled.x.push_back(d);
    scaled.y.push_back(mean_row_max(topic10_1_2::softmax(query_scores(d, true, trial_count(ctx), rng))));
  }
  p.series = {raw, scaled};
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Why attention scores are divided by sqrt(d)";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation,
             workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A query q and a key k in R^d are independent, and all 2d coordinates are independent N(0, 1).
Study the raw attention score q.k = sum_i q_i k_i: its mean, its variance, how well a sample estimates them,
and what the 1/sqrt(d) factor of scaled dot-product attention does to it. Give exact values (they are
integers or simple fractions). Implement sample_scores and softmax: the run measures the moments on your
samples and feeds your softmax scores drawn by the exercise. Compute the softmax in double: unscaled scores
reach the thousands, where float's rounding of a score alone (about 1e-4) would move the weights by 1e-4.)";
  typed_parts(ex);
  part_d(ex);
  part_e(ex);
  ex.plot("max-weight", "Mean largest weight of your softmax over 32 keys against d, with and without the "
                        "1/sqrt(d) scale",
          max_weight_plot);
}
