// 13.20: a causal self-attention module rewritten on the library's fused kernel. The student writes the module's
// forward and backward twice: "manual" (scores, mask and softmax by hand) and "fused" (nn::attention_forward and
// nn::attention_backward, which the kit offers here). Expected values: the module computed in double by the oracle's
// plain-loop causal attention (workbook/oracle/attention.hpp), one (sequence, head) at a time, and central
// differences of it (workbook/oracle/finite_difference.hpp); and the two versions against each other, forward and
// every gradient, within float's rounding. Distinct from 10.23, where the attention core is the whole exercise: here
// the core is a given kernel and the work is the module around it and the proof that the swap changes nothing.

#include "ch13/13.20/interface.hpp"

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/float_inputs.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch13_20::Layout;
using workbook::oracle::rounded_to_float;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

// ---- the oracle: the module in double, slab by slab -----------------------------------------------------------

struct Params {
  Matrix attn_w;
  Vector attn_b;
  Matrix proj_w;
  Vector proj_b;
};

Matrix linear(const Matrix& x, const Matrix& w, const Vector& b) {
  Matrix y = workbook::oracle::matmul(x, workbook::oracle::transpose(w));
  for (std::size_t i = 0; i < y.shape(0); ++i)
    for (std::size_t j = 0; j < y.shape(1); ++j) y(i, j) += b(j);
  return y;
}

Matrix oracle_module(const Matrix& x, const Params& p, const Layout& l) {
  const std::size_t c = x.shape(1), d = c / l.n_head;
  const Matrix qkv = linear(x, p.attn_w, p.attn_b);
  Matrix att = xt::zeros<double>({x.shape(0), c});
  for (std::size_t b = 0; b < l.batch; ++b)
    for (std::size_t h = 0; h < l.n_head; ++h) {
      const auto block = [&](const Matrix& m, std::size_t first_column) -> Matrix {
        return xt::view(m, xt::range(b * l.time, (b + 1) * l.time), xt::range(first_column, first_column + d));
      };
      xt::view(att, xt::range(b * l.time, (b + 1) * l.time), xt::range(h * d, (h + 1) * d)) =
          workbook::oracle::attention(block(qkv, h * d), block(qkv, c + h * d), block(qkv, 2 * c + h * d),
                                      1 / std::sqrt(double(d)), true);
    }
  return linear(att, p.proj_w, p.proj_b);
}

// ---- inputs: drawn in double, rounded to float, so that both sides see the same numbers -----------------------

struct Inputs {
  Layout layout;
  Matrix x;
  Params params;
  Matrix dout;
};

Inputs gaussian_inputs(const Layout& l, std::size_t head_dim, std::mt19937_64& rng) {
  const std::size_t n = l.batch * l.time, c = l.n_head * head_dim;
  const double spread = 1 / std::sqrt(double(c));
  const auto draw = [&](std::size_t rows, std::size_t cols, double s) {
    return rounded_to_float(workbook::oracle::gaussian_matrix(rows, cols, rng, s));
  };
  const auto draw_vector = [&](std::size_t size) { return Vector(xt::row(draw(1, size, 0.1), 0)); };
  Inputs in{l, draw(n, c, 1.0), {}, {}};
  in.params = {draw(3 * c, c, spread), draw_vector(3 * c), draw(c, c, spread), draw_vector(c)};
  in.dout = draw(n, c, 1.0);
  return in;
}

ch13_20::Matrix floats(const Matrix& x) { return xt::cast<float>(x); }
ch13_20::Vector floats(const Vector& x) { return xt::cast<float>(x); }

ch13_20::AttentionParams student_params(const Params& p) {
  return {floats(p.attn_w), floats(p.attn_b), floats(p.proj_w), floats(p.proj_b)};
}

// ---- checks ----------------------------------------------------------------------------------------------------

using Forward = ch13_20::Matrix (*)(const ch13_20::Matrix&, const ch13_20::AttentionParams&, const Layout&);
using Backward = ch13_20::AttentionParamGrads (*)(const ch13_20::Matrix&, const ch13_20::Matrix&,
                                                  const ch13_20::AttentionParams&, const Layout&);

xt::xarray<double> run_forward(Forward forward, const std::string& name, const Inputs& in) {
  const auto out = forward(floats(in.x), student_params(in.params), in.layout);
  workbook::require_shape(name, out, {in.x.shape(0), in.x.shape(1)});
  return out;
}

// The five gradients end to end, in the order dx, dc_attn_w, dc_attn_b, dc_proj_w, dc_proj_b.
xt::xarray<double> run_backward(Backward backward, const std::string& name, const Inputs& in) {
  const auto g = backward(floats(in.dout), floats(in.x), student_params(in.params), in.layout);
  const auto& p = in.params;
  workbook::require_shape(name + " (dx)", g.dx, {in.x.shape(0), in.x.shape(1)});
  workbook::require_shape(name + " (dc_attn_w)", g.dc_attn_w, {p.attn_w.shape(0), p.attn_w.shape(1)});
  workbook::require_shape(name + " (dc_attn_b)", g.dc_attn_b, {p.attn_b.shape(0)});
  workbook::require_shape(name + " (dc_proj_w)", g.dc_proj_w, {p.proj_w.shape(0), p.proj_w.shape(1)});
  workbook::require_shape(name + " (dc_proj_b)", g.dc_proj_b, {p.proj_b.shape(0)});
  using workbook::oracle::end_to_end;
  return end_to_end(end_to_end(g.dx, g.dc_attn_w, g.dc_attn_b), g.dc_proj_w, g.dc_proj_b);
}

CheckResult forward_matches_oracle(Forward forward, const std::string& name, const Inputs& in) {
  const Matrix expected = oracle_module(in.x, in.params, in.layout);
  return workbook::close(run_forward(forward, name, in), expected, workbook::tolerance::float_sums(
                                                                       workbook::tolerance::largest_magnitude(expected)));
}

// Central differences of L = sum(dout * module) in double, with respect to x and each parameter in turn.
xt::xarray<double> numerical_gradients(const Inputs& in) {
  using workbook::oracle::numerical_gradient;
  const auto loss = [&](const Matrix& x, const Params& p) {
    return double(xt::sum(in.dout * oracle_module(x, p, in.layout))());
  };
  const Params& p = in.params;
  const auto with = [&](auto member) {
    return numerical_gradient(p.*member, [&](const auto& value) {
      Params changed = p;
      changed.*member = value;
      return loss(in.x, changed);
    });
  };
  using workbook::oracle::end_to_end;
  return end_to_end(end_to_end(numerical_gradient(in.x, [&](const Matrix& x) { return loss(x, p); }),
                               with(&Params::attn_w), with(&Params::attn_b)),
                    with(&Params::proj_w), with(&Params::proj_b));
}

CheckResult backward_matches_differences(Backward backward, const std::string& name, const Inputs& in) {
  const auto expected = numerical_gradients(in);
  return workbook::close(run_backward(backward, name, in), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// The stated tolerance of the swap: two float computations of the same numbers in different orders.
CheckResult versions_agree(const xt::xarray<double>& manual, const xt::xarray<double>& fused) {
  return workbook::close(manual, fused, workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(fused)));
}

// 2 sequences of 5 positions, 2 heads of 4 columns (C = 8).
Inputs fixed_inputs(const Context& ctx, const std::string& stream) {
  auto rng = ctx.rng(stream);
  return gaussian_inputs({2, 5, 2}, 4, rng);
}

// Inside a property: up to 2 sequences of up to 6 positions, up to 3 heads of up to 4 columns.
Inputs random_inputs() {
  const Layout l{*rc::gen::inRange<std::size_t>(1, 3), *rc::gen::inRange<std::size_t>(1, 7),
                 *rc::gen::inRange<std::size_t>(1, 4)};
  const auto head_dim = *rc::gen::inRange<std::size_t>(1, 5);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(l, head_dim, rng);
}

constexpr auto fixed_description = "2 sequences of 5 positions, 2 heads of 4 columns";

// ---- parts -----------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement manual_forward: the projections, the causal attention of every sequence and head with
scores, mask and softmax written by you, and the output projection. The checks compare with the module computed in
double by plain loops, within float's rounding (1e-5 relative, plus 1e-5 of the largest output).)")
      .check("fixed", CheckKind::close, std::string(fixed_description) + ", against the module in double",
             [](const Context& ctx) { return forward_matches_oracle(ch13_20::manual_forward, "manual_forward", fixed_inputs(ctx, "a")); })
      .check("any layout", CheckKind::property,
             "for random numbers of sequences, positions, heads and head widths, against the module in double",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 RC_ASSERT(forward_matches_oracle(ch13_20::manual_forward, "manual_forward", random_inputs()).status ==
                           workbook::Status::pass);
               });
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement manual_backward: the gradients of L = sum(dout * output) with respect to x and the four
parameters. The check compares with central differences of the module in double, within float's rounding of each
gradient's scale.)")
      .check("fixed", CheckKind::close,
             std::string(fixed_description) + ": dx and the four parameter gradients against central differences",
             [](const Context& ctx) {
               return backward_matches_differences(ch13_20::manual_backward, "manual_backward", fixed_inputs(ctx, "b"));
             })
      .hint("Recompute the forward inside the backward: the two calls share nothing. With P the softmax weights of "
            "one head, dS = P * (dP - rowsum(P * dP)); masked entries have P = 0 and so get no gradient.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Implement fused_forward on nn::attention_forward (one call serves every sequence and head: see
nn::AttentionShape). The checks compare it with the module in double, and with your manual_forward: the two must agree
within float's rounding (1e-5 relative, plus 1e-5 of the largest output), the tolerance the swap is held to.)")
      .check("fixed", CheckKind::close, std::string(fixed_description) + ", against the module in double",
             [](const Context& ctx) { return forward_matches_oracle(ch13_20::fused_forward, "fused_forward", fixed_inputs(ctx, "c")); })
      .check("agrees with manual", CheckKind::property,
             "for random layouts, fused_forward against manual_forward within float's rounding", [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto in = random_inputs();
                 RC_ASSERT(versions_agree(run_forward(ch13_20::manual_forward, "manual_forward", in),
                                          run_forward(ch13_20::fused_forward, "fused_forward", in))
                               .status == workbook::Status::pass);
               });
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Implement fused_backward on nn::attention_backward (it reads the softmax weights that
nn::attention_forward left in its nn::AttentionCache). The checks compare its five gradients with central differences
of the module in double, and with your manual_backward's within float's rounding of each gradient's scale.)")
      .check("fixed", CheckKind::close,
             std::string(fixed_description) + ": dx and the four parameter gradients against central differences",
             [](const Context& ctx) {
               return backward_matches_differences(ch13_20::fused_backward, "fused_backward", fixed_inputs(ctx, "d"));
             })
      .check("agrees with manual", CheckKind::property,
             "for random layouts, the five gradients of fused_backward against manual_backward's within float's rounding",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("d-property"), [] {
                 const auto in = random_inputs();
                 RC_ASSERT(versions_agree(run_backward(ch13_20::manual_backward, "manual_backward", in),
                                          run_backward(ch13_20::fused_backward, "fused_backward", in))
                               .status == workbook::Status::pass);
               });
             });
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(The two versions agree to float's rounding but not bit for bit. Why not, and why is that no reason
to distrust the fused one? (Graded by hand, with your file: the fused functions must call the library's kernel and
the manual ones must not.))")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A causal attention module on the fused kernel";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(A GPT's causal self-attention module projects its input to queries, keys and values (c_attn),
runs causal attention in every head of every sequence, and mixes the heads (c_proj). Write it in float twice: once
with the attention written out by hand, once with the attention handed to the library's fused multi-head kernel
(nn::attention_forward and nn::attention_backward), the way one would swap a hand-written attention for PyTorch's
F.scaled_dot_product_attention. Then show the swap changes nothing beyond rounding: in the outputs and in every
gradient.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
}
