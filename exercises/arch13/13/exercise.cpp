// arch13/13: GPT-2's pre-LN block written from scratch. Expected values: the nn library's block (nn::block_forward, a
// trusted implementation of the same layout) given the student's tensors, for several batch sizes, lengths and
// widths; as properties of the student's block, that every (B, T, C) comes out as (B, T, C) and that a change to a
// later token leaves every earlier row as it was (the causal mask, seen from outside).

#include "arch13/13/interface.hpp"

#include <xtensor/xview.hpp>

#include "nn/block.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_13::Batch;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

struct Size {
  std::size_t batch, time, width, heads;
};

// Weights of unit-size effect (not GPT-2's 0.02 initialisation), so that every piece moves the output visibly: a
// tanh GELU against the exact one, or a scale, changes entries by far more than float rounding.
arch13_13::Block random_block(std::size_t width, std::size_t heads, std::mt19937_64& rng) {
  using workbook::oracle::gaussian_matrix;
  using workbook::oracle::gaussian_vector;
  const std::size_t hidden = 4 * width;
  const double fan_in = 1.0 / std::sqrt(double(width)), fan_hidden = 1.0 / std::sqrt(double(hidden));
  arch13_13::Block b;
  b.n_head = heads;
  b.ln_1_w = 1.0 + gaussian_vector(width, rng, 0.2);
  b.ln_1_b = gaussian_vector(width, rng, 0.2);
  b.c_attn_w = gaussian_matrix(3 * width, width, rng, fan_in);
  b.c_attn_b = gaussian_vector(3 * width, rng, 0.2);
  b.c_proj_w = gaussian_matrix(width, width, rng, fan_in);
  b.c_proj_b = gaussian_vector(width, rng, 0.2);
  b.ln_2_w = 1.0 + gaussian_vector(width, rng, 0.2);
  b.ln_2_b = gaussian_vector(width, rng, 0.2);
  b.fc_w = gaussian_matrix(hidden, width, rng, fan_in);
  b.fc_b = gaussian_vector(hidden, rng, 0.2);
  b.fc_proj_w = gaussian_matrix(width, hidden, rng, fan_hidden);
  b.fc_proj_b = gaussian_vector(width, rng, 0.2);
  return b;
}

nn::BlockConfig library_config(std::size_t width, std::size_t heads) {
  nn::BlockConfig c;
  c.n_embd = width;
  c.n_head = c.n_kv_head = heads;
  c.ffn_hidden = 4 * width;
  return c;
}

// The library's block on the same tensors: the trusted route.
Batch library_block(const Batch& x, const arch13_13::Block& b) {
  const std::size_t batch = x.shape(0), time = x.shape(1), width = x.shape(2);
  const auto config = library_config(width, b.n_head);
  nn::BlockTensors<double> p = nn::zero_block<double>(config, 0);
  p.ln_1_w = b.ln_1_w, p.ln_1_b = b.ln_1_b, p.c_attn_w = b.c_attn_w, p.c_attn_b = b.c_attn_b;
  p.c_proj_w = b.c_proj_w, p.c_proj_b = b.c_proj_b, p.ln_2_w = b.ln_2_w, p.ln_2_b = b.ln_2_b;
  p.fc_w = b.fc_w, p.fc_b = b.fc_b, p.fc_proj_w = b.fc_proj_w, p.fc_proj_b = b.fc_proj_b;
  nn::SequenceLayout layout;
  layout.self = {batch, time, time, b.n_head, b.n_head, width / b.n_head, 0};
  layout.self_mask.kind = nn::MaskKind::causal;
  for (std::size_t s = 0; s < batch; ++s)
    for (std::size_t t = 0; t < time; ++t) layout.positions.push_back(t);
  const nn::Matrix<double> rows = xt::reshape_view(x, {batch * time, width});
  const nn::Matrix<double> out = nn::block_forward<double>(config, p, rows, nullptr, layout, nullptr, nullptr, {});
  return xt::reshape_view(out, {batch, time, width});
}

Batch student_block(const Batch& x, const arch13_13::Block& b) {
  auto out = arch13_13::block_forward(x, b);
  workbook::require_shape("block_forward", out, {x.shape(0), x.shape(1), x.shape(2)});
  return out;
}

CheckResult against_library(const Context& ctx, const std::string& stream, Size size) {
  auto rng = ctx.rng(stream);
  const auto block = random_block(size.width, size.heads, rng);
  const Batch x = workbook::oracle::gaussian_slabs(size.batch, size.time, size.width, rng);
  const xt::xarray<double> expected = library_block(x, block);
  return workbook::close(xt::xarray<double>(student_block(x, block)), expected,
                         workbook::tolerance::float_at_scale(expected));
}

std::string size_name(Size s) {
  return std::to_string(s.batch) + " sequence(s) of " + std::to_string(s.time) + " rows of width " +
         std::to_string(s.width) + ", " + std::to_string(s.heads) + " heads";
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 4, R"(Implement block_forward. The checks give your block and a trusted one the same random
tensors and inputs, and compare the outputs within float rounding, for several batch sizes, lengths and widths.)");
  for (const auto& [name, size] : std::vector<std::pair<std::string, Size>>{
           {"B=2, T=7", {2, 7, 16, 4}}, {"one token", {1, 1, 8, 2}}, {"B=3, T=16, 3 heads", {3, 16, 12, 3}}}) {
    a.check(name, CheckKind::close, size_name(size) + ", against the trusted block",
            [name, size](const Context& ctx) { return against_library(ctx, "a-" + name, size); });
  }
  a.check("any size", CheckKind::property,
          "for random B up to 3, T up to 12, heads up to 4 and head width up to 6: the output is (B, T, C) and "
          "equals the trusted block's",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-property"), [] {
              const Size size{*rc::gen::inRange<std::size_t>(1, 4), *rc::gen::inRange<std::size_t>(1, 13), 0,
                              *rc::gen::inRange<std::size_t>(1, 5)};
              auto rng = workbook::oracle::property_rng();
              const std::size_t width = size.heads * *rc::gen::inRange<std::size_t>(1, 7);
              const auto block = random_block(width, size.heads, rng);
              const Batch x = workbook::oracle::gaussian_slabs(size.batch, size.time, width, rng);
              const xt::xarray<double> expected = library_block(x, block);
              RC_ASSERT(workbook::close(xt::xarray<double>(student_block(x, block)), expected,
                                        workbook::tolerance::float_at_scale(expected))
                            .status == workbook::Status::pass);
            });
          })
      .hint("Each sub-layer reads LN(stream) and adds its result to the stream itself, not to the normalised copy.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show on your block that it is causal: replacing the last token's row of the input leaves every
earlier output row as it was.)")
      .check("causal", CheckKind::property,
             "for random tensors, B up to 3 and T from 2 to 12, replacing row T - 1 of every sequence leaves rows "
             "0 .. T - 2 of the output unchanged, within float rounding",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-causal"), [] {
                 const std::size_t batch = *rc::gen::inRange<std::size_t>(1, 4);
                 const std::size_t time = *rc::gen::inRange<std::size_t>(2, 13);
                 auto rng = workbook::oracle::property_rng();
                 const auto block = random_block(8, 2, rng);
                 const Batch x = workbook::oracle::gaussian_slabs(batch, time, 8, rng);
                 Batch changed = x;
                 xt::view(changed, xt::all(), time - 1) = xt::view(workbook::oracle::gaussian_slabs(batch, 1, 8, rng),
                                                                   xt::all(), 0);
                 const auto earlier = [time](const Batch& out) {
                   return xt::xarray<double>(xt::view(out, xt::all(), xt::range(0, long(time) - 1)));
                 };
                 const auto before = earlier(student_block(x, block)), after = earlier(student_block(changed, block));
                 RC_ASSERT(workbook::close(after, before, workbook::tolerance::float_at_scale(before)).status ==
                           workbook::Status::pass);
               });
             })
      .hint("A query at position i may give weight only to keys 0 .. i.");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A pre-LN transformer block from scratch";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement = R"(Write GPT-2's block yourself: LayerNorm, causal multi-head self-attention and its output
projection, added to the residual stream; then LayerNorm, the feed-forward network with GELU, added again. The
block maps a batch of sequences to a batch of the same shape, for any length: that is what lets blocks be stacked.
The tensors are laid out as GPT-2 stores them (see the interface), so your block can later run GPT-2's own weights.)";
  part_a(ex);
  part_b(ex);
}
