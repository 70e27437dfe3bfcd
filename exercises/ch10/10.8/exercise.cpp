// 10.8: pre-LN against post-LN. The student writes LayerNorm and the residual sub-layer in both placements;
// the checks build six-layer stacks from them (attention then FFN in every layer, a final LayerNorm after a
// pre-LN stack) and measure, at initialisation, the gradient of a fixed random read-out of the output with
// respect to the input of each layer.
//
// Gradients are taken by central differences of the student's forward pass (h = 1e-6, in double: the reason the
// statement asks for double), one vector-Jacobian product per sub-layer, each a single batched call of
// 2 n d perturbed copies. The oracle is the same machinery run on plain-loop sub-layers written from the
// formulas; both live in workbook/oracle/residual_stack.hpp, which arch13/4 also measures.
//
// The direct residual path is measured, not assumed: a sub-layer whose branch is switched off (W_O = 0 or
// W_2 = 0, so F = 0 exactly) is, on the student's code, the identity for pre-LN and the LayerNorm for post-LN.
// The direct-path gradient pulls back through that switched-off sub-layer at the point where the stack's branch
// value would be added (post-LN: x + F(x)); its count of non-identity maps is the count of parts (b) and (c).
//
// What the measurement shows at initialisation (Xavier-normal weights, 4 tokens, d = 24, d_ff = 96, swept
// over many seeds, see instructor.toml): on the direct path pre-LN delivers the same gradient to every layer,
// while post-LN's reaching layer 1 is well below 3/4 of layer 6's; the full gradient, with the branches' paths
// added back, does not separate the two that way, so the qualitative claim is checked on the direct path.

#include "ch10/10.8/interface.hpp"

#include <cmath>
#include <functional>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/residual_stack.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using namespace workbook::oracle::residual;

// The interface's own copies of the shared types (a student's header cannot include the harness).
ch10_8::LayerWeights student_weights(const LayerWeights& w) { return {w.w_q, w.w_k, w.w_v, w.w_o, w.w_1, w.w_2}; }
ch10_8::Branch student_branch(Branch b) {
  return b == Branch::attention ? ch10_8::Branch::attention : ch10_8::Branch::feed_forward;
}
ch10_8::Placement student_placement(Placement p) {
  return p == Placement::pre_ln ? ch10_8::Placement::pre_ln : ch10_8::Placement::post_ln;
}
Batch student_sublayer(const Batch& x, const LayerWeights& w, Branch b, Placement p) {
  return ch10_8::residual_sublayer(x, student_weights(w), student_branch(b), student_placement(p));
}

// A batched function checked for its shape: one output matrix per input matrix.
Batch checked(const Batch& out, const Batch& in, const char* what) {
  if (out.shape() != in.shape()) throw std::runtime_error(std::string(what) + " returned a batch of another shape");
  return out;
}

// ======== The student's stack: the shared machinery (workbook/oracle/residual_stack.hpp) on your functions ========

StackParts student_parts() {
  return {[](const Batch& x, const LayerWeights& w, Branch b, Placement p) {
            return checked(student_sublayer(x, w, b, p), x, "residual_sublayer");
          },
          [](const Batch& x) { return checked(ch10_8::layer_norm(x), x, "layer_norm"); }, branch};
}


}  // namespace

namespace {

using workbook::Precision;
constexpr workbook::Tolerance double_precision = workbook::tolerance::double_computation;
// Two routes of central differences (the student's forward and the oracle's, h = 1e-6, twelve pullbacks
// chained): each is good to ~1e-9 of the gradient, so 1e-6 leaves a margin of a thousand.
constexpr workbook::Tolerance two_central_differences = workbook::tolerance::central_difference;
// The stated factor: post-LN's direct-path gradient reaching layer 1 is at most this fraction of layer 6's.
constexpr double post_ln_at_most = 0.75;

// A seeded six-layer stack, its input tokens (N(0, 1)) and the read-out of the loss L = sum(readout * output).
struct Experiment {
  std::vector<LayerWeights> stack;
  Matrix x0, readout;
};

Experiment seeded_experiment(const Context& ctx) {
  const StackShape shape;
  auto rng = ctx.rng("stack");
  Experiment e{xavier_stack(shape, rng), {}, {}};
  e.x0 = workbook::oracle::gaussian_matrix(shape.tokens, shape.d_model, rng);
  e.readout = workbook::oracle::gaussian_matrix(shape.tokens, shape.d_model, rng);
  return e;
}

// Token matrices that no LayerNorm leaves alone: offsets up to 1e3, scales from 1e-2 to 1e2, and (row 2) a
// constant token, whose variance is 0.
Matrix uneven_tokens(std::size_t n, std::size_t d, std::mt19937_64& rng) {
  Matrix x = workbook::oracle::gaussian_matrix(n, d, rng);
  const double scales[] = {1.0, 1e-2, 0.0, 1e2, 3.0}, offsets[] = {0.0, 5.0, 7.5, -1e3, 1e3};
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t c = 0; c < d; ++c) x(t, c) = scales[t % 5] * x(t, c) + offsets[t % 5];
  return x;
}

CheckResult norm_matches(const std::vector<Matrix>& xs) {
  xt::xarray<double> expected = xt::zeros<double>({xs.size(), xs[0].shape(0), xs[0].shape(1)});
  for (std::size_t k = 0; k < xs.size(); ++k) xt::view(expected, k) = layer_norm(xs[k]);
  return workbook::close(ch10_8::layer_norm(batch_of(xs)), expected, double_precision);
}

CheckResult sublayer_matches(const Context& ctx, Branch which, Placement p) {
  auto rng = ctx.rng("a-sublayer");
  const auto w = xavier_stack({1, 5, 8, 20}, rng).front();
  std::vector<Matrix> xs;
  xt::xarray<double> expected = xt::zeros<double>({std::size_t(3), std::size_t(5), std::size_t(8)});
  for (std::size_t k = 0; k < 3; ++k) {
    xs.push_back(k == 0 ? uneven_tokens(5, 8, rng) : workbook::oracle::gaussian_matrix(5, 8, rng, 1.0 + 2.0 * k));
    xt::view(expected, k) = sublayer(xs[k], w, which, p);
  }
  return workbook::close(student_sublayer(batch_of(xs), w, which, p), expected, double_precision);
}

const std::vector<std::string> formulas = {"x + F(LN(x))", "LN(x + F(x))", "x + LN(F(x))", "LN(x) + F(LN(x))"};

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 1, "Implement layer_norm.")
      .check("random", CheckKind::close, "layer_norm of 3 random 5 x 8 token matrices against the formula, token by token",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-norm");
               return norm_matches({workbook::oracle::gaussian_matrix(5, 8, rng), workbook::oracle::gaussian_matrix(5, 8, rng, 4.0),
                                    workbook::oracle::gaussian_matrix(5, 8, rng, 0.1)});
             })
      .check("uneven tokens", CheckKind::close, "tokens with offsets up to 1e3, scales from 1e-2 to 1e2 and one "
             "constant token (variance 0): each normalised on its own, no NaN",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-norm-uneven");
               return norm_matches({uneven_tokens(5, 8, rng), uneven_tokens(5, 8, rng)});
             });
  auto& a2 = ex.part("a2", 2, R"(Implement residual_sublayer in both placements, for both branches.)");
  for (Placement p : {Placement::pre_ln, Placement::post_ln})
    for (Branch b : {Branch::attention, Branch::feed_forward}) {
      const std::string name = std::string(p == Placement::pre_ln ? "pre-LN" : "post-LN") + ", " +
                               (b == Branch::attention ? "attention" : "FFN");
      a2.check(name, CheckKind::close, "3 token matrices (one uneven, two of spread 3 and 5) against the " + name +
                                           " sub-layer written from its formula",
               [p, b](const Context& ctx) { return sublayer_matches(ctx, b, p); });
    }
  ex.part("a3", 1, "Write the two sub-layers as formulas, with F the branch (attention or FFN) and x the sub-layer's input.")
      .choice_answer("a_pre", "the pre-LN sub-layer", formulas, "x + F(LN(x))")
      .choice_answer("a_post", "the post-LN sub-layer", formulas, "LN(x + F(x))");
}

CheckResult count_matches(const Context& ctx, Placement p, std::int64_t expected) {
  const auto e = seeded_experiment(ctx);
  auto rng = ctx.rng("count-directions");
  // A stack input far from normalised (scale 3, offset 2), so that no LayerNorm is the identity by accident.
  return workbook::equal(direct_path_layer_norms(student_parts(), e.stack, 3.0 * e.x0 + 2.0, p, rng), expected);
}

void parts_b_c(workbook::Exercise& ex) {
  ex.part("b1", 1, R"(Take a 6-layer pre-LN stack (attention then FFN in every layer, a final LayerNorm before the
loss). Follow the gradient from the loss back to the input of layer 1 and list every operation it passes through.
How many LayerNorm Jacobians lie on the direct residual path (the skip connections alone), the final LayerNorm
included?)")
      .integer_answer("b_count", "LayerNorm Jacobians on the direct path of the pre-LN stack, the final one included", 1)
      .manual(1);
  ex.part("b2", 1, R"(Count them on your own stack: the checks switch every branch off (W_O = 0 and W_2 = 0, so
F = 0) and count the maps left on the path, sub-layers and final LayerNorm, whose Jacobian is not the identity.)")
      .check("pre-LN count", CheckKind::equal, "non-identity maps of your 6-layer pre-LN stack with its branches "
             "off (each tested along a random direction), against the count of (b1)",
             [](const Context& ctx) { return count_matches(ctx, Placement::pre_ln, 1); });
  ex.part("c1", 1, R"(Do the same for a 6-layer post-LN stack (no final LayerNorm: its last sub-layer ends in one).
Along the skip connections alone, what count of LayerNorm Jacobians do you find now?)")
      .integer_answer("c_count", "LayerNorm Jacobians on the direct path of the post-LN stack", 12);
  ex.part("c2", 1, "Count them on your own post-LN stack, as in (b2).")
      .check("post-LN count", CheckKind::equal, "non-identity maps of your 6-layer post-LN stack with its branches "
             "off, against the count of (c1)",
             [](const Context& ctx) { return count_matches(ctx, Placement::post_ln, 12); });
}

std::vector<double> full_profile(const StackParts& parts, const Context& ctx, Placement p) {
  const auto e = seeded_experiment(ctx);
  return full_gradient_reaching_each_layer(parts, e.stack, e.x0, e.readout, p);
}

std::vector<double> direct_profile(const StackParts& parts, const Context& ctx, Placement p) {
  const auto e = seeded_experiment(ctx);
  return direct_gradient_reaching_each_layer(parts, e.stack, e.x0, e.readout, p);
}

xt::xarray<double> as_array(const std::vector<double>& v) { return xt::adapt(v, {v.size()}); }

CheckResult profile_matches(const Context& ctx, Placement p) {
  return workbook::close(as_array(full_profile(student_parts(), ctx, p)), as_array(full_profile(formula_parts(), ctx, p)),
                         two_central_differences);
}

void part_d(workbook::Exercise& ex) {
  ex.part("d1", 2, R"(Measure at initialisation. The checks build both 6-layer stacks from your functions
(4 tokens, d_model = 24, d_ff = 96, Xavier-normal weights drawn from the run's seed), take the loss
L = sum(R * output) for a fixed random R, and compute the gradient dL/dx_l at the input of every layer, once
through the whole stack and once along the direct path alone (figure `gradient-norms`). The claim of the
question is checked on the direct path: pre-LN must hand layer 1 the same gradient as layer 6, post-LN at most
3/4 of it.)")
      .check("full gradient, pre-LN", CheckKind::close, "||dL/dx_l|| at every layer l from 1 to 6 through your pre-LN stack "
             "against the same measurement on the oracle's stack",
             [](const Context& ctx) { return profile_matches(ctx, Placement::pre_ln); })
      .check("full gradient, post-LN", CheckKind::close, "the same for the post-LN stack",
             [](const Context& ctx) { return profile_matches(ctx, Placement::post_ln); })
      .check("direct path, pre-LN", CheckKind::close, "on the direct path of your pre-LN stack, the gradient norm "
             "reaching layer 1 divided by the one reaching layer 6, against 1 (within 1e-6)",
             [](const Context& ctx) {
               const auto g = direct_profile(student_parts(), ctx, Placement::pre_ln);
               return workbook::close(g.front() / g.back(), 1.0, {0, 1e-6});
             })
      .check("direct path, post-LN", CheckKind::property, "on the direct path of your post-LN stack, the same ratio, "
             "which must not exceed 3/4",
             [](const Context& ctx) {
               const auto g = direct_profile(student_parts(), ctx, Placement::post_ln);
               const double ratio = g.front() / g.back();
               return workbook::holds(ratio <= post_ln_at_most, ratio, "the gradient reaching layer 1 keeps more than "
                                                                       "3/4 of the one reaching layer 6");
             });
  ex.part("d2", 2, R"(Explain why the difference between (b) and (c) lets pre-LN train without a learning-rate
warm-up, and say what the full-gradient curves of the figure add to that picture.)")
      .manual();
}

void plots(workbook::Exercise& ex) {
  ex.plot("gradient-norms", "||dL/dx_l|| at the input of each layer of your two 6-layer stacks at initialisation, "
          "through the whole stack and along the direct (skip) path alone",
          [](const Context& ctx) {
            std::vector<workbook::Series> series;
            for (Placement p : {Placement::pre_ln, Placement::post_ln}) {
              const std::string name = p == Placement::pre_ln ? "pre-LN" : "post-LN";
              const auto full = full_profile(student_parts(), ctx, p), direct = direct_profile(student_parts(), ctx, p);
              workbook::Series f{name + ", full", {}, {}, workbook::Series::Style::linespoints};
              workbook::Series s{name + ", direct path", {}, {}, workbook::Series::Style::linespoints};
              for (std::size_t l = 0; l < full.size(); ++l) {
                f.x.push_back(double(l + 1)), f.y.push_back(full[l]);
                s.x.push_back(double(l + 1)), s.y.push_back(direct[l]);
              }
              series.push_back(f), series.push_back(s);
            }
            auto plot = workbook::xy_plot("Gradient reaching each layer at initialisation", "layer l",
                                          "||dL/dx_l||", series);
            plot.logy = true;
            return plot;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Pre-LN and post-LN: where the LayerNorm sits";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Every sub-layer of a transformer combines a residual connection, a branch F (attention or the
FFN) and a LayerNorm LN. The two common arrangements differ only in where LN goes: pre-LN normalises what enters
the branch, post-LN normalises what leaves the residual addition. Here you write both, stack six layers of each,
count the LayerNorms the gradient meets on its way down the skip connections, and measure what that does to
the gradient at initialisation. Compute in double: the checks take gradients of your forward pass by central
differences, whose steps of 1e-6 would drown in float's rounding.)";
  part_a(ex);
  parts_b_c(ex);
  part_d(ex);
  plots(ex);
}
