// topic10/1.7: how fast may rank collapse be if 10% must survive 12 layers? The seed leaves "variance" open
// between the residual norm and its square; both readings are asked for and checked against the closed
// forms. Part (b) asks what the two readings mean for each other: the variance left at the norm reading's
// rate, and how long the variance reading's rate takes to bring the variance down to 1%.

#include <cmath>

#include "workbook/exercise.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;

constexpr double layers = 12;
constexpr double kept = 0.1;

// Norm reading: C e^{-12 lambda} >= 0.1 C  <=>  lambda <= ln(10)/12.
double max_rate_norm() { return -std::log(kept) / layers; }
// Squared-norm ("variance") reading: C^2 e^{-24 lambda} >= 0.1 C^2  <=>  lambda <= ln(10)/24.
double max_rate_variance() { return -std::log(kept) / (2 * layers); }

// The variance left after l layers when the distance decays exactly as C e^{-lambda l}: e^{-2 lambda l}.
double variance_left(double rate, double layer) { return std::exp(-2 * rate * layer); }

// The first whole layer at which the variance left drops to `fraction` or below (rounding guarded: the exact
// crossing at the variance reading's rate is an integer).
std::int64_t layers_until(double rate, double fraction) {
  return std::int64_t(std::ceil(std::log(fraction) / (-2 * rate) - 1e-9));
}

workbook::Plot retained_plot(const Context& ctx) {
  workbook::Plot p;
  p.title = "Decay at your two rates";
  p.xlabel = "layer l";
  p.ylabel = "variance left / initial variance";
  p.logy = true;
  const double norm_rate = ctx.answers().number("a_norm"), variance_rate = ctx.answers().number("a_variance");
  workbook::Series variance{"your a_variance", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series norm{"your a_norm", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series target{"10%", {0, 24}, {kept, kept}, workbook::Series::Style::lines};
  workbook::Series layer12{"layer 12", {layers, layers}, {1e-3, 1}, workbook::Series::Style::lines};
  for (int l = 0; l <= 24; ++l) {
    variance.x.push_back(l);
    variance.y.push_back(variance_left(variance_rate, l));
    norm.x.push_back(l);
    norm.y.push_back(variance_left(norm_rate, l));
  }
  p.series = {variance, norm, target, layer12};
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Rank collapse: the largest decay rate that keeps 10% after 12 layers";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(In a deep stack of attention layers without residual connections the token representations
H^(l) (n x d, one token per row) approach a rank-one matrix 1 v^T, every token the same:
||H^(l) - 1 v^T|| <= C e^(-lambda l). Take C = ||H^(0) - 1 v^T||, the initial distance (so the bound is tight
at l = 0). We want at least 10% of the initial spread of the tokens left after 12 layers. 'Spread' has two
readings: the distance itself (a norm) or its square (a variance, (1/n)||H - 1 mu^T||_F^2 with mu the mean
token). Where a question says the decay meets the bound, the distance at layer l is exactly C e^(-lambda l).)";

  ex.part("a", 2, "Give the largest lambda the bound allows under the norm reading and under the variance reading.")
      .number_answer("a_norm", "max lambda, distance kept >= 10%", max_rate_norm, Precision::significant_figures(4))
      .number_answer("a_variance", "max lambda, squared distance (variance) kept >= 10%", max_rate_variance,
                     Precision::significant_figures(4))
      .hint("Set C e^(-12 lambda) = 0.1 C and solve; for the variance square both sides first.");

  ex.part("b", 2, "Let the decay meet the bound. At the norm reading's largest rate, what fraction of the initial "
                  "variance is left after 12 layers? At the variance reading's largest rate, after how many "
                  "layers has the variance first fallen to 1% of its start?")
      .number_answer("b_variance_left", "fraction of the variance left after 12 layers at the norm reading's rate",
                     [] { return variance_left(max_rate_norm(), layers); }, Precision::decimal_places(4))
      .integer_answer("b_layers", "layers until 1% of the variance is left at the variance reading's rate",
                      layers_until(max_rate_variance(), kept * kept))
      .hint("The variance is the square of the distance: it decays at twice the rate.");

  ex.part("c", 1, "Does choosing lambda at or below your answer guarantee that 10% survives?")
      .choice_answer("c_guarantee", "is lambda <= your bound sufficient for keeping 10%?", {"yes", "no"}, "no")
      .manual();

  ex.plot("retained", "Variance left after l layers when the decay meets the bound at your two rates a_norm and "
                      "a_variance, against the 10% line at layer 12",
          retained_plot);
}
