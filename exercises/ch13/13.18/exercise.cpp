// 13.18: the compute-optimal (N, D) for C = 1e22 FLOPs under C ≈ 6 N D and D ≈ 20 N. Closed forms:
// N = sqrt(C / 120), D = 20 N; for a model of fixed size N at the same budget, D = C / (6 N); the budget that
// makes a given N optimal, 120 N^2. The figure draws N and D against C.

#include <cmath>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;
constexpr double budget = 1e22;
constexpr double flops_per_parameter_token = 6, tokens_per_parameter = 20;
constexpr double large_model = 70e9;

double optimal_parameters(double compute) { return std::sqrt(compute / (flops_per_parameter_token * tokens_per_parameter)); }
double optimal_tokens(double compute) { return tokens_per_parameter * optimal_parameters(compute); }

workbook::Plot frontier() {
  workbook::Series params{"compute-optimal N (parameters)", {}, {}, workbook::Series::Style::lines};
  workbook::Series tokens{"compute-optimal D (tokens)", {}, {}, workbook::Series::Style::lines};
  workbook::Series here{"C = 1e22 FLOPs", {}, {}, workbook::Series::Style::points};
  for (int tenth = 180; tenth <= 250; ++tenth) {
    const double c = std::pow(10.0, tenth / 10.0);
    params.x.push_back(c), params.y.push_back(optimal_parameters(c));
    tokens.x.push_back(c), tokens.y.push_back(optimal_tokens(c));
  }
  here.x = {budget, budget};
  here.y = {optimal_parameters(budget), optimal_tokens(budget)};
  auto plot = workbook::xy_plot("Compute-optimal size and data under C = 6 N D, D = 20 N", "training compute C (FLOPs)",
                                "parameters N, tokens D", {params, tokens, here});
  plot.logx = plot.logy = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Chinchilla: the compute-optimal model for 1e22 FLOPs";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(You have a training budget of C = 10^22 FLOPs. Which model size N (parameters) and how many
training tokens D make the best use of it?

The rule to use is the rounded form of the Chinchilla result (Hoffmann et al., 2022): training costs C ≈ 6 N D
FLOPs (a multiply-add counted as 2 FLOPs, the backward pass twice the forward), and at the compute-optimal point
the data grow in proportion to the model, D ≈ 20 N, about twenty tokens per parameter. The figure `frontier` draws
both against the budget.)";

  ex.part("a", 2, "Find the compute-optimal pair: N and D, each to 3 significant figures.")
      .number_answer("a_parameters", "compute-optimal N", [] { return optimal_parameters(budget); },
                     Precision::significant_figures(3), "parameters")
      .number_answer("a_tokens", "compute-optimal D", [] { return optimal_tokens(budget); },
                     Precision::significant_figures(3), "tokens")
      .hint("Substitute D = 20 N into C = 6 N D: a single equation in N.");
  ex.part("b", 1, R"(Suppose you spend the same budget on a 70B-parameter model instead. How many tokens can it
see, and how many tokens per parameter is that? Give both to 3 significant figures.)")
      .number_answer("b_tokens", "tokens a 70B model sees for 1e22 FLOPs", [] { return budget / (flops_per_parameter_token * large_model); },
                     Precision::significant_figures(3), "tokens")
      .number_answer("b_ratio", "tokens per parameter for that 70B model",
                     [] { return budget / (flops_per_parameter_token * large_model) / large_model; },
                     Precision::significant_figures(3), "tokens per parameter");
  ex.part("c", 1, "What budget would make a 70B-parameter model compute-optimal under the same rule? 3 significant figures.")
      .number_answer("c_budget", "C at which N = 70B is optimal",
                     [] { return flops_per_parameter_token * tokens_per_parameter * large_model * large_model; },
                     Precision::significant_figures(3), "FLOPs");

  ex.plot("frontier", "Compute-optimal parameters N and tokens D against the budget C (log-log), with C = 1e22 marked",
          [](const workbook::Context&) { return frontier(); });
}
