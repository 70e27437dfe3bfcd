// topic10/1.2: the dot product of two independent standard Gaussian vectors has mean 0 and variance d.
// Two routes: the student's pen-and-paper values, and the student's sampler (sample_scores), whose sample
// moments at d = 64 must match 0, d and 3d^2 + 6d within five standard errors derived from the moments. The
// "why scale" part is checked on its computable core with the student's softmax: on scores drawn here, the
// unscaled softmax over keys turns one-hot as d grows, the scaled one does not.

#include "topic10/1.2/interface.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "workbook/oracle.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Vector;

constexpr double monte_carlo_d = 64;

// E[q.k] = 0, Var(q.k) = d, E[(q.k)^4] = 3 d^2 + 6 d (derivation in the notes).
double fourth_moment(double d) { return 3 * d * d + 6 * d; }

// ---- Monte Carlo on the student's sampler ---------------------------------------------------------------
std::size_t sample_count(const Context& ctx) { return ctx.full() ? 1000000 : 100000; }

// The student's n scores at dimension d, from the check's own seed.
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
// scores of variance d^2 or 1 instead of d) misses by many standard errors.
workbook::CheckResult within_five_se(double estimate, double truth, double standard_error) {
  return workbook::close(estimate, truth, {0, 5 * standard_error});
}

// Var((q.k / sqrt(d))^2) = (2 d^2 + 6 d) / d^2 = 2 + 6/d, so the mean of N squared scaled scores has
// standard error sqrt((2 + 6/d)/N).
workbook::CheckResult scaled_variance(const Context& ctx, std::size_t d) {
  const auto s = student_scores(d, sample_count(ctx), ctx.seed_for("d-scaled-" + std::to_string(d)));
  return within_five_se(mean_of_power(s, 2, std::sqrt(double(d))), 1, std::sqrt((2 + 6.0 / d) / s.size()));
}

// ---- why scale: the largest softmax weight over n keys -----------------------------------------------
constexpr std::size_t keys_per_query = 32;
// d = 4^0 .. 4^10 = 1048576. Up to d = 1024 the unscaled curve still climbs visibly; beyond, unscaled scores
// reach the hundreds and thousands, where a softmax that does not subtract the maximum overflows.
const std::vector<std::size_t> dims = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};
constexpr std::size_t last_rising_d = 1024;

// One query's scores over 32 keys, divided by sqrt(d) when `scaled`. Given q, the scores q.k_j of independent
// keys k_j ~ N(0, I_d) are independent N(0, |q|^2), and |q|^2 is chi-squared with d degrees of freedom. So
// |q| z_j with |q|^2 ~ chi^2_d and z_j ~ N(0, 1) has exactly the joint law of the 32 scores, at a cost that
// does not grow with d.
Vector query_scores(std::size_t d, bool scaled, std::mt19937_64& rng) {
  std::chi_squared_distribution<double> squared_norm{static_cast<double>(d)};
  std::normal_distribution<double> normal;
  const double norm = std::sqrt(squared_norm(rng));
  Vector scores(keys_per_query);
  for (auto& s : scores) s = norm * normal(rng) / (scaled ? std::sqrt(double(d)) : 1.0);
  return scores;
}

using SoftmaxFn = Vector (*)(const Vector&);

xt::xtensor<double, 1> as_tensor(const Vector& v) {
  xt::xtensor<double, 1> t = xt::xtensor<double, 1>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), t.begin());
  return t;
}

// The student's softmax on std::vector scores.
Vector student_softmax(const Vector& scores) {
  const auto w = topic10_1_2::softmax(as_tensor(scores));
  if (w.size() != scores.size()) throw std::runtime_error("softmax returned a vector of the wrong length");
  return Vector(w.begin(), w.end());
}

// Mean over `trials` queries of max_j softmax_j(q.k_j / divisor), q and k_j standard Gaussian in R^d.
double mean_max_weight(std::size_t d, bool scaled, std::size_t trials, std::mt19937_64& rng, SoftmaxFn softmax) {
  double total = 0;
  for (std::size_t t = 0; t < trials; ++t) {
    const auto w = softmax(query_scores(d, scaled, rng));
    total += *std::max_element(w.begin(), w.end());
  }
  return total / trials;
}

// Each largest weight lies in [0, 1], so the mean of 400 has standard error at most 0.5/sqrt(400) = 0.025
// (in practice about 0.005); the thresholds of the "one-hot" check sit many such errors away from the
// values the two curves settle at (about 0.96 unscaled at d = 1024 and closer to 1 beyond, about 0.16 scaled).
std::size_t trial_count(const Context& ctx) { return ctx.full() ? 4000 : 400; }

double three_decimals(double x) { return std::round(x * 1000) / 1000; }

// Softmax on 32 scores: both routes compute the same exponentials, so they agree to rounding; entries that
// underflow to (almost) zero are compared absolutely.
const workbook::Tolerance rounding{1e-10, 1e-15};

workbook::CheckResult softmax_matches(const Vector& scores) {
  return workbook::close(topic10_1_2::softmax(as_tensor(scores)),
                         workbook::oracle::to_array(workbook::oracle::softmax(scores)), rounding);
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Why attention scores are divided by sqrt(d)";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation,
             workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "A query q and a key k in R^d are independent, and all 2d coordinates are independent N(0, 1). "
      "Study the raw attention score q.k = sum_i q_i k_i: its mean, its variance, how well a sample "
      "estimates them, and what the 1/sqrt(d) factor of scaled dot-product attention does to it. "
      "Give exact values (they are integers or simple fractions). Implement sample_scores and softmax"
      ": the run measures the moments on your samples and feeds your softmax "
      "scores drawn by the exercise.";

  ex.part("a", 1, "Find E[q.k].")
      .number_answer("a_mean", "E[q.k]", [] { return 0.0; }, {0, 1e-9})
      .hint("Linearity of expectation, and independence of q_i and k_i.");

  auto& b = ex.part("b", 2, "Find Var(q_i k_i) for one term and Var(q.k) for d = 64.");
  b.number_answer("b_term", "Var(q_i k_i)", [] { return 1.0; }, {0, 1e-9})
      .number_answer("b_var", "Var(q.k) for d = 64", [] { return monte_carlo_d; }, {0, 1e-9})
      .hint("For independent zero-mean factors, E[(q_i k_i)^2] = E[q_i^2] E[k_i^2].");

  auto& c = ex.part("c", 2, "How precisely does a sample of N scores estimate Var(q.k)? Find Var((q_i k_i)^2) "
                            "and E[(q.k)^4] for d = 64; the standard error of (1/N) sum (q.k)^2 is "
                            "sqrt((E[(q.k)^4] - d^2)/N).");
  c.number_answer("c_term_square", "Var((q_i k_i)^2)", [] { return 8.0; }, {0, 1e-9})
      .number_answer("c_fourth", "E[(q.k)^4] for d = 64", [] { return fourth_moment(monte_carlo_d); }, {0, 1e-9})
      .hint("Expand (X_1 + ... + X_d)^4 and keep the terms in which no index appears exactly once.");

  auto& sim = ex.part("d", 2, "Implement sample_scores, check the facts on your samples, and find the variance "
                              "of the scaled score q.k/sqrt(d).");
  sim.number_answer("d_scaled_var", "Var(q.k / sqrt(d))", [] { return 1.0; }, {0, 1e-9})
      .check("sample mean", CheckKind::close,
             "mean of your N = 1e5 scores at d = 64 against 0, within 5 standard errors sqrt(d/N)",
             [](const Context& ctx) {
               const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-mean"));
               return within_five_se(mean_of_power(s, 1), 0, std::sqrt(monte_carlo_d / s.size()));
             })
      .check("sample variance", CheckKind::close,
             "mean of (q.k)^2 over your N = 1e5 scores at d = 64 against d, within 5 standard errors "
             "sqrt((2d^2 + 6d)/N)",
             [](const Context& ctx) {
               const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-variance"));
               const double d = monte_carlo_d;
               return within_five_se(mean_of_power(s, 2), d, std::sqrt((2 * d * d + 6 * d) / s.size()));
             })
      .check("sample 4th moment", CheckKind::close,
             "mean of (q.k)^4 over your N = 1e5 scores at d = 64 against 3d^2 + 6d, within 5 standard errors "
             "estimated from the sample itself",
             [](const Context& ctx) {
               const auto s = student_scores(monte_carlo_d, sample_count(ctx), ctx.seed_for("d-fourth"));
               const double m4 = mean_of_power(s, 4), m8 = mean_of_power(s, 8);
               return within_five_se(m4, fourth_moment(monte_carlo_d), std::sqrt((m8 - m4 * m4) / s.size()));
             });
  for (std::size_t d : {1, 16, 256})
    sim.check("scaled d=" + std::to_string(d), CheckKind::close,
              "mean of (q.k/sqrt(d))^2 over your N = 1e5 scores at d = " + std::to_string(d) +
                  " against 1, within 5 standard errors sqrt((2 + 6/d)/N)",
              [d](const Context& ctx) { return scaled_variance(ctx, d); });
  sim.hint("One score is a loop over d coordinates: draw q_i and k_i from N(0, 1) and add their product. Seed "
           "one generator with `seed` and draw every score from it.");

  auto& e = ex.part("e", 2, "Implement softmax. Why must the scores be divided by sqrt(d) before the softmax? "
                            "Say what happens to the largest attention weight over 32 keys as d grows when "
                            "they are not.");
  e.choice_answer("e_trend", "without scaling, as d grows the mean largest weight",
                  {"falls toward 1/32", "stays about the same", "rises toward 1"}, "rises toward 1")
      .check("softmax", CheckKind::close,
             "your softmax on 32 scores of one query against a plain-loop softmax, at d = 64 scaled (scores "
             "about N(0, 1)) and at d = 2^20 unscaled (scores about N(0, 10^6), where exp overflows without "
             "subtracting the maximum)",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-softmax");
               const auto small = softmax_matches(query_scores(64, true, rng));
               if (small.status != workbook::Status::pass) return small;
               return softmax_matches(query_scores(dims.back(), false, rng));
             })
      .check("one-hot", CheckKind::property,
             "with your softmax, 400 queries over 32 keys at d = 1, 4, ..., 4^10: the unscaled mean largest "
             "weight rises at every step up to d = 1024 and exceeds 0.9 from d = 1024 on, while the scaled one "
             "stays below 0.5 at every d",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-one-hot");
               std::vector<double> unscaled, scaled;
               for (auto d : dims) {
                 unscaled.push_back(three_decimals(mean_max_weight(d, false, trial_count(ctx), rng, student_softmax)));
                 scaled.push_back(three_decimals(mean_max_weight(d, true, trial_count(ctx), rng, student_softmax)));
               }
               bool ok = true;
               for (std::size_t i = 0; i < dims.size(); ++i) {
                 if (i > 0 && dims[i] <= last_rising_d) ok = ok && unscaled[i] > unscaled[i - 1];
                 if (dims[i] >= last_rising_d) ok = ok && unscaled[i] > 0.9;  // false for NaN too
                 ok = ok && scaled[i] < 0.5;
               }
               std::vector<nlohmann::json> shown_unscaled, shown_scaled;  // NaN becomes "nan", not null
               for (std::size_t i = 0; i < dims.size(); ++i) {
                 shown_unscaled.push_back(workbook::to_json(unscaled[i]));
                 shown_scaled.push_back(workbook::to_json(scaled[i]));
               }
               return workbook::holds(ok, {{"d", dims}, {"unscaled", shown_unscaled}, {"scaled", shown_scaled}},
                                      "the unscaled weights do not approach one-hot, or the scaled ones do");
             })
      .manual(2);

  ex.plot("max-weight", "Mean largest softmax weight over 32 keys against d, with and without the 1/sqrt(d) scale",
          [](const Context& ctx) {
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
              raw.y.push_back(mean_max_weight(d, false, trial_count(ctx), rng, workbook::oracle::softmax));
              scaled.x.push_back(d);
              scaled.y.push_back(mean_max_weight(d, true, trial_count(ctx), rng, workbook::oracle::softmax));
            }
            p.series = {raw, scaled};
            return p;
          });
}
