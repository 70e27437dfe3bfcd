// topic10/1.9: the Johnson-Lindenstrauss dimension for a retrieval index of 10^12 documents. The answers are
// checked against the formula d >= 8 ln(m) / eps^2; a small experiment (m = 50 Gaussian points in R^4000
// projected to the student's d for m = 50) is drawn as a histogram of the pairwise distance ratios, so the
// student sees how far inside 1 +- eps they fall.

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::Context;
using workbook::Precision;
using Matrix2 = workbook::oracle::Matrix;

constexpr double eps = 0.1;
const double documents = 1e12;

double jl_bound(double m, double epsilon) { return 8 * std::log(m) / (epsilon * epsilon); }
std::int64_t jl_dimension(double m, double epsilon) { return std::int64_t(std::ceil(jl_bound(m, epsilon))); }

// ---- the small-scale experiment ---------------------------------------------------------------------------
constexpr std::size_t points = 50, ambient = 4000;
// The plot refuses target dimensions outside 1..25000: beyond that the map is no reduction of R^4000 at all
// (more than six times the original dimension), and drawing the 4000 x d Gaussian matrix would take seconds.
constexpr std::int64_t max_target_d = 25000;
constexpr std::size_t block_columns = 512;  // G is drawn 512 columns at a time: 4000 x 512 doubles = 16 MB

// f(x) = x G / sqrt(d) for the m x ambient points x, G an ambient x d matrix of independent N(0, 1) entries,
// built block by block of columns so that memory stays small whatever d is.
Matrix2 gaussian_projection(const Matrix2& x, std::size_t d, std::mt19937_64& rng) {
  Matrix2 y = Matrix2::from_shape({x.shape(0), d});  // m x d
  for (std::size_t start = 0; start < d; start += block_columns) {
    const std::size_t width = std::min(block_columns, d - start);
    const Matrix2 g = workbook::oracle::gaussian_matrix(ambient, width, rng, 1 / std::sqrt(double(d)));
    const Matrix2 block = xt::linalg::dot(x, g);  // m x width
    for (std::size_t i = 0; i < x.shape(0); ++i)
      for (std::size_t c = 0; c < width; ++c) y(i, start + c) = block(i, c);
  }
  return y;
}

// For every pair, ||f(u) - f(v)|| / ||u - v||. ||f(u) - f(v)||^2 / ||u - v||^2 is chi^2_d / d exactly, whatever
// u and v are, so the ratio has mean ~1 and standard deviation ~1/sqrt(2d): at the formula's d for m = 50 the
// band 1 +- eps is about 7.9 of those wide on each side, and the histogram sits well inside it; at a few hundred
// dimensions the tails reach the band's edges.
std::vector<double> distance_ratios(std::size_t d, std::mt19937_64& rng) {
  const Matrix2 x = workbook::oracle::gaussian_matrix(points, ambient, rng);  // m x D
  const Matrix2 y = gaussian_projection(x, d, rng);  // m x d
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

workbook::Plot ratios_plot(const Context& ctx) {
  const std::int64_t your_d = ctx.answers().integer("b_small_d");
  if (your_d < 1 || your_d > max_target_d)
    throw std::runtime_error("b_small_d = " + std::to_string(your_d) +
                             " is not a usable target dimension: the experiment projects to 1..25000 dimensions");
  auto rng = ctx.rng("plot");
  const auto ratios = distance_ratios(std::size_t(your_d), rng);
  workbook::Plot p;
  p.title = "JL projection to your d: ||f(u) - f(v)|| / ||u - v|| over 1225 pairs";
  p.xlabel = "distance ratio";
  p.ylabel = "density";
  p.series = {workbook::histogram("1225 pairs", ratios, 60, 1 - 1.5 * eps, 1 + 1.5 * eps),
              {"1 - eps", {1 - eps, 1 - eps}, {0, 30}, workbook::Series::Style::lines},
              {"1 + eps", {1 + eps, 1 + eps}, {0, 30}, workbook::Series::Style::lines}};
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Johnson-Lindenstrauss: how many dimensions for 10^12 documents?";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A retrieval-augmented generation system stores m = 10^12 documents as vectors and maps them
to R^d by a random linear projection. By the Johnson-Lindenstrauss lemma, in the form d >= 8 ln(m) / eps^2, a
random Gaussian map to that many dimensions keeps every pairwise distance within a factor 1 +- eps with high
probability. Take eps = 0.1. Give the bound to 2 decimal places and dimensions as integers.)";

  ex.part("a", 2, "Compute the bound 8 ln(m) / eps^2 for m = 10^12 and eps = 0.1, and the smallest "
                  "integer d that satisfies it.")
      .number_answer("a_bound", "8 ln(10^12) / 0.1^2", [] { return jl_bound(documents, eps); },
                     Precision::decimal_places(2))
      .integer_answer("a_min_d", "smallest integer d", jl_dimension(documents, eps))
      .hint("ln(10^12) = 12 ln 10, about 27.631.");

  ex.part("b", 1, "Try it at a small scale: for m = 50 points and eps = 0.1, what d does the formula ask for? The "
                  "plot ratios projects 50 random points of R^4000 to your d and draws every pairwise distance "
                  "ratio against 1 +- eps.")
      .integer_answer("b_small_d", "d for m = 50, eps = 0.1", jl_dimension(points, eps));

  ex.part("c", 1, "Does the required d depend on the dimension of the original embeddings? How does "
                  "it grow with the number of documents?")
      .choice_answer("c_ambient", "does d depend on the original embedding dimension?", {"yes", "no"}, "no")
      .manual();

  ex.plot("ratios", "Pairwise distance ratios of 50 Gaussian points of R^4000 after a Gaussian projection to your "
                    "b_small_d dimensions, against the band 1 +- eps",
          ratios_plot);
}
