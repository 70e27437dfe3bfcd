// topic10/1.9: the Johnson-Lindenstrauss dimension for a retrieval index of 10^12 documents. The answers are
// checked against the formula d >= 8 ln(m) / eps^2; a small experiment (m = 50 Gaussian points in R^4000
// projected to the student's d for m = 50) checks that a random Gaussian map to that d keeps every pairwise
// distance within a factor 1 +- eps, with a margin derived from the spread of the distance ratios.

#include <cmath>

#include "workbook/oracle.hpp"
#include "workbook/oracle_linalg.hpp"

namespace {

using workbook::Context;
using Matrix2 = xt::xtensor<double, 2>;

constexpr double eps = 0.1;
const double documents = 1e12;

double jl_bound(double m, double epsilon) { return 8 * std::log(m) / (epsilon * epsilon); }
std::int64_t jl_dimension(double m, double epsilon) { return std::int64_t(std::ceil(jl_bound(m, epsilon))); }

// ---- the small-scale experiment ---------------------------------------------------------------------------
constexpr std::size_t points = 50, ambient = 4000;
// The experiment refuses target dimensions outside 1..25000: beyond that the map is no reduction of R^4000 at
// all (more than six times the original dimension), and drawing the 4000 x d Gaussian matrix would take seconds.
constexpr std::int64_t max_target_d = 25000;
constexpr std::size_t block_columns = 512;  // G is drawn 512 columns at a time: 4000 x 512 doubles = 16 MB

// f(x) = x G / sqrt(d) for the m x ambient points x, G an ambient x d matrix of independent N(0, 1) entries,
// built block by block of columns so that memory stays small whatever d is.
Matrix2 gaussian_projection(const Matrix2& x, std::size_t d, std::mt19937_64& rng) {
  Matrix2 y = Matrix2::from_shape({x.shape(0), d});                                                          // m x d
  for (std::size_t start = 0; start < d; start += block_columns) {
    const std::size_t width = std::min(block_columns, d - start);
    const Matrix2 g = workbook::oracle::linalg::gaussian_matrix(ambient, width, rng, 1 / std::sqrt(double(d)));
    const Matrix2 block = xt::linalg::dot(x, g);                                                          // m x width
    for (std::size_t i = 0; i < x.shape(0); ++i)
      for (std::size_t c = 0; c < width; ++c) y(i, start + c) = block(i, c);
  }
  return y;
}

// For every pair, ||f(u) - f(v)|| / ||u - v||. ||f(u) - f(v)||^2 / ||u - v||^2 is chi^2_d / d exactly, whatever
// u and v are, so the ratio has mean ~1 and standard deviation ~1/sqrt(2d) = 0.0126 at the formula's d = 3130:
// eps = 0.1 is about 7.9 of those, and the chance that any of the 1225 pairs leaves [1 - eps, 1 + eps] is below
// 1e-11 (normal tail times 1225). A larger d only narrows the spread, so for any d >= 3130 a false failure is
// at least as unlikely; a d far below the formula's (a few hundred) makes eps a couple of standard deviations
// and some pair fails.
std::vector<double> distance_ratios(std::size_t d, std::mt19937_64& rng) {
  const Matrix2 x = workbook::oracle::linalg::gaussian_matrix(points, ambient, rng);                          // m x D
  const Matrix2 y = gaussian_projection(x, d, rng);                                                         // m x d
  std::vector<double> ratios;
  for (std::size_t i = 0; i < points; ++i)
    for (std::size_t j = i + 1; j < points; ++j) {
      double before = 0, after = 0;
      for (std::size_t c = 0; c < ambient; ++c) before += (x(i, c) - x(j, c)) * (x(i, c) - x(j, c));
      for (std::size_t c = 0; c < d; ++c) after += (y(i, c) - y(j, c)) * (y(i, c) - y(j, c));
      ratios.push_back(std::sqrt(after / before));
    }
  return ratios;
}

double worst_distortion(const std::vector<double>& ratios, int power) {
  double worst = 0;
  for (double r : ratios) worst = std::max(worst, std::abs(std::pow(r, power) - 1));
  return worst;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Johnson-Lindenstrauss: how many dimensions for 10^12 documents?";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "A retrieval-augmented generation system stores m = 10^12 documents as vectors and maps them to R^d by a "
      "random linear projection. By the Johnson-Lindenstrauss lemma, in the form d >= 8 ln(m) / eps^2, a "
      "random Gaussian map to that many dimensions keeps every pairwise distance within a factor 1 +- eps "
      "with high probability. Take eps = 0.1. Give the bound to two decimals and dimensions as integers.";

  auto& a = ex.part("a", 2, "Compute the bound 8 ln(m) / eps^2 for m = 10^12 and eps = 0.1, and the smallest "
                            "integer d that satisfies it.");
  a.number_answer("a_bound", "8 ln(10^12) / 0.1^2", [] { return jl_bound(documents, eps); }, {0, 0.005})
      .integer_answer("a_min_d", "smallest integer d", jl_dimension(documents, eps))
      .hint("ln(10^12) = 12 ln 10, about 27.631.");

  auto& b = ex.part("b", 2, "Try it at a small scale: for m = 50 points and eps = 0.1, what d does the formula ask "
                            "for? The run projects 50 random points of R^4000 to your d and checks every "
                            "pairwise distance ratio.");
  b.integer_answer("b_small_d", "d for m = 50, eps = 0.1", jl_dimension(points, eps))
      .check("all pairs", CheckKind::property,
             "50 Gaussian points in R^4000 projected by G / sqrt(d) with YOUR d (b_small_d): all 1225 ratios "
             "||f(u) - f(v)|| / ||u - v|| lie in [1 - eps, 1 + eps] (reported: worst distance and squared-distance "
             "distortions). This shows your d suffices: it passes for any d from the formula's value up to 25000 "
             "(and often a little below); b_small_d's own check verifies the value itself",
             [](const Context& ctx) {
               const std::int64_t your_d = ctx.answers().integer("b_small_d");
               if (your_d < 1 || your_d > max_target_d)
                 return workbook::holds(false, {{"your d", your_d}},
                                        "b_small_d = " + std::to_string(your_d) +
                                            " is not a usable target dimension: the experiment projects to "
                                            "1..25000 dimensions only");
               auto rng = ctx.rng("b-projection");
               const auto ratios = distance_ratios(std::size_t(your_d), rng);
               const double worst = worst_distortion(ratios, 1);
               return workbook::holds(worst <= eps,
                                      {{"your d", your_d},
                                       {"worst |ratio - 1|", worst},
                                       {"worst |ratio^2 - 1|", worst_distortion(ratios, 2)}},
                                      "some pair's distance changed by more than a factor 1 +- eps");
             });

  auto& c = ex.part("c", 1, "Does the required d depend on the dimension of the original embeddings? How does "
                            "it grow with the number of documents?");
  c.choice_answer("c_ambient", "does d depend on the original embedding dimension?", {"yes", "no"}, "no")
      .manual();

  ex.plot("ratios", "Pairwise distance ratios after a Gaussian projection of 50 points (R^4000 -> R^3130)",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot");
            const auto ratios = distance_ratios(std::size_t(jl_dimension(points, eps)), rng);
            workbook::Plot p;
            p.title = "JL projection: ||f(u) - f(v)|| / ||u - v|| over 1225 pairs";
            p.xlabel = "distance ratio";
            p.ylabel = "density";
            p.series = {workbook::histogram("1225 pairs", ratios, 60, 1 - 1.5 * eps, 1 + 1.5 * eps),
                        {"1 - eps", {1 - eps, 1 - eps}, {0, 30}, workbook::Series::Style::lines},
                        {"1 + eps", {1 + eps, 1 + eps}, {0, 30}, workbook::Series::Style::lines}};
            return p;
          });
}
