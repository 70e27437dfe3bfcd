// 13.13: training compute by C ≈ 6 N D for N = 13e9 parameters and D = 2e12 tokens. Pen and paper: the
// expected values are the closed form and two conversions of it (petaFLOP/s-days; GPU-hours at a stated peak
// and utilisation), each in the unit the answer prompt names.

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;
constexpr double parameters = 13e9, tokens = 2e12;
constexpr double flops_per_parameter_token = 6;  // 2 forward (a multiply and an add) + 4 backward
constexpr double petaflop_day = 1e15 * 86400;    // FLOPs done in one day at 1e15 FLOP/s
constexpr double gpu_peak = 312e12;              // FLOP/s, A100 dense bf16
constexpr double utilisation = 0.4;

double training_flops() { return flops_per_parameter_token * parameters * tokens; }

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Training compute of a 13B model on 2T tokens";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(A model with N = 13B parameters is trained on D = 2T tokens. Estimate the training compute
with C ≈ 6 N D.

Conventions: B = 10^9 and T = 10^12 (decimal, not powers of two). FLOPs counts floating-point operations (an
amount of work, not a rate; a rate is written FLOP/s). A multiply-add counts as 2 FLOPs, so a forward pass costs
about 2 FLOPs per parameter per token and the backward pass twice that, which is where the 6 comes from; the
rule leaves out the attention scores, embeddings lookups and the optimizer.)";

  ex.part("a", 1, "Estimate the training compute C, to 3 significant figures.")
      .number_answer("a_flops", "C = 6 N D", training_flops, Precision::significant_figures(3), "FLOPs")
      .hint("Write N and D as powers of ten before multiplying.");
  ex.part("b", 1, R"(Papers on scaling often quote compute in petaFLOP/s-days: the work done in one day at 10^15
FLOP/s. Convert C to that unit, to 4 significant figures.)")
      .number_answer("b_pf_days", "C in petaFLOP/s-days", [] { return training_flops() / petaflop_day; },
                     Precision::significant_figures(4), "petaFLOP/s-days");
  ex.part("c", 1, R"(On GPUs with a peak of 312 TFLOP/s each (an A100 in bf16) that sustain 40 % of peak over the
run, how many GPU-hours does the training take? Give 3 significant figures.)")
      .number_answer("c_gpu_hours", "GPU-hours at 40 % of 312 TFLOP/s",
                     [] { return training_flops() / (utilisation * gpu_peak) / 3600; },
                     Precision::significant_figures(3), "GPU-hours");
}
