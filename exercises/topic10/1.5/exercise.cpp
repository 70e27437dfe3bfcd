// topic10/1.5: the compute-optimal model size for a fixed budget under C = 6 N D and D = 20 N.
// Substituting gives C = 120 N^2, so N = sqrt(C / 120) and D = 20 N: the closed forms below.

#include <cmath>

#include "workbook/exercise.hpp"

namespace {
constexpr double budget = 1.2e24;  // FLOPs
double optimal_parameters() { return std::sqrt(budget / 120.0); }
}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The Chinchilla frontier for a 1.2e24 FLOP budget";
  ex.tags = {workbook::Tag::numeric};
  ex.statement =
      "Training a dense transformer with N parameters on D tokens costs about C = 6 N D floating-point "
      "operations (2 N for the forward pass and 4 N for the backward pass, per token). The Chinchilla "
      "analysis found that, for a fixed C, loss is lowest when the data grows in step with the model, "
      "roughly D = 20 N. You have C = 1.2e24 FLOPs to spend.";
  ex.part("a", 1, "How many parameters should the model have?")
      .number_answer("a", "N, the compute-optimal parameter count", optimal_parameters, {1e-6, 0}, "parameters")
      .hint("Put D = 20 N into C = 6 N D: everything becomes a multiple of N^2.");
  ex.part("b", 1, "How many training tokens go with it?")
      .number_answer("b", "D, the number of training tokens", [] { return 20 * optimal_parameters(); }, {1e-6, 0},
                     "tokens");
  ex.part("c", 1, "Check your pair: does it spend the whole budget?")
      .check("budget", workbook::CheckKind::close, "6 N D from your answers (a) and (b) against C = 1.2e24",
             [](const workbook::Context& ctx) {
               return workbook::close(6 * ctx.answers().number("a") * ctx.answers().number("b"), budget, {1e-6, 0});
             });
}
