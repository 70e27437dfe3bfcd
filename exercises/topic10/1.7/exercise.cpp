// topic10/1.7: how fast may rank collapse be if 10% must survive 12 layers? The seed leaves "variance" open
// between the residual norm and its square; both readings are asked for and checked against the closed
// forms ln(10)/12 and ln(10)/24. A sequence that decays at the student's two rates must then keep exactly 10%
// at layer 12 under each reading (and the norm reading's rate only 1% of the squared quantity).

#include <cmath>

#include "workbook/oracle.hpp"

namespace {

using workbook::Context;

constexpr double layers = 12;
constexpr double kept = 0.1;

// Norm reading: C e^{-12 lambda} >= 0.1 C  <=>  lambda <= ln(10)/12.
double max_rate_norm() { return -std::log(kept) / layers; }
// Squared-norm ("variance") reading: C^2 e^{-24 lambda} >= 0.1 C^2  <=>  lambda <= ln(10)/24.
double max_rate_variance() { return -std::log(kept) / (2 * layers); }

using Tokens = workbook::oracle::Matrix;  // n rows (tokens) of width d

Tokens random_tokens(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Tokens h(n, workbook::oracle::Vector(d));
  for (auto& row : h)
    for (auto& v : row) v = normal(rng);
  return h;
}

workbook::oracle::Vector token_mean(const Tokens& h) {
  workbook::oracle::Vector mean(h.front().size(), 0.0);
  for (const auto& row : h)
    for (std::size_t c = 0; c < mean.size(); ++c) mean[c] += row[c] / h.size();
  return mean;
}

// The token variance: (1/n) ||H - 1 mu^T||_F^2, mu the mean token; its square root times sqrt(n) is the
// distance of H from the rank-one matrix 1 mu^T.
double token_variance(const Tokens& h) {
  const auto mean = token_mean(h);
  double sum = 0;
  for (const auto& row : h)
    for (std::size_t c = 0; c < mean.size(); ++c) sum += (row[c] - mean[c]) * (row[c] - mean[c]);
  return sum / h.size();
}

// The student's answers fix lambda to rtol 5e-4 (the answer checks' tolerance). A ratio e^(-c lambda) at layer 12
// (c = 12 for the distance, 24 for the variance) then moves by a relative c |d lambda| <= 5e-4 c lambda, which is
// 5e-4 ln(10) = 1.15e-3 for the two 10% ratios (c lambda = ln 10) and 1e-3 ln(10) = 2.30e-3 for the 1% one
// (c = 24 at the norm rate, c lambda = 2 ln 10). One tolerance covers all three, with room for the second-order
// term: an answer the answer checks accept passes, while a rate off by 1% moves the ratios by 2.3-4.6%.
const workbook::Tolerance ratio_tolerance{2.4e-3, 0};

// A sequence that meets the bound with equality: H^(l) = 1 mu^T + e^{-lambda l} (H^(0) - 1 mu^T).
Tokens collapse(const Tokens& h0, double rate, double layer) {
  const auto mean = token_mean(h0);
  Tokens h = h0;
  for (auto& row : h)
    for (std::size_t c = 0; c < mean.size(); ++c) row[c] = mean[c] + std::exp(-rate * layer) * (row[c] - mean[c]);
  return h;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Rank collapse: the largest decay rate that keeps 10% after 12 layers";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "In a deep stack of attention layers without residual connections the token representations H^(l) "
      "(n x d, one token per row) approach a rank-one matrix 1 v^T, every token the same: "
      "||H^(l) - 1 v^T|| <= C e^(-lambda l). Take C = ||H^(0) - 1 v^T||, the initial distance (so the bound "
      "is tight at l = 0). We want at least 10% of the initial spread of the tokens left after 12 layers. "
      "'Spread' has two readings: the distance itself (a norm) or its square (a variance, "
      "(1/n)||H - 1 mu^T||_F^2 with mu the mean token). Find the largest lambda the bound allows under each "
      "reading. Give four significant figures.";

  auto& a = ex.part("a", 2, "Give the largest lambda under the norm reading and under the variance reading.");
  a.number_answer("a_norm", "max lambda, distance kept >= 10%", max_rate_norm, {5e-4, 0})
      .number_answer("a_variance", "max lambda, squared distance (variance) kept >= 10%", max_rate_variance, {5e-4, 0})
      .hint("Set C e^(-12 lambda) = 0.1 C and solve; for the variance square both sides first.");

  auto& b = ex.part("b", 1, "Check your rates on a sequence that decays exactly at the bound: with your "
                            "norm-reading rate the distance at layer 12 must be 10% of the start, with your "
                            "variance-reading rate the variance must be.");
  b.check("at the bound", CheckKind::close,
          "with YOUR rates a_norm and a_variance, random H^(0) (8 tokens in R^16) moved toward its mean token as "
          "e^(-lambda l): [distance ratio at layer 12 with a_norm, variance ratio with a_variance, variance "
          "ratio with a_norm] against [0.1, 0.1, 0.01] from the statement, within 2.4e-3 relative (what the "
          "answers' own tolerance allows)",
          [](const Context& ctx) {
            const double rate_norm = ctx.answers().number("a_norm");
            const double rate_variance = ctx.answers().number("a_variance");
            auto rng = ctx.rng("b-sequence");
            const auto h0 = random_tokens(8, 16, rng);
            const double v0 = token_variance(h0);
            const double variance_at_norm_rate = token_variance(collapse(h0, rate_norm, layers)) / v0;
            const double norm_ratio = std::sqrt(variance_at_norm_rate);
            const double variance_ratio = token_variance(collapse(h0, rate_variance, layers)) / v0;
            return workbook::close(xt::xarray<double>{norm_ratio, variance_ratio, variance_at_norm_rate},
                                   xt::xarray<double>{kept, kept, kept * kept}, ratio_tolerance);
          });

  auto& c = ex.part("c", 1, "Does choosing lambda at or below your answer guarantee that 10% survives?");
  c.choice_answer("c_guarantee", "is lambda <= your bound sufficient for keeping 10%?", {"yes", "no"}, "no")
      .manual();

  ex.plot("retained", "Variance of the tokens left after l layers when the decay meets the bound: exactly 10% at "
                      "layer 12 with lambda = ln(10)/24, only 1% with ln(10)/12 (whose distance, not squared, is "
                      "the 10% curve)",
          [](const Context&) {
            workbook::Plot p;
            p.title = "Decay at the largest allowed rates";
            p.xlabel = "layer l";
            p.ylabel = "variance left / initial variance";
            p.logy = true;
            workbook::Series variance{"lambda = ln(10)/24 (variance reading)", {}, {},
                                      workbook::Series::Style::linespoints};
            workbook::Series squared{"lambda = ln(10)/12 (norm reading)", {}, {}, workbook::Series::Style::linespoints};
            workbook::Series target{"10%", {0, 24}, {kept, kept}, workbook::Series::Style::lines};
            workbook::Series layer12{"layer 12", {layers, layers}, {1e-3, 1}, workbook::Series::Style::lines};
            for (int l = 0; l <= 24; ++l) {
              variance.x.push_back(l);
              variance.y.push_back(std::exp(-2 * max_rate_variance() * l));
              squared.x.push_back(l);
              squared.y.push_back(std::exp(-2 * max_rate_norm() * l));
            }
            p.series = {variance, squared, target, layer12};
            return p;
          });
}
