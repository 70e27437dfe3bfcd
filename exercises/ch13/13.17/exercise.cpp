// 13.17: the parameter count of a V = 32000, d = 4096, L = 32 decoder, estimated by 12 L d^2 + 2 V d and
// counted exactly for one concrete architecture of that size, the layout of LLaMA-2-7B (stated in full in the
// statement). Pen and paper: the expected values are closed forms in integers, module by module; the 5 % the
// seed allows is checked as the estimate's relative gap to the exact count (part c).
//
// The module-by-module count was compared once, outside the build, with nn::Gpt<float>::parameter_count() for
// the same layout (RMSNorm, SwiGLU, RoPE, no biases, untied head) at small sizes: they agree (see the notes).

#include <cmath>
#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;
constexpr std::int64_t vocab = 32000, width = 4096, layers = 32, mlp_hidden = 11008;

constexpr std::int64_t rule_estimate = 12 * layers * width * width + 2 * vocab * width;
constexpr std::int64_t attention_per_layer = 4 * width * width;      // W_Q, W_K, W_V, W_O: d x d each
constexpr std::int64_t mlp_per_layer = 3 * width * mlp_hidden;       // gate and up d x h, down h x d
constexpr std::int64_t norm_weights = (2 * layers + 1) * width;      // two RMSNorms per layer and a final one
constexpr std::int64_t embeddings = 2 * vocab * width;               // input embedding and output head, untied
constexpr std::int64_t exact_count = layers * (attention_per_layer + mlp_per_layer) + norm_weights + embeddings;

double gap_percent() { return 100.0 * double(exact_count - rule_estimate) / double(exact_count); }

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Parameter count of a 7B-class model, within 5 %";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(A decoder-only model has a vocabulary of V = 32000 tokens, width d = 4096 and L = 32 layers.
Count its parameters to within 5 %, first with the rule N ≈ 12 L d^2 + 2 V d, then exactly for one concrete
architecture of that size, and compare.

The concrete architecture is the layout of LLaMA-2-7B: 32 heads of 128 dimensions, so the four attention
projections (queries, keys, values, output) are d x d matrices; a SwiGLU MLP of hidden width 11008 made of three
matrices (a gate and an up projection, d x 11008 each, and a down projection, 11008 x d); an RMSNorm before
attention and another before the MLP in every layer, and one after the last layer, each a weight vector of length d;
no biases anywhere; rotary position embeddings, which have no parameters; an input embedding and an output head of
V x d each, not tied. A parameter is one trainable scalar.)";

  ex.part("a", 1, "Estimate the count with 12 L d^2 + 2 V d, to 3 significant figures.")
      .number_answer("a_estimate", "12 L d^2 + 2 V d", [] { return double(rule_estimate); },
                     Precision::significant_figures(3), "parameters");
  ex.part("b", 2, R"(Count the concrete architecture exactly: the attention weights of one layer, the MLP weights
of one layer, all the norm weights of the model together, and the total.)")
      .integer_answer("b_attention", "attention weights in one layer", attention_per_layer, "parameters")
      .integer_answer("b_mlp", "MLP weights in one layer", mlp_per_layer, "parameters")
      .integer_answer("b_norms", "RMSNorm weights in the whole model", norm_weights, "parameters")
      .integer_answer("b_total", "every parameter of the model", exact_count, "parameters")
      .hint("Three d x 11008 matrices hold a little more than the 8 d^2 that the rule's 4d-wide MLP would.");
  ex.part("c", 1, R"(By what percentage does the rule's estimate fall short of the exact count, (exact - estimate)
/ exact x 100, to 2 significant figures? Is the estimate within the 5 % the question allows?)")
      .number_answer("c_gap", "(exact - estimate) / exact", gap_percent, Precision::significant_figures(2), "percent")
      .choice_answer("c_within", "is the estimate within 5 % of the exact count?", {"yes", "no"},
                     std::abs(gap_percent()) <= 5 ? "yes" : "no");
}
