// topic10/1.5: the compute-optimal model size for a fixed budget under C = 6 N D and D = 20 N.
// Substituting gives C = 120 N^2, so N = sqrt(C / 120) and D = 20 N: the closed forms below. Part (c) asks how
// both grow with the budget (N and D scale as sqrt(C)).

#include <cmath>

#include "workbook/exercise.hpp"

namespace {
using workbook::Precision;

constexpr double budget = 1.2e24;  // FLOPs
constexpr double tokens_per_parameter = 20;
// 6 N D = 6 N (20 N) = 120 N^2 = C.
double optimal_parameters(double compute) { return std::sqrt(compute / (6 * tokens_per_parameter)); }
}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The Chinchilla frontier for a 1.2e24 FLOP budget";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(Training a dense transformer with N parameters on D tokens costs about C = 6 N D
floating-point operations (2 N for the forward pass and 4 N for the backward pass, per token). The Chinchilla
analysis found that, for a fixed C, loss is lowest when the data grows in step with the model, roughly
D = 20 N. You have C = 1.2e24 FLOPs to spend. Give every answer to 3 significant figures.)";
  ex.part("a", 1, "How many parameters should the model have?")
      .number_answer("a", "N, the compute-optimal parameter count", [] { return optimal_parameters(budget); },
                     Precision::significant_figures(3), "parameters")
      .hint("Put D = 20 N into C = 6 N D: everything becomes a multiple of N^2.");
  ex.part("b", 1, "How many training tokens go with it?")
      .number_answer("b", "D, the number of training tokens",
                     [] { return tokens_per_parameter * optimal_parameters(budget); },
                     Precision::significant_figures(3), "tokens");
  ex.part("c", 1, "A second lab gets ten times the budget. By what factor should it grow the model to stay on "
                  "the frontier (the data then grows by the same factor, since D = 20 N)?")
      .number_answer("c_factor", "N at 10 C divided by N at C",
                     [] { return optimal_parameters(10 * budget) / optimal_parameters(budget); },
                     Precision::significant_figures(3))
      .hint("Write N as a power of C.");
}
