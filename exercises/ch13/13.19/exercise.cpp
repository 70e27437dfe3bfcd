// 13.19: scaled dot-product attention in under ten lines. The student writes one head's attention, with or without
// the causal mask. Expected values come from the nn library's own kernels, which the student's process cannot call:
// nn::attention_forward (the multi-head kernel every model of the library runs, here with one head, in double) and
// nn::attention_tiled (the flash-style float kernel, which never forms the score matrix).
//
// The line count: the checks run in the grader and see only what the solution's process returns through the
// channel, never its source (docs/model.md, "The channel"), so no automatic check can count the lines of the body.
// Part (b) is hand-graded on the student's file; counting it automatically needs a harness hook that gives a check
// the submitted source.

#include "ch13/13.19/interface.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/attention.hpp"
#include "nn/attention_kernels.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch13_19::Matrix;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

struct Inputs {
  Matrix q, k, v;
};

Inputs gaussian_inputs(std::size_t n_q, std::size_t n_k, std::size_t d, std::size_t d_v, std::mt19937_64& rng) {
  return {workbook::oracle::gaussian_matrix(n_q, d, rng), workbook::oracle::gaussian_matrix(n_k, d, rng),
          workbook::oracle::gaussian_matrix(n_k, d_v, rng)};
}

// The library's fused kernel with a single head of one sequence: the same contract as the student's function.
// Its values must be as wide as its queries and keys (one head_dim), so v is padded with zero columns to d and the
// padding is cut off again; with d_v > d the roles swap (q and k padded, which leaves every score unchanged).
Matrix library_attention(const Inputs& in, bool causal) {
  const std::size_t d = std::max(in.q.shape(1), in.v.shape(1));
  const auto pad = [d](const Matrix& x) {
    Matrix out = xt::zeros<double>({x.shape(0), d});
    xt::view(out, xt::all(), xt::range(0, x.shape(1))) = x;
    return out;
  };
  nn::AttentionShape shape;
  shape.q_len = in.q.shape(0);
  shape.kv_len = in.k.shape(0);
  shape.head_dim = d;
  nn::AttentionMask mask;
  mask.kind = causal ? nn::MaskKind::causal : nn::MaskKind::bidirectional;
  nn::AttentionCache<double> cache;
  // The kernel scales by 1/sqrt(head_dim): padded queries keep their scores, so the scale is fixed up to the real d.
  const double rescale = std::sqrt(double(d) / double(in.q.shape(1)));
  const Matrix out = nn::attention_forward<double>(pad(in.q) * rescale, pad(in.k), pad(in.v), shape, mask, {}, cache);
  return xt::view(out, xt::all(), xt::range(0, in.v.shape(1)));
}

// The flash-style float kernel (one problem, square: n queries over n keys, d_v = d).
Matrix tiled_attention(const Inputs& in, bool causal) {
  const std::size_t n = in.q.shape(0), d = in.q.shape(1);
  const xt::xtensor<float, 2> q = xt::cast<float>(in.q), k = xt::cast<float>(in.k), v = xt::cast<float>(in.v);
  xt::xtensor<float, 2> out = xt::zeros<float>({n, d});
  nn::attention_tiled(q.data(), k.data(), v.data(), out.data(), {1, n, d, causal}, 1, {16, 16});
  return xt::cast<double>(out);
}

CheckResult matches_library(const Inputs& in, bool causal) {
  const Matrix out = ch13_19::scaled_dot_product_attention(in.q, in.k, in.v, causal);
  workbook::require_shape("scaled_dot_product_attention", out, {in.q.shape(0), in.v.shape(1)});
  const Matrix expected = library_attention(in, causal);
  return workbook::close(xt::xarray<double>(out), expected, workbook::tolerance::float_at_scale(expected));
}

// The kernel computes in float: its own rounding is of float's size, within the same rule.
CheckResult matches_tiled(const Inputs& in, bool causal) {
  const Matrix out = ch13_19::scaled_dot_product_attention(in.q, in.k, in.v, causal);
  workbook::require_shape("scaled_dot_product_attention", out, {in.q.shape(0), in.v.shape(1)});
  const Matrix expected = tiled_attention(in, causal);
  return workbook::close(xt::xarray<double>(out), expected, workbook::tolerance::float_at_scale(expected));
}

// Inside a property: up to 9 queries and keys (equal when causal), d and d_v up to 6.
Inputs random_inputs(bool causal) {
  const auto n_q = *rc::gen::inRange<std::size_t>(1, 10);
  const auto n_k = causal ? n_q : *rc::gen::inRange<std::size_t>(1, 10);
  const auto d = *rc::gen::inRange<std::size_t>(1, 7);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 7);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(n_q, n_k, d, d_v, rng);
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 4, R"(Implement scaled_dot_product_attention. The checks compare it with the library's
kernels (which your solution cannot call), without a mask and with the causal mask, within float's rounding (1e-5
relative, or 1e-5 of the largest output absolute).)");
  for (const bool causal : {false, true}) {
    const std::string mask = causal ? "causal" : "bidirectional";
    a.check(mask, CheckKind::close,
            causal ? "8 queries over 8 keys, d = 4, d_v = 3, causal, against the library's multi-head kernel"
                   : "5 queries over 7 keys, d = 4, d_v = 3, no mask, against the library's multi-head kernel",
            [causal](const Context& ctx) {
              auto rng = ctx.rng("a-fixed");
              return matches_library(causal ? gaussian_inputs(8, 8, 4, 3, rng) : gaussian_inputs(5, 7, 4, 3, rng), causal);
            });
    a.check(mask + " any shape", CheckKind::property,
            "for random shapes (" + mask + "), against the library's multi-head kernel", [causal](const Context& ctx) {
              return workbook::property(ctx.seed_for("a-property-" + std::string(causal ? "c" : "b")), [causal] {
                RC_ASSERT(matches_library(random_inputs(causal), causal).status == workbook::Status::pass);
              });
            });
    a.check(mask + " tiled", CheckKind::close,
            "64 queries over 64 keys, d = d_v = 16 (" + mask + "), against the library's flash-style float kernel",
            [causal](const Context& ctx) {
              auto rng = ctx.rng("a-tiled");
              return matches_tiled(gaussian_inputs(64, 64, 16, 16, rng), causal);
            });
  }
  a.hint("Store each row's maximum and sum in a matrix of their own (xt::keep_dims) before dividing: xtensor "
         "misbehaves when a reduction stays inside the expression it broadcasts against.");
  a.hint("A score set to -infinity before the softmax gets weight exactly zero.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 1, R"(Keep the body of your function under ten lines, not counting comments and blank lines. The
grader cannot see your source, only what your function returns, so this part is graded by hand on your file.)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Scaled dot-product attention in under ten lines";
  ex.tags = {workbook::Tag::implementation};
  ex.statement = R"(Write one head's scaled dot-product attention, softmax(Q K^T / sqrt(d_k)) V, as one short
function: a product, a scale, an optional causal mask, a row softmax made safe against overflow, a second product.
The library has two kernels of its own for the same thing, a multi-head one that every model of the library runs and
a flash-style one that streams keys through an online softmax; the checks hold your function to both.)";
  part_a(ex);
  part_b(ex);
}
