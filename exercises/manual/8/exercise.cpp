// manual/8: two random unit vectors in R^D are nearly orthogonal, SD(cos theta) = 1/sqrt(D). The closed
// forms are the oracle; the empirical checks use tolerances derived from the sample size through the
// moments of cos theta for uniform directions (derivation in the instructor's notes):
//   E[c^(2k)] = (2k-1)!! / (D (D+2) ... (D+2k-2)),  so E[c^2] = 1/D, E[c^4] = 3/(D(D+2)), E[c^8] = 105/(D..(D+6)).
// The statement does not give the variance: part (a) asks for it, and the checks and captions shown to the
// student name the closed form without writing it out. random_unit_vectors returns a batch per call, since
// each call crosses to the solution's process.

#include "manual/8/interface.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <xtensor/xadapt.hpp>

#include "workbook/oracle/matrix.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::Precision;

double degrees(double radians) { return radians * 180.0 / std::numbers::pi; }

// E[c^(2k)] for the cosine between two independent uniform directions in R^d.
double even_moment(int k, double d) {
  double value = 1;
  for (int i = 0; i < k; ++i) value *= (2.0 * i + 1) / (d + 2.0 * i);
  return value;
}

double sd_closed_form(double d) { return 1 / std::sqrt(d); }
// The "typical angle": the angle whose cosine is one standard deviation of cos theta.
double typical_angle_closed_form(double d) { return degrees(std::acos(sd_closed_form(d))); }

// `count` of the student's vectors in R^d, in one call, with their shape checked.
workbook::oracle::Matrix students_vectors(std::size_t d, std::size_t count, std::mt19937_64& rng) {
  workbook::oracle::Matrix vectors = manual_8::random_unit_vectors(d, count, rng);
  workbook::require_shape("random_unit_vectors", vectors, {count, d});
  return vectors;
}

// `count` cosines from count + 1 of the student's vectors, between consecutive ones (v_i, v_i+1), each pair
// normalised here so that only the directions matter. For uniform directions these cosines are pairwise
// uncorrelated, and so are their squares and fourth powers: given v_i+1 (a unit vector), v_i . v_i+1 and
// v_i+1 . v_i+2 are independent, each with the moments of c whatever v_i+1 is. So the standard errors below,
// written for independent pairs, hold exactly, at half the vectors that independent pairs would need.
std::vector<double> sample_cosines(std::size_t d, std::size_t count, std::mt19937_64& rng) {
  const auto vectors = students_vectors(d, count + 1, rng);
  std::vector<double> cosines;
  cosines.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto u = workbook::oracle::row(vectors, i), v = workbook::oracle::row(vectors, i + 1);
    cosines.push_back(workbook::oracle::dot(u, v) / std::sqrt(workbook::oracle::dot(u, u) * workbook::oracle::dot(v, v)));
  }
  return cosines;
}

double mean_power(const std::vector<double>& c, int power) {
  double sum = 0;
  for (double x : c) sum += std::pow(x, power);
  return sum / double(c.size());
}

// How many cosines a check samples in D dimensions: 10000 (200000 with --full), but each vector crosses the
// channel as D doubles, so at most 2 million doubles per call (20 million with --full): 1999 cosines for
// D = 1000. The tolerances follow the sample size, so a smaller sample only widens them.
std::size_t sample_size(bool full, std::size_t d) {
  const std::size_t wanted = full ? 200000 : 10000, doubles = full ? 20000000 : 2000000;
  return std::min(wanted, doubles / d - 1);
}
std::size_t sample_size(const Context& ctx, std::size_t d) { return sample_size(ctx.full(), d); }

// |v| of 100 vectors in each of D = 2, 3, 50, 1000 against 1. In float, the squared norm of 1000 terms is
// off by ~1e-6 relative, well inside float_computation; a vector left unnormalised is off by sqrt(D).
workbook::CheckResult norm_check(const Context& ctx) {
  auto rng = ctx.rng("b-norm");
  std::vector<double> norms;
  for (std::size_t d : {2, 3, 50, 1000}) {
    const auto vectors = students_vectors(d, 100, rng);
    for (std::size_t i = 0; i < 100; ++i) {
      const auto u = workbook::oracle::row(vectors, i);
      norms.push_back(std::sqrt(workbook::oracle::dot(u, u)));
    }
  }
  return workbook::close(xt::adapt(norms), xt::ones<double>({norms.size()}), workbook::tolerance::float_computation);
}

// In D = 2 the angle phi of a uniform direction is uniform, so cos(4 phi) has mean 0 and variance 1/2: the
// standard error of its mean is sqrt(1/(2n)). Points of the square [-1, 1]^2 pushed onto the circle have
// angle density proportional to 1/cos^2 within each 90-degree sector, and E[cos 4 phi] = 3 - pi = -0.14
// (cos 4 phi / cos^2 phi = 8 cos^2 phi - 8 + 1/cos^2 phi, integrated over |phi| < pi/4); points of one
// quadrant give the same, 200 standard errors away at n = 10000.
workbook::CheckResult circle_check(const Context& ctx) {
  auto rng = ctx.rng("b-circle");
  const std::size_t n = sample_size(ctx, 2);
  const auto vectors = students_vectors(2, n, rng);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::cos(4 * std::atan2(vectors(i, 1), vectors(i, 0)));
  return workbook::close(sum / double(n), 0.0, {0, 5 * std::sqrt(0.5 / double(n))});
}

// mean(c^4) against 3/(D(D+2)); its standard error is sqrt((E c^8 - (E c^4)^2) / n); 5 of them.
workbook::CheckResult fourth_moment_check(const Context& ctx, std::size_t d) {
  auto rng = ctx.rng("b-fourth-" + std::to_string(d));
  const std::size_t n = sample_size(ctx, d);
  const double m4 = even_moment(2, double(d)), m8 = even_moment(4, double(d));
  const double standard_error = std::sqrt((m8 - m4 * m4) / double(n));
  return workbook::close(mean_power(sample_cosines(d, n, rng), 4), m4, {0, 5 * standard_error});
}

// The empirical SD sqrt(mean c^2) (the mean is known to be 0) against 1/sqrt(D). mean(c^2) has standard
// error sqrt((E c^4 - (E c^2)^2)/n) = sqrt(2(D-1) / (D^2 (D+2) n)); through d sqrt(x) = dx / (2 sqrt(x)) the
// SD's is that times sqrt(D)/2 = sqrt((D-1) / (2 D (D+2) n)), about 0.7% of 1/sqrt(D) at n = 10000. 5 of them.
workbook::CheckResult spread_check(const Context& ctx, std::size_t d) {
  auto rng = ctx.rng("c-spread-" + std::to_string(d));
  const std::size_t n = sample_size(ctx, d);
  const double dd = double(d);
  const double standard_error = std::sqrt((dd - 1) / (2 * dd * (dd + 2) * double(n)));
  return workbook::close(std::sqrt(mean_power(sample_cosines(d, n, rng), 2)), sd_closed_form(dd),
                         {0, 5 * standard_error});
}

// Density of the angle in degrees between two uniform directions: sin^(D-2)(theta) / I_D * pi/180, with
// I_D = int_0^pi sin^(D-2) = sqrt(pi) Gamma((D-1)/2) / Gamma(D/2).
double angle_density(double theta_degrees, double d) {
  const double log_norm = 0.5 * std::log(std::numbers::pi) + std::lgamma((d - 1) / 2) - std::lgamma(d / 2);
  const double s = std::sin(theta_degrees * std::numbers::pi / 180.0);
  return std::exp((d - 2) * std::log(s) - log_norm) * std::numbers::pi / 180.0;
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 2, "Find E[c] and Var(c) as functions of D. Give SD(c) to three significant figures "
                            "and the typical angle in degrees to one decimal place, for D = 10 and D = 512.");
  a.number_answer("sd_10", "SD(cos theta) for D = 10", [] { return sd_closed_form(10); },
                  Precision::significant_figures(3))
      .number_answer("sd_512", "SD(cos theta) for D = 512", [] { return sd_closed_form(512); },
                     Precision::significant_figures(3))
      .number_answer("angle_10", "typical angle for D = 10", [] { return typical_angle_closed_form(10); },
                     Precision::decimal_places(1), "degrees")
      .number_answer("angle_512", "typical angle for D = 512", [] { return typical_angle_closed_form(512); },
                     Precision::decimal_places(1), "degrees")
      .hint("Compute E[a a^T] first: what do its trace and its behaviour under rotations tell you?");
}

void part_b(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& b = ex.part("b", 2, "Implement random_unit_vectors: unit length, every direction equally likely, a "
                            "whole batch per call.");
  b.check("norm", CheckKind::close, "|v| of 100 vectors in each of D = 2, 3, 50 and 1000 against unit length",
          [](const Context& ctx) { return norm_check(ctx); });
  b.check("D=2 angles", CheckKind::close,
          "mean of cos(4 phi) over 10000 vectors in D = 2 (phi = atan2(v_1, v_0)) against its value for "
          "uniformly distributed angles, within 5 standard errors",
          [](const Context& ctx) { return circle_check(ctx); });
  b.check("D=3 fourth moment", CheckKind::close,
          "mean c^4 over 10000 cosines between consecutive vectors in D = 3 against its value for uniform directions, within 5 standard "
          "errors",
          [](const Context& ctx) { return fourth_moment_check(ctx, 3); });
  b.hint("A vector of independent standard normals has a distribution that no rotation changes: normalise it.");
  b.hint("std::uniform_real_distribution<double> draws from [0, 1) unless told otherwise.");
}

const std::vector<std::size_t> dimensions = {2, 10, 100, 512, 1000};

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 2, "Check your SD(c) from (a) by sampling, for D = 2, 10, 100, 512 and 1000.");
  for (std::size_t d : dimensions)
    c.check("D=" + std::to_string(d), workbook::CheckKind::close,
            "sqrt(mean c^2) over " + std::to_string(sample_size(false, d)) +
                " cosines between consecutive vectors (more with --full) in D = " + std::to_string(d) +
                " against the closed form of (a), within 5 standard errors",
            [d](const Context& ctx) { return spread_check(ctx, d); });
}

workbook::Plot spread_plot(const Context& ctx) {
  workbook::Series measured{"sampled", {}, {}, workbook::Series::Style::points};
  workbook::Series theory{"closed form", {}, {}, workbook::Series::Style::lines};
  auto rng = ctx.rng("plot-spread");
  for (std::size_t d : {2, 3, 5, 10, 20, 50, 100, 200, 512, 1000}) {
    measured.x.push_back(double(d));
    measured.y.push_back(std::sqrt(mean_power(sample_cosines(d, sample_size(false, d), rng), 2)));
  }
  for (double d = 2; d <= 1000; d *= 1.1) {
    theory.x.push_back(d);
    theory.y.push_back(sd_closed_form(d));
  }
  auto p = workbook::xy_plot("Cosine between two random unit vectors: spread against dimension", "dimension D",
                             "SD of cos theta", {theory, measured});
  p.logx = p.logy = true;
  return p;
}

workbook::Plot angles_plot(const Context& ctx) {
  std::vector<workbook::Series> series;
  auto rng = ctx.rng("plot-angles");
  for (std::size_t d : {10, 512}) {
    std::vector<double> angles;
    for (double c : sample_cosines(d, sample_size(false, d), rng)) angles.push_back(degrees(std::acos(c)));
    series.push_back(workbook::histogram("sampled, D = " + std::to_string(d), angles, 90, 0, 180));
    workbook::Series exact{"exact, D = " + std::to_string(d), {}, {}, workbook::Series::Style::lines};
    for (double t = 0.5; t < 180; t += 0.5) {
      exact.x.push_back(t);
      exact.y.push_back(angle_density(t, double(d)));
    }
    series.push_back(exact);
  }
  return workbook::xy_plot("Angle between two random unit vectors", "angle (degrees)", "density (per degree)", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Random directions in high dimension are nearly orthogonal";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement = R"(Draw two unit vectors a and b in R^D independently, each direction equally likely, and let c = cos(theta) = a·b. Work out how widely c spreads around its mean as D grows, and what that says about the angle between two random directions in many dimensions. Call the typical angle the angle between 0 and 90 degrees whose cosine is one standard deviation of c. Then sample directions yourself and check your prediction.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("spread", "Empirical SD of cos theta against D (log-log), with the closed form of part (a)", spread_plot);
  ex.plot("angles", "Histogram of the angle between two random unit vectors for D = 10 and D = 512, with the "
                    "exact density, proportional to sin^(D-2)(theta)",
          angles_plot);
}
