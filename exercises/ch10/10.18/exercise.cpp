// 10.18: a transformer for session recommendation, designed against a memory and a latency budget. The student
// chooses (d_model, h, N, d_ff); the design calculator below computes, from those choices and the conventions of
// the statement, the weight count, the FLOPs and memory of one session and the FLOP-bound latency, checks the
// constraints, and compares the student's own estimates with its numbers. Nothing here has a single right design:
// the estimates are checked against the student's own choices, and the choices against the constraints.

#include <cmath>
#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Answers;
using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;

constexpr double items = 100, item_width = 64;
constexpr double memory_budget_bytes = 16e9, latency_budget_ms = 10, peak_flops = 150e12;

struct Design {
  double d_model, heads, layers, d_ff;
};

Design design_of(const Answers& a) {
  return {double(a.integer("a_d_model")), double(a.integer("a_heads")), double(a.integer("a_layers")),
          double(a.integer("a_d_ff"))};
}

// Weights: the input projection, then per layer Q, K, V, O (4 d^2) and the FFN (2 d d_ff); nothing else.
double weights(const Design& x) { return item_width * x.d_model + x.layers * (4 * x.d_model * x.d_model + 2 * x.d_model * x.d_ff); }
// One session's forward pass: 2 FLOPs per weight per item, and per layer Q K^T and weights x V (4 n^2 d).
double session_flops(const Design& x) { return 2 * items * weights(x) + x.layers * 4 * items * items * x.d_model; }
double latency_ms(const Design& x) { return session_flops(x) / peak_flops * 1e3; }
// Float16 weights, plus every layer's activations for one session kept at once: n (4 d + d_ff) and h n^2 scores.
double memory_bytes(const Design& x) {
  return 2 * (weights(x) + x.layers * (items * (4 * x.d_model + x.d_ff) + x.heads * items * items));
}

// The value a design function gives for the student's own design, as the expected value of their estimate.
std::function<double(const Context&)> for_their_design(double (*from_design)(const Design&)) {
  return [from_design](const Context& ctx) { return from_design(design_of(ctx.answers())); };
}

workbook::CheckResult design_holds(const Context& ctx) {
  const auto x = design_of(ctx.answers());
  const bool positive = x.d_model >= 1 && x.heads >= 1 && x.layers >= 1 && x.d_ff >= 1;
  const bool splits = positive && std::fmod(x.d_model, x.heads) == 0;
  const bool fits = memory_bytes(x) <= memory_budget_bytes, fast = latency_ms(x) <= latency_budget_ms;
  std::string why = !positive ? "every size must be at least 1"
                    : !splits ? "d_model must be a multiple of h"
                    : !fits   ? "one session does not fit in 16 GB"
                    : !fast   ? "the FLOP-bound latency exceeds 10 ms"
                              : "";
  return workbook::holds(positive && splits && fits && fast,
                         {{"weights", weights(x)}, {"FLOPs per session", session_flops(x)},
                          {"latency at 150 TFLOPS, ms", latency_ms(x)}, {"memory, bytes", memory_bytes(x)},
                          {"head width", positive ? x.d_model / x.heads : 0.0}},
                         why);
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 3, R"(Choose d_model, the number of heads h, the number of layers N and d_ff, and justify
them with the weight count and the FLOPs of one session, computed under the conventions of the statement. The
check verifies your design against the constraints and compares your two estimates with what your design gives.)");
  const std::pair<const char*, const char*> choices[] = {
      {"a_d_model", "your d_model"}, {"a_heads", "your h"}, {"a_layers", "your N"}, {"a_d_ff", "your d_ff"}};
  for (const auto& [key, prompt] : choices) a.open_answer(key, prompt, workbook::AnswerSpec::Kind::integer);
  a.check("design", CheckKind::property,
          "h divides d_model, every size is at least 1, one session fits in 16 GB and the FLOP-bound latency is at "
          "most 10 ms; reports the weights, FLOPs, latency and memory of your design",
          design_holds);
  a.derived_answer("a_weights", "your weight count", for_their_design(weights), Precision::significant_figures(2), "weights");
  a.derived_answer("a_flops", "your FLOPs for one session of 100 items", for_their_design(session_flops), Precision::significant_figures(2),
                  "FLOPs");
  a.hint("Sum the matrices: 64 x d_model for the input, then N times (four d_model x d_model projections and two "
         "d_model x d_ff FFN matrices).");
  a.manual(1);
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(Sinusoidal or learned positional embeddings for this model? Justify your choice.)")
      .choice_answer("b_positions", "your choice", {"sinusoidal", "learned"}, "learned")
      .choice_answer("b_longer", "will the model ever be asked about a position it never saw in training?", {"yes", "no"}, "no")
      .manual(1);
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Causal or bidirectional attention? Weigh the trade-offs for this recommendation task.)")
      .choice_answer("c_attention", "your choice", {"causal", "bidirectional"}, "causal")
      .choice_answer("c_earlier_change", "with causal attention, do the outputs at earlier items change when a new "
                     "click arrives?", {"yes", "no"}, "no")
      .manual(2);
}

void part_d(workbook::Exercise& ex) {
  auto& d = ex.part("d", 1, R"(Estimate the inference latency of your design for one session on a GPU that delivers
150 TFLOPS in float16, assuming it is limited by arithmetic alone. Is that assumption realistic for a model this
small at one session per call, and what would dominate instead?)");
  d.derived_answer("d_latency_ms", "your FLOP-bound latency for one session", for_their_design(latency_ms), Precision::significant_figures(2),
                  "ms");
  d.choice_answer("d_bound", "what bounds the real latency of one small session",
                  {"the arithmetic (FLOPs)", "memory traffic and kernel launches"}, "memory traffic and kernel launches")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Designing a session transformer for StreamRec";
  ex.stars = 2;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(StreamRec wants a transformer over user sessions. A session holds at most 100 items, each given
as a 64-dimensional embedding; after every click the model must score the next item, and a session grows one click
at a time. You have one GPU with 16 GB of memory (1 GB = 10^9 bytes), at most 10 ms to answer for one
session, and about 150 TFLOPS in float16. Conventions for every estimate: the model is a linear map from 64 to
d_model followed by N encoder layers; count as weights only the matrices (64 x d_model for the input, the four
d_model x d_model attention projections and the two FFN matrices of every layer), not biases, norms, positional
embeddings or the item-scoring head; one session's forward pass costs 2 FLOPs per weight per item plus, per
layer, 4 n^2 d_model FLOPs for the scores and their product with the values (n = 100; softmax and norms
ignored); its latency is those FLOPs divided by 150 x 10^12 FLOP/s; its memory is 2 bytes per weight plus 2
bytes per activation, counting, for every layer at once, n (4 d_model + d_ff) values and the h n^2 scores.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
