// manual/8: two random unit vectors in R^D are nearly orthogonal, SD(cos theta) = 1/sqrt(D). The closed
// forms are the oracle; the empirical checks use tolerances derived from the sample size through the
// moments of cos theta for uniform directions (derivation in the notes):
//   E[c^(2k)] = (2k-1)!! / (D (D+2) ... (D+2k-2)),  so E[c^2] = 1/D, E[c^4] = 3/(D(D+2)), E[c^8] = 105/(D..(D+6)).

#include "manual/8/interface.hpp"

#include <cmath>
#include <numbers>

#include "workbook/oracle.hpp"

namespace {

using workbook::Context;

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

// Cosines between `pairs` independent pairs of the student's random unit vectors.
std::vector<double> sample_cosines(std::size_t d, std::size_t pairs, std::mt19937_64& rng) {
  std::vector<double> cosines;
  cosines.reserve(pairs);
  const auto vectors = manual_8::random_unit_vectors(d, 2 * pairs, rng);  // pair i: rows 2i and 2i + 1
  if (vectors.shape(0) != 2 * pairs || vectors.shape(1) != d)
    throw std::runtime_error("random_unit_vectors returned the wrong shape");
  for (std::size_t i = 0; i < pairs; ++i) {
    const workbook::oracle::Vector u(&vectors(2 * i, 0), &vectors(2 * i, 0) + d), v(&vectors(2 * i + 1, 0), &vectors(2 * i + 1, 0) + d);
    cosines.push_back(workbook::oracle::dot(u, v) / std::sqrt(workbook::oracle::dot(u, u) * workbook::oracle::dot(v, v)));
  }
  return cosines;
}

double mean_power(const std::vector<double>& c, int power) {
  double sum = 0;
  for (double x : c) sum += std::pow(x, power);
  return sum / double(c.size());
}

std::size_t sample_pairs(const Context& ctx) { return ctx.full() ? 200000 : 10000; }

// mean(c^4) against 3/(D(D+2)); its standard error is sqrt((E c^8 - (E c^4)^2) / n); 5 of them.
workbook::CheckResult fourth_moment_check(const Context& ctx, std::size_t d) {
  auto rng = ctx.rng("b-fourth-" + std::to_string(d));
  const std::size_t n = sample_pairs(ctx);
  const double m4 = even_moment(2, d), m8 = even_moment(4, d);
  const double standard_error = std::sqrt((m8 - m4 * m4) / double(n));
  return workbook::close(mean_power(sample_cosines(d, n, rng), 4), m4, {0, 5 * standard_error});
}

// In D = 2 the angle phi of a uniform direction is uniform, so cos(4 phi) has mean 0 and variance 1/2: the
// standard error of its mean is sqrt(1/(2n)). Points of the square [-1, 1]^2 pushed onto the circle have
// angle density proportional to 1/cos^2 within each 90-degree sector, and E[cos 4 phi] = (6 - 2 pi)/2 = -0.14.
workbook::CheckResult circle_check(const Context& ctx) {
  auto rng = ctx.rng("b-circle");
  const std::size_t n = sample_pairs(ctx);
  double sum = 0;
  const auto vectors = manual_8::random_unit_vectors(2, n, rng);
  if (vectors.shape(0) != n || vectors.shape(1) != 2) throw std::runtime_error("random_unit_vectors returned the wrong shape");
  for (std::size_t i = 0; i < n; ++i) sum += std::cos(4 * std::atan2(vectors(i, 1), vectors(i, 0)));
  return workbook::close(sum / double(n), 0.0, {0, 5 * std::sqrt(0.5 / double(n))});
}

// The empirical SD sqrt(mean c^2) (the mean is known to be 0) against 1/sqrt(D). mean(c^2) has standard
// error sqrt((E c^4 - (E c^2)^2)/n) = sqrt(2(D-1) / (D^2 (D+2) n)); through d sqrt(x) = dx / (2 sqrt(x)) the
// SD's is that times sqrt(D)/2 = sqrt((D-1) / (2 D (D+2) n)), about 0.7% of 1/sqrt(D) at n = 10000. 5 of them.
workbook::CheckResult spread_check(const Context& ctx, std::size_t d) {
  auto rng = ctx.rng("c-spread-" + std::to_string(d));
  const std::size_t n = sample_pairs(ctx);
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

const std::vector<std::size_t> dimensions = {2, 10, 100, 512, 1000};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Random directions in high dimension are nearly orthogonal";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement =
      "Draw two unit vectors a and b in R^D independently, each direction equally likely, and let "
      "c = cos(theta) = a·b. Show that c has mean 0 and variance 1/D, so its standard deviation 1/sqrt(D) "
      "shrinks as D grows: in many dimensions almost every pair is close to perpendicular. Call "
      "arccos(1/sqrt(D)) the typical angle: the angle whose cosine is one standard deviation away from 0. "
      "Then sample directions yourself and check the prediction. Give standard deviations to three "
      "decimals and angles in degrees to one decimal.";

  auto& a = ex.part("a", 2, "Show E[c] = 0 and Var(c) = 1/D. Give SD(c) and the typical angle for D = 10 and "
                            "D = 512.");
  a.number_answer("sd_10", "SD(cos theta) for D = 10", [] { return sd_closed_form(10); }, {0, 5e-4})
      .number_answer("sd_512", "SD(cos theta) for D = 512", [] { return sd_closed_form(512); }, {0, 5e-4})
      .number_answer("angle_10", "typical angle for D = 10", [] { return typical_angle_closed_form(10); }, {0, 0.05},
                     "degrees")
      .number_answer("angle_512", "typical angle for D = 512", [] { return typical_angle_closed_form(512); },
                     {0, 0.05}, "degrees")
      .hint("Compute E[a a^T] first: what do its trace and its behaviour under rotations tell you?");

  auto& b = ex.part("b", 2, "Implement random_unit_vectors: unit length, every direction "
                            "equally likely.");
  b.check("norm", CheckKind::close, "the largest | |v| - 1 | over 100 vectors each in D = 2, 3, 50, 1000 is 0 within 1e-12",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-norm");
            double worst = 0;
            for (std::size_t d : {2, 3, 50, 1000}) {
              const auto vectors = manual_8::random_unit_vectors(d, 100, rng);
              if (vectors.shape(0) != 100 || vectors.shape(1) != d)
                throw std::runtime_error("random_unit_vectors returned the wrong shape");
              for (std::size_t i = 0; i < 100; ++i) {
                const workbook::oracle::Vector u(&vectors(i, 0), &vectors(i, 0) + d);
                worst = std::max(worst, std::abs(std::sqrt(workbook::oracle::dot(u, u)) - 1));
              }
            }
            return workbook::close(worst, 0.0, {0, 1e-12});
          });
  b.check("D=2 angles", CheckKind::close,
          "mean of cos(4 phi) over 10000 vectors in D = 2 (phi = atan2(v_1, v_0)) against 0, its value for "
          "uniform angles, within 5 standard errors sqrt(1/(2n)); normalising points of a square or of one "
          "quadrant gives about -0.14",
          [](const Context& ctx) { return circle_check(ctx); });
  b.check("D=3 fourth moment", CheckKind::close,
          "mean c^4 over 10000 pairs in D = 3 against 3/(D(D+2)) = 1/5 (in 3-D, c is uniform on [-1, 1]), "
          "within 5 standard errors",
          [](const Context& ctx) { return fourth_moment_check(ctx, 3); });
  b.hint("A vector of independent standard normals has a distribution that no rotation changes: normalise it.");
  b.hint("std::uniform_real_distribution<double> draws from [0, 1) unless told otherwise.");

  auto& c = ex.part("c", 2, "Check SD(c) = 1/sqrt(D) by sampling, for D = 2, 10, 100, 512 and 1000.");
  for (std::size_t d : dimensions)
    c.check("D=" + std::to_string(d), CheckKind::close,
            "sqrt(mean c^2) over 10000 pairs (200000 with --full) against 1/sqrt(" + std::to_string(d) +
                "), within 5 standard errors sqrt((D-1)/(2D(D+2)n))",
            [d](const Context& ctx) { return spread_check(ctx, d); });

  ex.plot("spread", "Empirical SD of cos theta against D (log-log) with the line 1/sqrt(D)", [](const Context& ctx) {
    workbook::Plot p;
    p.title = "Cosine between two random unit vectors: spread against dimension";
    p.xlabel = "dimension D";
    p.ylabel = "SD of cos theta";
    p.logx = p.logy = true;
    workbook::Series measured{"sampled (4000 pairs per D)", {}, {}, workbook::Series::Style::points};
    workbook::Series theory{"1/sqrt(D)", {}, {}, workbook::Series::Style::lines};
    auto rng = ctx.rng("plot-spread");
    for (std::size_t d : {2, 3, 5, 10, 20, 50, 100, 200, 512, 1000}) {
      measured.x.push_back(double(d));
      measured.y.push_back(std::sqrt(mean_power(sample_cosines(d, 4000, rng), 2)));
    }
    for (double d = 2; d <= 1000; d *= 1.1) {
      theory.x.push_back(d);
      theory.y.push_back(sd_closed_form(d));
    }
    p.series = {theory, measured};
    return p;
  });
  ex.plot("angles", "Histogram of the angle between two random unit vectors for D = 10 and D = 512, with the "
                    "exact density proportional to sin^(D-2)(theta)",
          [](const Context& ctx) {
            workbook::Plot p;
            p.title = "Angle between two random unit vectors";
            p.xlabel = "angle (degrees)";
            p.ylabel = "density (per degree)";
            auto rng = ctx.rng("plot-angles");
            for (std::size_t d : {10, 512}) {
              std::vector<double> angles;
              for (double c : sample_cosines(d, 10000, rng)) angles.push_back(degrees(std::acos(c)));
              p.series.push_back(workbook::histogram("sampled, D = " + std::to_string(d), angles, 90, 0, 180));
              workbook::Series exact{"exact, D = " + std::to_string(d), {}, {}, workbook::Series::Style::lines};
              for (double t = 0.5; t < 180; t += 0.5) {
                exact.x.push_back(t);
                exact.y.push_back(angle_density(t, double(d)));
              }
              p.series.push_back(exact);
            }
            return p;
          });
}
