// 13.28: without the 1/sqrt(d_k) the softmax of attention scores tends to one-hot as d_k grows. The student writes
// the measurement: the largest softmax weight of score rows (part a, against the plain softmax of
// workbook/oracle/attention.hpp), and its mean over rows of iid N(0, 1) queries and keys (part b, against a Monte
// Carlo estimate made here on draws of our own). Part c checks the trend on the student's measurements as a
// property: unscaled, the mean largest weight climbs towards 1 with d_k; scaled, it stays where it is. Part d is the
// proof, with a typed core.
//
// Tolerances of part b: a largest weight lies in [1/n, 1], so each mean has a standard error we estimate from our own
// draws (the sample standard deviation over sqrt(rows)); the two estimates are independent, so their difference has
// sqrt(2) times that error, and a check passes within 5 of those: a false alarm about once in a million.
// Part c's margins are derived the same way (see trend_margin).

#include "ch13/13.28/interface.hpp"

#include <cmath>
#include <iostream>
#include <string>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
namespace oracle = workbook::oracle;

constexpr std::size_t n_keys = 8;
constexpr std::size_t rows = 1000;
const std::vector<std::size_t> trend_dims = {1, 4, 16, 64, 256, 512};

struct Draws {
  xt::xtensor<double, 2> queries;
  xt::xtensor<double, 3> keys;
};

Draws gaussian_draws(std::size_t count, std::size_t d_k, std::mt19937_64& rng) {
  Draws draws{oracle::gaussian_matrix(count, d_k, rng), xt::xtensor<double, 3>::from_shape({count, n_keys, d_k})};
  for (std::size_t r = 0; r < count; ++r) xt::view(draws.keys, r) = oracle::gaussian_matrix(n_keys, d_k, rng);
  return draws;
}

// The largest weight of one row, by the oracle: scores as a plain loop, then oracle::softmax.
double oracle_largest_weight(const Draws& draws, std::size_t r, double scale) {
  const std::size_t d_k = draws.queries.shape(1);
  oracle::Vector scores = xt::zeros<double>({n_keys});
  for (std::size_t j = 0; j < n_keys; ++j)
    for (std::size_t i = 0; i < d_k; ++i) scores(j) += draws.queries(r, i) * draws.keys(r, j, i) * scale;
  return xt::amax(oracle::softmax(scores))();
}

double scale_of(bool scaled, std::size_t d_k) { return scaled ? 1.0 / std::sqrt(double(d_k)) : 1.0; }

// ---- part a: the largest weight of given rows, against the oracle ----

// A score computed in float is off by up to 1e-5 of the sum of its terms' sizes (tolerance::float_sums), and a
// softmax weight moves by at most twice the largest move of a score (dw_i = w_i (ds_i - sum_j w_j ds_j)): the
// tolerance is float_sums at twice the largest sum of |q_i k_ji| times the scale.
workbook::Tolerance weight_tolerance(const Draws& draws, double scale) {
  const xt::xtensor<double, 3> terms = draws.keys * xt::view(draws.queries, xt::all(), xt::newaxis(), xt::all());
  const xt::xtensor<double, 2> term_sizes = xt::sum(xt::abs(terms), {2});
  return workbook::tolerance::float_sums(2 * scale * xt::amax(term_sizes)());
}

workbook::CheckResult weights_match(std::size_t d_k, bool scaled, const Context& ctx) {
  auto rng = ctx.rng("a-" + std::to_string(d_k));
  const Draws draws = gaussian_draws(50, d_k, rng);
  const auto actual = ch13_28::largest_weights(draws.queries, draws.keys, scaled);
  workbook::require_shape("largest_weights", actual, {50});
  xt::xarray<double> expected = xt::zeros<double>({std::size_t(50)});
  for (std::size_t r = 0; r < 50; ++r) expected(r) = oracle_largest_weight(draws, r, scale_of(scaled, d_k));
  return workbook::close(xt::xarray<double>(actual), expected, weight_tolerance(draws, scale_of(scaled, d_k)));
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 2, R"(Implement largest_weights: for each query row, the scores against its own n keys,
unscaled or divided by sqrt(d_k), their softmax, and its largest weight. Unscaled scores reach the tens and hundreds
at large d_k: compute the softmax so that it does not overflow.)");
  for (std::size_t d_k : {std::size_t(4), std::size_t(64), std::size_t(2048)})
    for (bool scaled : {false, true})
      a.check(std::string(scaled ? "scaled" : "unscaled") + ", d_k=" + std::to_string(d_k), CheckKind::close,
              "50 rows of 8 keys with N(0, 1) entries: your largest weights against a plain softmax of the same "
              "scores, within float tolerance",
              [d_k, scaled](const Context& ctx) { return weights_match(d_k, scaled, ctx); });
  a.hint("softmax(s) does not change when the same number is subtracted from every score; subtract the largest.");
}

// ---- part b: the mean over rows, against our own Monte Carlo estimate ----

struct Estimate {
  double unscaled = 0, scaled = 0;
  double unscaled_error = 0, scaled_error = 0;  // standard errors of the means
};

double standard_error(const std::vector<double>& values, double mean) {
  double sum_squares = 0;
  for (double v : values) sum_squares += (v - mean) * (v - mean);
  return std::sqrt(sum_squares / double(values.size() - 1) / double(values.size()));
}

Estimate oracle_estimate(std::size_t d_k, std::mt19937_64& rng) {
  const Draws draws = gaussian_draws(rows, d_k, rng);
  std::vector<double> unscaled(rows), scaled(rows);
  Estimate e;
  for (std::size_t r = 0; r < rows; ++r) {
    unscaled[r] = oracle_largest_weight(draws, r, 1.0);
    scaled[r] = oracle_largest_weight(draws, r, scale_of(true, d_k));
    e.unscaled += unscaled[r] / rows, e.scaled += scaled[r] / rows;
  }
  e.unscaled_error = standard_error(unscaled, e.unscaled), e.scaled_error = standard_error(scaled, e.scaled);
  return e;
}

workbook::CheckResult means_match(std::size_t d_k, const Context& ctx) {
  auto student_rng = ctx.rng("b-student-" + std::to_string(d_k));
  auto our_rng = ctx.rng("b-oracle-" + std::to_string(d_k));
  const auto got = ch13_28::mean_largest_weight(d_k, n_keys, rows, student_rng);
  const Estimate ours = oracle_estimate(d_k, our_rng);
  const double unscaled_band = 5 * std::sqrt(2.0) * ours.unscaled_error;
  const double scaled_band = 5 * std::sqrt(2.0) * ours.scaled_error;
  const bool ok = std::abs(got.unscaled - ours.unscaled) <= unscaled_band &&
                  std::abs(got.scaled - ours.scaled) <= scaled_band;
  return workbook::holds(ok, nlohmann::json{{"unscaled", got.unscaled}, {"scaled", got.scaled}},
                         "each mean must be within 5 standard errors of the difference of two independent estimates "
                         "(unscaled: " + std::to_string(unscaled_band) + ", scaled: " + std::to_string(scaled_band) +
                             ") of an estimate made on our own draws");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, R"(Implement mean_largest_weight: draw the rows yourself, from the generator you are
given, and return the mean largest weight of the unscaled and of the scaled scores of the same draws.)");
  for (std::size_t d_k : {std::size_t(4), std::size_t(64), std::size_t(512)})
    b.check("d_k=" + std::to_string(d_k), CheckKind::close,
            "your two means over " + std::to_string(rows) + " rows of 8 keys against an estimate on draws of our own, "
            "each within 5 standard errors",
            [d_k](const Context& ctx) { return means_match(d_k, ctx); });
  b.hint("Draw a fresh query and fresh keys for every row; you can call your largest_weights on the whole batch.");
}

// ---- part c: the trend over d_k, a property of the student's measurements ----

std::vector<ch13_28::Sharpness> measured_trend(const Context& ctx) {
  auto rng = ctx.rng("c-trend");
  std::vector<ch13_28::Sharpness> out;
  for (std::size_t d_k : trend_dims) out.push_back(ch13_28::mean_largest_weight(d_k, n_keys, rows, rng));
  return out;
}

// A mean of values in [0, 1] has a standard deviation of at most 1/2 over sqrt(rows); two independent means differ
// by more than 5 sqrt(2) of that (0.112 at 1000 rows) about once in a million. The checks allow that much noise.
const double trend_margin = 5 * std::sqrt(2.0) * 0.5 / std::sqrt(double(rows));

nlohmann::json trend_json(const std::vector<ch13_28::Sharpness>& trend, bool scaled) {
  nlohmann::json shown = nlohmann::json::object();
  for (std::size_t i = 0; i < trend.size(); ++i)
    shown["d_k=" + std::to_string(trend_dims[i])] = scaled ? trend[i].scaled : trend[i].unscaled;
  return shown;
}

workbook::CheckResult unscaled_sharpens(const Context& ctx) {
  const auto trend = measured_trend(ctx);
  bool ok = trend.back().unscaled >= 0.9;
  for (std::size_t i = 1; i < trend.size(); ++i) ok = ok && trend[i].unscaled >= trend[i - 1].unscaled - trend_margin;
  return workbook::holds(ok, trend_json(trend, false),
                         "unscaled, the mean largest weight must never fall by more than the noise (" +
                             std::to_string(trend_margin) + ") from one d_k to the next, and pass 0.9 at d_k = 512");
}

// Where the scaled measurement should sit: given q, the scaled scores are iid N(0, |q|^2 / d_k) and |q|^2 / d_k -> 1,
// so the mean largest weight tends to that of a softmax of n iid N(0, 1) scores, estimated here on 20000 draws
// (standard error below 0.004, small beside trend_margin).
double scaled_limit(const Context& ctx) {
  auto rng = ctx.rng("c-limit");
  constexpr std::size_t draws = 20000;
  double sum = 0;
  for (std::size_t r = 0; r < draws; ++r) sum += xt::amax(oracle::softmax(oracle::gaussian_vector(n_keys, rng)))();
  return sum / draws;
}

workbook::CheckResult scaled_stays(const Context& ctx) {
  const auto trend = measured_trend(ctx);
  const double limit = scaled_limit(ctx);
  bool ok = trend.back().scaled <= trend.back().unscaled - 0.3;
  for (std::size_t i = 2; i < trend.size(); ++i)  // from d_k = 16: below, |q|^2 / d_k still swings widely
    ok = ok && std::abs(trend[i].scaled - limit) <= trend_margin;
  return workbook::holds(ok, trend_json(trend, true),
                         "scaled, the mean largest weight from d_k = 16 to 512 must stay within the noise (" +
                             std::to_string(trend_margin) + ") of " + std::to_string(limit) +
                             ", our estimate for a softmax of 8 independent N(0, 1) scores, and at d_k = 512 stay well "
                             "below the unscaled one (by 0.3 or more)");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(The trend. The checks measure with your mean_largest_weight at d_k = 1, 4, 16, 64, 256 and 512
(1000 rows of 8 keys each) and check two properties: unscaled, the mean largest weight climbs towards 1; scaled, it
stays put. Look at figure `sharpness`.)")
      .check("unscaled sharpens", CheckKind::property,
             "unscaled, your mean largest weight does not fall with d_k (beyond the noise) and is close to 1 at the "
             "largest d_k",
             unscaled_sharpens)
      .check("scaled stays", CheckKind::property,
             "scaled, your mean largest weight stays from d_k = 16 on (within the noise) at what a softmax of 8 "
             "independent N(0, 1) scores gives, and well below the unscaled one at the largest d_k",
             scaled_stays);
}

// ---- part d: the proof, with a typed core ----

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Prove it. Fix a query q and n keys k_1, ..., k_n, all entries independent N(0, 1), and write
s_j = q . k_j. Give the variance of the gap s_1 - s_2 between two keys' scores at d_k = 64, and the covariance of s_1
and s_2. Then bound the largest softmax weight from below by the gap g between the largest and the second largest
score: give the bound for n = 8 keys and g = 10 (to 4 decimal places). Finally say where the largest weight goes as
d_k grows, unscaled and scaled. Write the proof out: why the gap grows like sqrt(d_k) unscaled, why that makes the
weight tend to 1 (in what sense: in probability, or surely?), what happens with ties, and why the scaled scores
keep a distribution that does not depend on d_k.)")
      .number_answer("d_gap_variance", "Var(s_1 - s_2) at d_k = 64", [] { return 2.0 * 64; }, Precision::exact())
      .number_answer("d_covariance", "Cov(s_1, s_2)", [] { return 0.0; }, Precision::exact())
      .number_answer("d_bound", "the lower bound on the largest weight for n = 8 and gap g = 10",
                     [] { return 1.0 / (1.0 + 7.0 * std::exp(-10.0)); }, Precision::decimal_places(4))
      .choice_answer("d_unscaled_limit", "unscaled, as d_k grows the largest weight tends to",
                     {"the uniform value 1/n", "the one-hot value 1", "a law that does not depend on d_k"},
                     "the one-hot value 1")
      .choice_answer("d_scaled_limit", "scaled, as d_k grows the largest weight tends to",
                     {"the uniform value 1/n", "the one-hot value 1", "a law that does not depend on d_k"},
                     "a law that does not depend on d_k")
      .hint("s_1 - s_2 = q . (k_1 - k_2); condition on q. Every other score is at most the largest minus g.")
      .manual(2);
}

// The figure's measurement at one d_k: `batches` calls of `batch_rows` rows each (a call holds batch_rows x 8 x d_k
// doubles, so the full budget's large d_k go in batches).
ch13_28::Sharpness batched_measurement(std::size_t d_k, std::size_t batches, std::size_t batch_rows,
                                       std::mt19937_64& rng) {
  ch13_28::Sharpness mean;
  for (std::size_t b = 0; b < batches; ++b) {
    const auto m = ch13_28::mean_largest_weight(d_k, n_keys, batch_rows, rng);
    mean.unscaled += m.unscaled / double(batches), mean.scaled += m.scaled / double(batches);
  }
  return mean;
}

// Quick budget: d_k up to 2048, 500 rows a point. --full: up to 8192, 2000 rows a point (8 batches of 250), with a
// line on stderr per d_k since the largest take seconds each.
workbook::Plot sharpness_figure(const Context& ctx) {
  const std::size_t largest = ctx.full() ? 8192 : 2048, batches = ctx.full() ? 8 : 1;
  const std::size_t batch_rows = ctx.full() ? 250 : 500;
  workbook::Series unscaled{"unscaled scores", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series scaled{"scores / sqrt(d_k)", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series uniform{"1/n (a uniform softmax)", {}, {}, workbook::Series::Style::lines};
  auto rng = ctx.rng("plot-sharpness");
  for (std::size_t d_k = 1; d_k <= largest; d_k *= 2) {
    const auto m = batched_measurement(d_k, batches, batch_rows, rng);
    if (ctx.full()) std::cerr << "sharpness: d_k = " << d_k << " of " << largest << ": unscaled " << m.unscaled
                              << ", scaled " << m.scaled << "\n";
    unscaled.x.push_back(d_k), unscaled.y.push_back(m.unscaled);
    scaled.x.push_back(d_k), scaled.y.push_back(m.scaled);
    uniform.x.push_back(d_k), uniform.y.push_back(1.0 / n_keys);
  }
  auto p = workbook::xy_plot("Largest softmax weight of 8 random scores", "d_k", "mean largest weight",
                             {unscaled, scaled, uniform});
  p.logx = true;
  p.measured = true;
  return p;
}

void plots(workbook::Exercise& ex) {
  ex.plot("sharpness",
          "Your mean largest softmax weight over d_k, unscaled and scaled, 8 keys per row (quick budget: 500 rows "
          "per point up to d_k = 2048; --full: 2000 rows up to 8192)",
          sharpness_figure);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Unscaled scores make the softmax one-hot as d_k grows";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement = R"(Leave the 1/sqrt(d_k) out of scaled dot-product attention and look at what the softmax does as
d_k grows. Take a query and n keys whose entries are independent N(0, 1). Measure how much of the softmax goes to the
single best key (its largest weight, 1/n for a uniform softmax, 1 for a one-hot one) over a range of d_k, with and
without the scaling, then prove what you see.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  plots(ex);
}
