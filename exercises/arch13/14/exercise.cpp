// arch13/14: the whole GPT around the block: token and position embeddings, the blocks in order, the final
// LayerNorm and the tied head. The student assembles it with the library's block (arch13/13 was the block itself).
// Expected values: the nn library's GPT (nn::Gpt<double>::logits) holding the same tensors, at several lengths up to
// the context; as properties of the student's model, that any length gives (T, V) logits equal to the library's,
// that a later token leaves earlier rows alone, and that a sequence longer than the context is refused.

#include "arch13/14/interface.hpp"

#include "nn/gpt.hpp"
#include "nn/gpt2_fields.hpp"
#include "workbook/exercise.hpp"
#include "workbook/not_implemented.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using arch13_14::Matrix;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;

constexpr std::size_t vocab = 40, context = 16, width = 16, heads = 4;

nn::GptConfig config(std::size_t layers) {
  nn::GptConfig c;
  c.vocab_size = vocab;
  c.context = context;
  c.n_layer = layers;
  c.n_head = heads;
  c.n_embd = width;
  return c;
}

struct Setup {
  nn::Gpt<double> model;
  arch13_14::Model view;
};

Setup setup(std::size_t layers, std::mt19937_64& rng) {
  Setup s{nn::Gpt<double>(config(layers), rng()), {}};
  // At unit effect: with GPT-2's initialisation each block is close to the identity, and blocks run in the wrong
  // order or a missing position table would hide under rounding.
  nn::redraw_at_unit_effect(s.model.parameters(), rng);
  s.view = nn::gpt2_fields<arch13_14::Model>(s.model.parameters(), layers, heads);
  return s;
}

std::vector<int> random_tokens(std::size_t length, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(vocab) - 1);
  std::vector<int> out(length);
  for (auto& t : out) t = token(rng);
  return out;
}

Matrix student_logits(const std::vector<int>& tokens, const arch13_14::Model& model) {
  auto logits = arch13_14::gpt_logits(tokens, model);
  workbook::require_shape("gpt_logits", logits, {tokens.size(), vocab});
  return logits;
}

CheckResult against_library(const std::vector<int>& tokens, Setup& s) {
  const xt::xarray<double> expected = s.model.logits(tokens);
  return workbook::close(xt::xarray<double>(student_logits(tokens, s.view)), expected,
                         workbook::tolerance::float_at_scale(expected));
}

CheckResult at_length(const Context& ctx, std::size_t length) {
  auto rng = ctx.rng("a-" + std::to_string(length));
  auto s = setup(2, rng);
  return against_library(random_tokens(length, rng), s);
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 4, R"(Implement gpt_logits for a GPT of 2 blocks, 4 heads, width 16, a vocabulary of 40 and a
context of 16. The checks put the same random tensors in your model and in the library's GPT and compare the logits
within float rounding.)");
  for (const std::size_t length : {1, 9, 16})
    a.check("T=" + std::to_string(length), CheckKind::close,
            std::to_string(length) + " random tokens: your (T, V) logits against the library GPT's",
            [length](const Context& ctx) { return at_length(ctx, length); });
  a.hint("Row t of the input is wte[token t] + wpe[t]. The head has no matrix of its own: it scores a row against "
         "every row of wte.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show that the shapes hold end to end, for any depth and any length the context allows, and that
the model is causal.)")
      .check("any depth and length", CheckKind::property,
             "for 1 to 3 blocks and 1 to 16 random tokens: (T, V) logits equal to the library GPT's",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-shapes"), [] {
                 auto rng = workbook::oracle::property_rng();
                 auto s = setup(*rc::gen::inRange<std::size_t>(1, 4), rng);
                 const auto tokens = random_tokens(*rc::gen::inRange<std::size_t>(1, context + 1), rng);
                 RC_ASSERT(against_library(tokens, s).status == workbook::Status::pass);
               });
             })
      .check("causal", CheckKind::property,
             "for 2 to 16 random tokens, replacing the last one leaves every earlier row of logits unchanged",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-causal"), [] {
                 auto rng = workbook::oracle::property_rng();
                 auto s = setup(2, rng);
                 auto tokens = random_tokens(*rc::gen::inRange<std::size_t>(2, context + 1), rng);
                 const Matrix before = student_logits(tokens, s.view);
                 tokens.back() = (tokens.back() + 1) % int(vocab);
                 const Matrix after = student_logits(tokens, s.view);
                 const auto earlier = [](const Matrix& m) {
                   return xt::xarray<double>(xt::view(m, xt::range(0, long(m.shape(0)) - 1)));
                 };
                 RC_ASSERT(workbook::close(earlier(after), earlier(before),
                                           workbook::tolerance::float_at_scale(earlier(before)))
                               .status == workbook::Status::pass);
               });
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(A sequence longer than the context has no position row for its last tokens. Refuse it, as the
interface says, rather than read past the table.)")
      .check("too long", CheckKind::property, "17 tokens, one more than the context: gpt_logits throws",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-too-long");
               auto s = setup(1, rng);
               try {
                 arch13_14::gpt_logits(random_tokens(context + 1, rng), s.view);
               } catch (const workbook::NotImplemented&) {
                 throw;
               } catch (const std::exception&) {
                 return workbook::holds(true, "refused", "");
               }
               return workbook::holds(false, "logits returned", "17 tokens in a context of 16 gave logits");
             });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The whole GPT: from token ids to logits";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement = R"(Assemble a GPT-2-style model around the block: look up each token's embedding, add its position's
row, run the blocks in order, normalise with the final LayerNorm, and score every row against the token embeddings
(the output head shares wte). Every block keeps the (T, C) shape, so the only shapes that change are at the two
ends: T ids in, (T, V) logits out.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
