// 10.13: a pre-LN transformer decoder block (causal self-attention, cross-attention over the encoder's output, a GELU
// feed-forward network). The oracle is the same block in plain loops (workbook/oracle/decoder_block.hpp, built on the
// masked attention of workbook/oracle/attention.hpp). Behaviour is checked on the student's own block: each sub-layer
// alone (the other two silenced by zero output weights) and the whole against the oracle; causality (later target
// tokens do not move earlier outputs); pre-LN (with every sub-layer silenced the block is the identity, and shifting a
// token by a constant shifts its output by the same constant, which a LayerNorm on the stream would remove); the
// encoder's output is read (replacing one visible source position moves every output) and the padding mask obeyed
// (replacing hidden source positions moves nothing); and the seed's size, src 10, tgt 8, d_model 64, 4 heads.
//
// Tolerance: float_at_scale of the expected values (tolerance::float_sums of the largest |expected|): a block computed
// in float passes. Weights are drawn so that every sub-layer writes order-one values into the stream.

#include "ch10/10.13/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/decoder_block.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_13::Batch;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::gaussian_matrix;
using workbook::oracle::gaussian_vector;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;
using Mask = xt::xtensor<bool, 2>;

bool passes(const CheckResult& r) { return r.status == workbook::Status::pass; }

// ---- seeded blocks and inputs -----------------------------------------------------------------------------

struct Sizes {
  std::size_t batch, tgt_len, src_len, d_model, n_head, d_ff;
};

// Weights of spread 1/sqrt(fan-in), biases of spread 0.1, LayerNorm gains near 1: every sub-layer writes values of
// order one, so that a mistake in any of them shows.
ch10_13::LayerNorm random_layer_norm(std::size_t d, std::mt19937_64& rng) {
  return {Vector(1.0 + gaussian_vector(d, rng, 0.2)), gaussian_vector(d, rng, 0.1)};
}

ch10_13::Attention random_attention(std::size_t d, std::mt19937_64& rng) {
  const double s = 1 / std::sqrt(double(d));
  ch10_13::Attention a;
  a.w_q = gaussian_matrix(d, d, rng, s);
  a.w_k = gaussian_matrix(d, d, rng, s);
  a.w_v = gaussian_matrix(d, d, rng, s);
  a.w_o = gaussian_matrix(d, d, rng, s);
  a.b_q = gaussian_vector(d, rng, 0.1);
  a.b_k = gaussian_vector(d, rng, 0.1);
  a.b_v = gaussian_vector(d, rng, 0.1);
  a.b_o = gaussian_vector(d, rng, 0.1);
  return a;
}

ch10_13::DecoderBlock random_block(const Sizes& s, std::mt19937_64& rng) {
  ch10_13::DecoderBlock b;
  b.n_head = s.n_head;
  b.ln_self = random_layer_norm(s.d_model, rng);
  b.ln_cross = random_layer_norm(s.d_model, rng);
  b.ln_ffn = random_layer_norm(s.d_model, rng);
  b.self_attention = random_attention(s.d_model, rng);
  b.cross_attention = random_attention(s.d_model, rng);
  b.ffn = {gaussian_matrix(s.d_model, s.d_ff, rng, 1 / std::sqrt(double(s.d_model))), gaussian_vector(s.d_ff, rng, 0.1),
           gaussian_matrix(s.d_ff, s.d_model, rng, 1 / std::sqrt(double(s.d_ff))), gaussian_vector(s.d_model, rng, 0.1)};
  return b;
}

Batch gaussian_batch(std::size_t batch, std::size_t rows, std::size_t cols, std::mt19937_64& rng, double spread = 1) {
  Batch out = Batch::from_shape({batch, rows, cols});
  std::normal_distribution<double> normal(0.0, spread);
  for (auto& x : out) x = normal(rng);
  return out;
}

// Each source position visible with probability 3/4; every sequence keeps at least one visible position and, when it
// has two or more, at least one hidden one (padding to ignore).
Mask random_visibility(std::size_t batch, std::size_t src_len, std::mt19937_64& rng) {
  Mask visible = Mask::from_shape({batch, src_len});
  std::bernoulli_distribution keep(0.75);
  std::uniform_int_distribution<std::size_t> position(0, src_len - 1);
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t j = 0; j < src_len; ++j) visible(b, j) = keep(rng);
    const std::size_t shown = position(rng);
    visible(b, shown) = true;
    if (src_len > 1) {
      std::size_t hidden = position(rng);
      if (hidden == shown) hidden = (hidden + 1) % src_len;
      visible(b, hidden) = false;
    }
  }
  return visible;
}

struct Case {
  Batch x, memory;
  Mask visible;
  ch10_13::DecoderBlock block;
};

Case draw_case(const Sizes& s, std::mt19937_64& rng) {
  Case c;
  c.block = random_block(s, rng);
  c.x = gaussian_batch(s.batch, s.tgt_len, s.d_model, rng);
  c.memory = gaussian_batch(s.batch, s.src_len, s.d_model, rng);
  c.visible = random_visibility(s.batch, s.src_len, rng);
  return c;
}

// Inside a property: 1-3 sequences of 1-6 target and 1-6 source positions, 1-3 heads of width 4-6, d_ff 1-8.
Case random_case() {
  const auto batch = *rc::gen::inRange<std::size_t>(1, 4);
  const auto tgt_len = *rc::gen::inRange<std::size_t>(1, 7);
  const auto src_len = *rc::gen::inRange<std::size_t>(1, 7);
  const auto n_head = *rc::gen::inRange<std::size_t>(1, 4);
  const auto d_head = *rc::gen::inRange<std::size_t>(4, 7);
  const auto d_ff = *rc::gen::inRange<std::size_t>(1, 9);
  auto rng = workbook::oracle::property_rng();
  return draw_case({batch, tgt_len, src_len, n_head * d_head, n_head, d_ff}, rng);
}

// The sub-layers that write nothing into the stream: their output weights and biases zero.
enum Silence { none = 0, self_attention = 1, cross_attention = 2, ffn = 4 };

ch10_13::DecoderBlock silenced(ch10_13::DecoderBlock b, int which) {
  const auto quiet = [](ch10_13::Attention& a) {
    a.w_o.fill(0);
    a.b_o.fill(0);
  };
  if (which & self_attention) quiet(b.self_attention);
  if (which & cross_attention) quiet(b.cross_attention);
  if (which & ffn) {
    b.ffn.w_2.fill(0);
    b.ffn.b_2.fill(0);
  }
  return b;
}

// ---- the oracle, sequence by sequence ---------------------------------------------------------------------

workbook::oracle::AttentionWeights oracle_attention(const ch10_13::Attention& a) {
  return {a.w_q, a.w_k, a.w_v, a.w_o, a.b_q, a.b_k, a.b_v, a.b_o};
}

workbook::oracle::DecoderBlockWeights oracle_weights(const ch10_13::DecoderBlock& b) {
  workbook::oracle::DecoderBlockWeights w;
  w.n_head = b.n_head;
  w.ln_self = {b.ln_self.gain, b.ln_self.bias};
  w.ln_cross = {b.ln_cross.gain, b.ln_cross.bias};
  w.ln_ffn = {b.ln_ffn.gain, b.ln_ffn.bias};
  w.self_attention = oracle_attention(b.self_attention);
  w.cross_attention = oracle_attention(b.cross_attention);
  w.ffn = {b.ffn.w_1, b.ffn.b_1, b.ffn.w_2, b.ffn.b_2};
  w.epsilon = 1e-5;
  return w;
}

Batch oracle_block(const Case& c) {
  const auto w = oracle_weights(c.block);
  Batch out = Batch::from_shape(c.x.shape());
  for (std::size_t b = 0; b < c.x.shape(0); ++b) {
    std::vector<bool> visible(c.memory.shape(1));
    for (std::size_t j = 0; j < visible.size(); ++j) visible[j] = c.visible(b, j);
    xt::view(out, b, xt::all(), xt::all()) = workbook::oracle::pre_ln_decoder_block(
        Matrix(xt::view(c.x, b, xt::all(), xt::all())), Matrix(xt::view(c.memory, b, xt::all(), xt::all())), visible, w);
  }
  return out;
}

// ---- the student's block ------------------------------------------------------------------------------------

Batch student_block(const Case& c) {
  Batch out = ch10_13::decoder_block(c.x, c.memory, c.visible, c.block);
  workbook::require_shape("decoder_block", out, {c.x.shape(0), c.x.shape(1), c.x.shape(2)});
  return out;
}

CheckResult matches_oracle(const Case& c) {
  const Batch expected = oracle_block(c);
  return workbook::close(xt::xarray<double>(student_block(c)), xt::xarray<double>(expected),
                         workbook::tolerance::float_at_scale(expected));
}

// Equal within float's rounding of the expected values' scale (tolerance::float_at_scale).
bool same_within_float(const Batch& actual, const Batch& expected) {
  return passes(workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected),
                                workbook::tolerance::float_at_scale(expected)));
}

constexpr Sizes small{2, 5, 7, 12, 3, 24};

CheckResult sublayer_alone(const Context& ctx, const std::string& stream, int silence) {
  auto rng = ctx.rng(stream);
  Case c = draw_case(small, rng);
  c.block = silenced(c.block, silence);
  return matches_oracle(c);
}

// ---- parts ------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a1", 3, R"(Implement decoder_block with its three sub-layers: causal multi-head self-attention,
multi-head cross-attention from the decoder's stream to the encoder's output, and the feed-forward network. The
first three checks test one sub-layer at a time: the other two are silenced (their output weights and biases set to
zero, so that they add nothing to the stream). Every check compares with a plain-loop version of the block, 2
sequences of 5 target and 7 source positions, d_model = 12, 3 heads, d_ff = 24, some source positions hidden, within
float's rounding.)")
      .check("self-attention alone", CheckKind::close,
             "cross-attention and feed-forward silenced: your block against x + SelfAttn(LN_self(x)) in plain loops",
             [](const Context& ctx) { return sublayer_alone(ctx, "a1-self", cross_attention | ffn); })
      .check("cross-attention alone", CheckKind::close,
             "self-attention and feed-forward silenced: your block against x + CrossAttn(LN_cross(x), memory) in "
             "plain loops, hidden source positions left out",
             [](const Context& ctx) { return sublayer_alone(ctx, "a1-cross", self_attention | ffn); })
      .check("feed-forward alone", CheckKind::close,
             "both attentions silenced: your block against x + FFN(LN_ffn(x)) in plain loops",
             [](const Context& ctx) { return sublayer_alone(ctx, "a1-ffn", self_attention | cross_attention); })
      .check("whole block", CheckKind::close, "all three sub-layers at once, against the plain-loop block",
             [](const Context& ctx) { return sublayer_alone(ctx, "a1-whole", none); })
      .check("any size", CheckKind::property,
             "for random batch sizes, lengths (one position included), head counts and widths, against the plain-loop "
             "block",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a1-any"), [] { RC_ASSERT(passes(matches_oracle(random_case()))); });
             })
      .hint("Write one function for multi-head attention that takes the query rows, the key/value rows and a "
            "visibility mask; the self- and cross-attention sub-layers are two calls of it with different inputs, "
            "weights and masks.")
      .hint("A hidden key gets the score -infinity before the softmax: its weight is then exactly 0.");
  ex.part("a2", 1, R"(The self-attention is causal: the output at target position t may depend on the target
tokens at positions 0 .. t only. The check changes the tokens after a random position and compares.)")
      .check("causality", CheckKind::property,
             "for random sizes and a random position t, replacing every target token after t leaves your outputs at "
             "positions 0 .. t unchanged (within float's rounding)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a2-causal"), [] {
                 Case c = random_case();
                 const std::size_t tgt_len = c.x.shape(1);
                 const auto t = *rc::gen::inRange<std::size_t>(0, tgt_len);
                 const Batch before = student_block(c);
                 auto rng = workbook::oracle::property_rng();
                 const Batch fresh = gaussian_batch(c.x.shape(0), tgt_len, c.x.shape(2), rng);
                 for (std::size_t b = 0; b < c.x.shape(0); ++b)
                   for (std::size_t i = t + 1; i < tgt_len; ++i)
                     xt::view(c.x, b, i, xt::all()) = xt::view(fresh, b, i, xt::all());
                 const Batch after = student_block(c);
                 const std::size_t kept = t + 1;  // positions 0 .. t
                 RC_ASSERT(same_within_float(Batch(xt::view(after, xt::all(), xt::range(0, kept), xt::all())),
                                             Batch(xt::view(before, xt::all(), xt::range(0, kept), xt::all()))));
               });
             })
      .hint("Build the mask from the positions alone: target i may see target j when j <= i.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Every sub-layer is pre-LN: it reads a normalised copy of the stream and adds its output to the
stream itself, which is never normalised inside the block. Two consequences are checked on your block. With every
sub-layer silenced, the block returns its input. And shifting a token by a constant (the same number added to each
of its d_model entries) changes no LayerNorm's output, so the block's output for that token moves by exactly that
constant; a LayerNorm applied to the stream (post-LN) would remove the shift.)")
      .check("silenced block", CheckKind::property,
             "for random sizes, with every sub-layer's output weights and biases zero, your block returns x (within "
             "float's rounding)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-identity"), [] {
                 Case c = random_case();
                 c.block = silenced(c.block, self_attention | cross_attention | ffn);
                 RC_ASSERT(same_within_float(student_block(c), c.x));
               });
             })
      .check("shifted tokens", CheckKind::property,
             "for random sizes and a random constant per target token, your block of the shifted tokens equals your "
             "block of the originals plus the same constants (within float's rounding)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-shift"), [] {
                 Case c = random_case();
                 const Batch before = student_block(c);
                 auto rng = workbook::oracle::property_rng();
                 std::normal_distribution<double> constant(0.0, 2.0);
                 Batch shift = Batch::from_shape(c.x.shape());
                 for (std::size_t b = 0; b < shift.shape(0); ++b)
                   for (std::size_t i = 0; i < shift.shape(1); ++i) xt::view(shift, b, i, xt::all()) = constant(rng);
                 c.x += shift;
                 RC_ASSERT(same_within_float(student_block(c), Batch(before + shift)));
               });
             })
      .hint("Keep two names apart: the stream (x, then u, then v), which only ever has sub-layer outputs added to it, "
            "and the normalised copy a sub-layer reads.");
}

// Replaces memory[b, j] by fresh values for every position j with pick(b, j).
template <class Pick>
Batch replaced(const Case& c, Pick pick, std::mt19937_64& rng) {
  Batch memory = c.memory;
  const Batch fresh = gaussian_batch(memory.shape(0), memory.shape(1), memory.shape(2), rng);
  for (std::size_t b = 0; b < memory.shape(0); ++b)
    for (std::size_t j = 0; j < memory.shape(1); ++j)
      if (pick(b, j)) xt::view(memory, b, j, xt::all()) = xt::view(fresh, b, j, xt::all());
  return memory;
}

// Part (c): how far one visible source position moves the output, the smallest over every target position of every
// sequence of the largest change in its output row. A block that never reads the encoder moves nothing (exactly 0).
constexpr double smallest_move = 1e-6;

CheckResult encoder_output_read(const Context& ctx) {
  auto rng = ctx.rng("c-read");
  Case c = draw_case(small, rng);
  const Batch before = student_block(c);
  // In every sequence, one visible source position (the first) gets new values.
  std::vector<std::size_t> first(c.x.shape(0));
  for (std::size_t b = 0; b < first.size(); ++b)
    while (!c.visible(b, first[b])) ++first[b];
  c.memory = replaced(c, [&](std::size_t b, std::size_t j) { return j == first[b]; }, rng);
  const Batch after = student_block(c);
  double least = std::numeric_limits<double>::infinity();
  for (std::size_t b = 0; b < before.shape(0); ++b)
    for (std::size_t i = 0; i < before.shape(1); ++i)
      least = std::min(least, double(xt::amax(xt::abs(xt::view(after, b, i, xt::all()) - xt::view(before, b, i, xt::all())))()));
  return workbook::holds(least > smallest_move, {{"smallest change of an output row", least}, {"needed", smallest_move}},
                         "replacing a visible source position left some target position's output unchanged: the "
                         "cross-attention should read the encoder's output");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(The cross-attention takes its keys and values from the encoder's output (memory), as given,
and never from a hidden (padding) source position. Check both on your block: replacing the encoder's output at one
visible source position must move the output of every target position, and replacing it at hidden positions must
move nothing.)")
      .check("encoder output read", CheckKind::property,
             "2 sequences of 5 target and 7 source positions: replacing memory at one visible source position per "
             "sequence changes every output row of your block by more than 1e-6",
             encoder_output_read)
      .check("hidden sources ignored", CheckKind::property,
             "for random sizes and masks, replacing memory at every hidden source position leaves your block's output "
             "unchanged (within float's rounding)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-hidden"), [] {
                 Case c = random_case();
                 const Batch before = student_block(c);
                 auto rng = workbook::oracle::property_rng();
                 c.memory = replaced(c, [&](std::size_t b, std::size_t j) { return !c.visible(b, j); }, rng);
                 RC_ASSERT(same_within_float(student_block(c), before));
               });
             })
      .hint("Queries come from the decoder (LN_cross of the stream); keys and values from memory. The padding mask "
            "has one row per sequence, shared by all of its target positions.");
}

// The seed's size: a batch of 2, tgt_len 8, src_len 10, d_model 64, 4 heads, d_ff 256; the second sequence's last 3
// source positions are padding.
Case seed_size_case(const Context& ctx) {
  auto rng = ctx.rng("d");
  Case c = draw_case({2, 8, 10, 64, 4, 256}, rng);
  c.visible.fill(true);
  for (std::size_t j = 7; j < 10; ++j) c.visible(1, j) = false;
  return c;
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Run the block at the size of the original exercise: a batch of 2, 10 source positions, 8
target positions, d_model = 64, 4 heads and d_ff = 256, the second sequence's last 3 source positions padding.)")
      .check("output shape", CheckKind::equal, "the shape your block returns, against (batch, tgt_len, d_model)",
             [](const Context& ctx) {
               const Case c = seed_size_case(ctx);
               const Batch out = ch10_13::decoder_block(c.x, c.memory, c.visible, c.block);
               return workbook::equal(std::vector<std::int64_t>(out.shape().begin(), out.shape().end()),
                                      std::vector<std::int64_t>{2, 8, 64});
             })
      .check("against the oracle", CheckKind::close, "at this size, against the plain-loop block",
             [](const Context& ctx) { return matches_oracle(seed_size_case(ctx)); });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A pre-LN transformer decoder block";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement = R"(A decoder block of an encoder-decoder transformer updates the decoder's stream of target tokens
with three residual sub-layers in turn: masked (causal) self-attention over the target tokens, cross-attention from
the target tokens to the encoder's output, and a position-wise feed-forward network. Write the block's forward pass
for given weights, with every sub-layer in pre-LN form (normalise, transform, add back to the stream).

Conventions (interface.hpp spells them out): each LayerNorm has a gain and a bias and epsilon = 1e-5 inside the
square root, the variance being the mean squared deviation; the feed-forward network uses the exact GELU,
u (1 + erf(u / sqrt 2)) / 2; every linear map has a bias; head h of n_head owns the h-th block of d_model / n_head
consecutive columns of Q, K and V and scales its scores by 1 / sqrt(d_model / n_head). The encoder's output enters
the cross-attention as it is (the encoder normalises its own output). A boolean mask per sequence marks the source
positions that are real tokens; the others are padding. There is no dropout (the block is evaluated) and no final
LayerNorm. Computing in float is fine: the checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
