// arch13/18: a GPT-style decoder becomes a BERT-style encoder when its causal mask goes. The student writes the
// attention weights with the mask as a switch. Expected values: the plain-loop oracle (workbook/oracle/attention.hpp)
// for the weights; inside the nn library's GPT (random initial weights, the student's weights in every block through
// nn::slab_core), the library's own causal attention for the decoder and its bidirectional attention for the encoder,
// and two properties that define the two: the decoder's earlier outputs ignore a later token exactly, the encoder's
// first output does not, and the encoder's weights have no zero above the diagonal.

#include "arch13/18/interface.hpp"

#include <xtensor/xview.hpp>

#include "nn/gpt.hpp"
#include "nn/slab_core.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/plot.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_18::Slabs;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

constexpr std::size_t length = 12;  // tokens per probe sequence

Slabs student_weights(const Slabs& q, const Slabs& k, bool causal) {
  auto w = arch13_18::attention_weights(q, k, causal);
  workbook::require_shape("attention_weights", w, {q.shape(0), q.shape(1), k.shape(1)});
  return w;
}

// ---- (a) the weights against the oracle ---------------------------------------------------------------------------

CheckResult against_oracle(const Slabs& q, const Slabs& k, bool causal) {
  const Slabs actual = student_weights(q, k, causal);
  Slabs expected = xt::zeros_like(actual);
  const double scale = 1.0 / std::sqrt(double(q.shape(2)));
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const workbook::oracle::Matrix qs = xt::view(q, s), ks = xt::view(k, s);
    xt::view(expected, s) = workbook::oracle::attention_weights(qs, ks, scale, causal);
  }
  return workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected),
                         workbook::tolerance::float_computation);
}

CheckResult random_case(const Context& ctx, const char* stream, bool causal) {
  auto rng = ctx.rng(stream);
  const auto in = workbook::oracle::gaussian_attention_inputs(6, 6, 9, 9, 8, 8, rng);
  return against_oracle(in.q, in.k, causal);
}

// ---- (b) inside the nn library's GPT ------------------------------------------------------------------------------

nn::GptConfig config() {
  nn::GptConfig c;
  c.vocab_size = 32;
  c.context = length;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 16;
  return c;
}

// Slab s of the output is w_s v_s.
Slabs weighted_values(const Slabs& w, const Slabs& v) {
  Slabs out = xt::zeros<double>({v.shape(0), w.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < v.shape(0); ++s)
    for (std::size_t i = 0; i < w.shape(1); ++i)
      for (std::size_t j = 0; j < w.shape(2); ++j)
        for (std::size_t c = 0; c < v.shape(2); ++c) out(s, i, c) += w(s, i, j) * v(s, j, c);
  return out;
}

// One evaluation of the GPT with the student's weights in every block: its logits and, layer by layer, the weights.
struct Probe {
  nn::Matrix<float> logits;
  std::vector<Slabs> weights;
};

Probe run_with_student(nn::Gpt<float>& model, const nn::Tokens& tokens, bool causal) {
  Probe probe;
  const auto core = nn::slab_core(
      [&](const Slabs& q, const Slabs& k, const Slabs& v, const nn::AttentionShape&) {
        probe.weights.push_back(student_weights(q, k, causal));
        return weighted_values(probe.weights.back(), v);
      },
      [](const Slabs&, const Slabs&, const Slabs&, const Slabs&, const nn::AttentionShape&) -> nn::SlabGrads {
        throw std::logic_error("arch13/18 evaluates only");
      },
      "attention_weights", "attention_weights");
  model.set_attention_core(&core);
  probe.logits = model.forward(tokens, 1, tokens.size());
  model.set_attention_core(nullptr);
  return probe;
}

// The library's own attention with the given mask in every block: the oracle route for the logits.
nn::Matrix<float> run_with_library(nn::Gpt<float>& model, const nn::Tokens& tokens, nn::MaskKind kind) {
  nn::AttentionCore<float> core;
  core.forward = [kind](const nn::Matrix<float>& q, const nn::Matrix<float>& k, const nn::Matrix<float>& v,
                        const nn::AttentionShape& shape, const nn::AttentionMask&) {
    nn::AttentionMask mask;
    mask.kind = kind;
    nn::AttentionCache<float> cache;
    return nn::attention_forward(q, k, v, shape, mask, nn::RelativeBias<float>{}, cache);
  };
  model.set_attention_core(&core);
  nn::Matrix<float> logits = model.forward(tokens, 1, tokens.size());
  model.set_attention_core(nullptr);
  return logits;
}

struct Setup {
  nn::Gpt<float> model;
  nn::Tokens tokens, last_changed;  // the probe, and the probe with its last token replaced
};

Setup setup(const Context& ctx) {
  auto rng = ctx.rng("model");
  Setup s{nn::Gpt<float>(config(), rng()), {}, {}};
  std::uniform_int_distribution<int> token(0, int(config().vocab_size) - 1);
  for (std::size_t t = 0; t < length; ++t) s.tokens.push_back(token(rng));
  s.last_changed = s.tokens;
  s.last_changed.back() = (s.tokens.back() + 1) % int(config().vocab_size);
  return s;
}

CheckResult logits_match(const nn::Matrix<float>& actual, const nn::Matrix<float>& expected) {
  const xt::xarray<double> e = xt::cast<double>(expected);
  return workbook::close(xt::xarray<double>(xt::cast<double>(actual)), e, workbook::tolerance::float_at_scale(e));
}

// The largest change, over the logits of rows [first, last), between two evaluations.
double largest_change(const nn::Matrix<float>& a, const nn::Matrix<float>& b, std::size_t first, std::size_t last) {
  return double(xt::amax(xt::abs(xt::view(a, xt::range(first, last)) - xt::view(b, xt::range(first, last))))());
}

CheckResult decoder_ignores_the_future(const Context& ctx) {
  auto s = setup(ctx);
  const double change = largest_change(run_with_student(s.model, s.tokens, true).logits,
                                       run_with_student(s.model, s.last_changed, true).logits, 0, length - 1);
  return workbook::holds(change == 0, change, "a change to the last token moves an earlier position's logits by " +
                                           std::to_string(change) + " (with the mask it may not move at all)");
}

CheckResult encoder_sees_the_future(const Context& ctx) {
  auto s = setup(ctx);
  const double change = largest_change(run_with_student(s.model, s.tokens, false).logits,
                                       run_with_student(s.model, s.last_changed, false).logits, 0, 1);
  return workbook::holds(change > 0, change, "the first position's logits do not move when the last token changes");
}

// Every weight above the diagonal, in every layer, slab and row: the smallest of them, and whether all are zero.
std::vector<double> above_diagonal(const std::vector<Slabs>& layers) {
  std::vector<double> out;
  for (const auto& w : layers)
    for (std::size_t s = 0; s < w.shape(0); ++s)
      for (std::size_t i = 0; i < w.shape(1); ++i)
        for (std::size_t j = i + 1; j < w.shape(2); ++j) out.push_back(w(s, i, j));
  return out;
}

CheckResult encoder_is_dense(const Context& ctx) {
  auto s = setup(ctx);
  const auto above = above_diagonal(run_with_student(s.model, s.tokens, false).weights);
  const double smallest = *std::min_element(above.begin(), above.end());
  return workbook::holds(smallest > 0, smallest, "a weight above the diagonal is " + std::to_string(smallest) +
                                            ": some query still cannot see a later key");
}

CheckResult decoder_is_triangular(const Context& ctx) {
  auto s = setup(ctx);
  const auto above = above_diagonal(run_with_student(s.model, s.tokens, true).weights);
  const double largest = *std::max_element(above.begin(), above.end());
  return workbook::holds(largest == 0, largest, "a query gives a later key the weight " + std::to_string(largest));
}

// ---- the figure ---------------------------------------------------------------------------------------------------

workbook::Plot weights_figure(const Context& ctx, bool causal) {
  auto s = setup(ctx);
  const Slabs w = run_with_student(s.model, s.tokens, causal).weights.front();
  auto plot = workbook::heatmap(std::string(causal ? "Decoder" : "Encoder") + ": your weights, layer 0, head 0",
                                "key position", "query position", "weight", xt::xtensor<double, 2>(xt::view(w, 0)));
  plot.measured = true;  // a model's float computation: the digits depend on the machine's BLAS
  return plot;
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement attention_weights, with the causal mask as a switch. The checks compare your weights
with plain loops on random stacks of slabs, within 1e-5 relative (room for float).)")
      .check("causal", CheckKind::close, "6 slabs of 9 queries and keys of width 8, causal, against plain loops",
             [](const Context& ctx) { return random_case(ctx, "a-causal", true); })
      .check("no mask", CheckKind::close, "the same shapes without the mask, against plain loops",
             [](const Context& ctx) { return random_case(ctx, "a-open", false); })
      .check("any shape", CheckKind::property,
             "for random slab counts, lengths and widths, both switches, against plain loops",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto slabs = *rc::gen::inRange<std::size_t>(1, 5);
                 const auto n = *rc::gen::inRange<std::size_t>(1, 14);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 10);
                 const bool causal = *rc::gen::arbitrary<bool>();
                 auto rng = workbook::oracle::property_rng();
                 const auto in = workbook::oracle::gaussian_attention_inputs(slabs, slabs, n, n, d, d, rng);
                 RC_ASSERT(against_oracle(in.q, in.k, causal).status == workbook::Status::pass);
               });
             })
      .hint("A hidden key's score is minus infinity before the softmax, so that its weight comes out exactly 0 and "
            "the visible weights still sum to 1. Without the mask, that condition is simply never true.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 4, R"(Your weights inside a GPT. The exercise builds the nn library's GPT (2 layers, 2 heads, width 16,
vocabulary 32, random initial weights) and uses your attention_weights in every block on a sequence of 12 tokens,
once with the mask (a decoder) and once without (an encoder). With the mask, the model must be exactly the library's
decoder; without it, exactly the library's bidirectional model, and each must behave as its kind does.)")
      .check("decoder logits", CheckKind::close,
             "with the mask: the GPT's logits equal those of the library's own causal attention, within float "
             "rounding",
             [](const Context& ctx) {
               auto s = setup(ctx);
               return logits_match(run_with_student(s.model, s.tokens, true).logits,
                                   run_with_library(s.model, s.tokens, nn::MaskKind::causal));
             })
      .check("decoder is triangular", CheckKind::property,
             "with the mask: every weight above the diagonal, in every layer and head, is exactly 0",
             decoder_is_triangular)
      .check("decoder ignores the future", CheckKind::property,
             "with the mask: replacing the last token leaves the logits of every earlier position exactly as they were",
             decoder_ignores_the_future)
      .check("encoder logits", CheckKind::close,
             "without the mask: the logits equal those of the library's bidirectional attention, within float rounding",
             [](const Context& ctx) {
               auto s = setup(ctx);
               return logits_match(run_with_student(s.model, s.tokens, false).logits,
                                   run_with_library(s.model, s.tokens, nn::MaskKind::bidirectional));
             })
      .check("encoder is dense", CheckKind::property,
             "without the mask: no weight above the diagonal is 0, in any layer or head", encoder_is_dense)
      .check("encoder sees the future", CheckKind::property,
             "without the mask: replacing the last token moves the first position's logits", encoder_sees_the_future)
      .hint("Figures `decoder` and `encoder` show your weights in the first layer's first head.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Suppose you keep training the unmasked model on next-token prediction, the decoder's objective.
What loss can it reach on text it has never seen: about what the decoder reaches, or close to zero? Then say, in a
few sentences, why, and what objective an encoder is trained with instead.)")
      .choice_answer("c_loss", "held-out next-token loss of the unmasked model", {"like the decoder", "close to zero"},
                     "close to zero")
      .manual(1)
      .hint("Without the mask, what does position i see that it is asked to predict?");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Removing the causal mask turns a decoder into an encoder";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A GPT-style decoder and a BERT-style encoder can share every weight: what separates them is the
causal mask, which lets position i attend only to positions up to i. Write the attention weights with that mask as
a switch, then watch what the switch does to a whole model: with it, no output depends on a later token and the
weight matrices are lower triangular; without it, every position sees every other.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("decoder", "Your weights with the mask, in the first head of the first layer of the GPT of part (b).",
          [](const Context& ctx) { return weights_figure(ctx, true); });
  ex.plot("encoder", "Your weights without the mask, in the same head, on the same tokens.",
          [](const Context& ctx) { return weights_figure(ctx, false); });
}
