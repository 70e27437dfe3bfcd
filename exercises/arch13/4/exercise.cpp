// arch13/4: the residual-stream view, and why pre-LN is the cleaner arrangement. Pen and paper: the explanations
// are graded by hand (reference answers and rubrics in the instructor's notes); the checkable core is the count of
// terms in the stream, the count of LayerNorm Jacobians on the gradient's direct path at GPT-2's depth, and two
// choices. The figure measures those paths on 12-layer stacks at initialisation with the machinery ch10/10.8 checks a
// student's stack against (workbook/oracle/residual_stack.hpp): the formulas' own sub-layers, no student code.

#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/residual_stack.hpp"
#include "workbook/plot.hpp"

namespace {

using workbook::Context;
namespace residual = workbook::oracle::residual;

constexpr std::size_t layers = 12;  // GPT-2 small's depth

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, R"(Describe a pre-LN transformer as a residual stream: what the stream holds, what each sub-layer
reads from it and what it writes back. Then count: after the 12 layers of a GPT-2-small-sized pre-LN stack (attention
and FFN in each), the stream is the sum of how many terms, the embedding included? Exact integer.)")
      .integer_answer("a_terms", "terms in the final stream", 1 + 2 * std::int64_t(layers))
      .manual(2)
      .hint("Write x_(k+1) = x_k + F_k(LN(x_k)) and unroll it from the embedding x_0.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Follow the gradient of the loss back to the input of layer 1 along the skip connections alone
(every branch held fixed). How many LayerNorm Jacobians does it pass through in the 12-layer pre-LN stack (with its
final LayerNorm), and in a 12-layer post-LN stack, x_(k+1) = LN(x_k + F_k(x_k))? Exact integers.)")
      .integer_answer("b_pre", "LayerNorm Jacobians on the direct path, pre-LN", 1)
      .integer_answer("b_post", "LayerNorm Jacobians on the direct path, post-LN", 2 * std::int64_t(layers))
      .hint("In pre-LN the LayerNorm sits on the branch, not on the stream; in post-LN it sits on the stream, once per "
            "sub-layer.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(At initialisation, along the direct path, which stack hands layer 1 the same gradient as layer
12? And which of the two needs a learning-rate warm-up to train stably when deep? Figure `gradients` measures both
stacks; use it to check your reasoning, not to replace it.)")
      .choice_answer("c_same_gradient", "the same gradient at every layer", {"pre-LN", "post-LN", "both", "neither"},
                     "pre-LN")
      .choice_answer("c_warm_up", "needs the warm-up", {"pre-LN", "post-LN", "both", "neither"}, "post-LN");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Why is pre-LN "cleaner"? Explain with (b) and the figure, and name one price pre-LN pays for it.)")
      .manual(2);
}

// Both stacks from the formulas at 12 layers, width 24, 4 tokens, Xavier-normal weights from the run's seed; the
// loss reads the output through a fixed random matrix.
workbook::Plot gradients_figure(const Context& ctx) {
  auto rng = ctx.rng("stacks");
  const residual::StackShape shape{layers, 4, 24, 96};
  const auto stack = residual::xavier_stack(shape, rng);
  const auto x0 = workbook::oracle::gaussian_matrix(shape.tokens, shape.d_model, rng);
  const auto readout = workbook::oracle::gaussian_matrix(shape.tokens, shape.d_model, rng);
  const auto parts = residual::formula_parts();
  std::vector<workbook::Series> series;
  for (const auto p : {residual::Placement::pre_ln, residual::Placement::post_ln}) {
    const std::string name = p == residual::Placement::pre_ln ? "pre-LN" : "post-LN";
    const auto full = residual::full_gradient_reaching_each_layer(parts, stack, x0, readout, p);
    const auto direct = residual::direct_gradient_reaching_each_layer(parts, stack, x0, readout, p);
    workbook::Series f{name + ", all paths", {}, {}, workbook::Series::Style::linespoints};
    workbook::Series s{name + ", skip path only", {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t l = 0; l < full.size(); ++l) {
      f.x.push_back(double(l + 1)), f.y.push_back(full[l]);
      s.x.push_back(double(l + 1)), s.y.push_back(direct[l]);
    }
    series.push_back(f), series.push_back(s);
  }
  auto plot = workbook::xy_plot("Gradient reaching each layer of a 12-layer stack at initialisation", "layer l",
                                "||dL/dx_l||", series);
  plot.logy = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The residual stream, and why pre-LN is cleaner";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(A transformer's layers do not pass a representation from hand to hand: each reads a normalised
copy of a running sum, the residual stream, and adds its own contribution to it. Where the LayerNorm sits decides
whether the stream itself is ever normalised, and with it what the gradient meets on its way down. ch10/10.8 builds
both arrangements at depth 6 from your code; here you reason about GPT-2's depth, 12 layers.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("gradients",
          "||dL/dx_l|| at the input of each layer of a 12-layer pre-LN and post-LN stack (width 24, Xavier-normal "
          "weights, no training), through all paths and along the skip connections alone.",
          gradients_figure);
}
