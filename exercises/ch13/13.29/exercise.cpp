// 13.29: the FLOPs of one token of GPT inference, against the 2N rule. The student counts by component. Expected
// values: the parameters the nn library allocates for a GPT of the same shape (its block matrices, its tied token
// embedding, everything but the embeddings for N), and the statement's convention for attention (2 m n per
// matrix-vector product, so 2 t d for the scores and 2 t d for the weighted values, per layer). Part (c) checks, as a
// property over random shapes, how the count and 2N differ: by the biases and norms (counted in N, applied with no
// matrix product), the attention over the context and the head. Part (d) types the ratio for two real shapes.

#include "ch13/13.29/interface.hpp"

#include <string>

#include "nn/gpt.hpp"
#include "workbook/exercise.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;
using ch13_29::GptShape;

struct LibraryCounts {
  std::int64_t block_matrix_entries = 0;  // every 2-D parameter of the blocks
  std::int64_t head_entries = 0;          // the tied token embedding, used again as the head
  std::int64_t non_embedding = 0;         // every parameter but the token and position embeddings
};

// Builds the library's GPT-2-layout model of this shape (float, 16 positions) and reads its parameters by name.
LibraryCounts library_counts(const GptShape& s) {
  nn::GptConfig config;
  config.vocab_size = std::size_t(s.vocab), config.context = 16, config.n_layer = std::size_t(s.n_layer);
  config.n_head = 4, config.n_embd = std::size_t(s.n_embd), config.ffn_hidden = std::size_t(s.ffn_hidden);
  config.bias = true, config.tie_weights = true, config.position = nn::PositionKind::learned;
  nn::Gpt<float> model(config, 1);
  LibraryCounts out;
  for (const auto& p : model.parameters()) {
    const bool embedding = p.name == "wte.weight" || p.name == "wpe.weight";
    if (p.name == "wte.weight") out.head_entries = std::int64_t(p.size);
    if (!embedding) out.non_embedding += std::int64_t(p.size);
    if (p.name.rfind("h.", 0) == 0 && p.shape.size() == 2) out.block_matrix_entries += std::int64_t(p.size);
  }
  return out;
}

std::string name_of(const GptShape& s) {
  return "V=" + std::to_string(s.vocab) + ", L=" + std::to_string(s.n_layer) + ", d=" + std::to_string(s.n_embd) +
         ", f=" + std::to_string(s.ffn_hidden);
}

const std::vector<GptShape> small_shapes = {{65, 2, 64, 256}, {100, 3, 32, 80}, {50, 1, 48, 192}};

// ---- part a: the count against the library's model ----

workbook::CheckResult flops_match(const GptShape& s, std::int64_t t) {
  const auto got = ch13_29::per_token_flops(s, t);
  const auto lib = library_counts(s);
  const std::int64_t attention = s.n_layer * (2 * t * s.n_embd + 2 * t * s.n_embd);  // scores, then weighted values
  return workbook::equal(std::vector<std::int64_t>{got.projections, got.attention, got.lm_head},
                         std::vector<std::int64_t>{2 * lib.block_matrix_entries, attention, 2 * lib.head_entries});
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 3, R"(Implement per_token_flops: the matrix-product FLOPs of one new token at position t,
split into the blocks' projections, attention over the t cached keys and values, and the head.)");
  for (const GptShape& s : small_shapes)
    for (std::int64_t t : {1, 16})
      a.check(name_of(s) + ", t=" + std::to_string(t), CheckKind::equal,
              "your three counts against twice the entries of the nn library's block matrices and token embedding "
              "for a GPT of this shape, and the statement's rule for attention",
              [s, t](const Context&) { return flops_match(s, t); });
  a.hint("List the matrices a token's vector meets on its way through one block; each costs 2 m n.");
}

// ---- part b: N against the library's model ----

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 1, R"(Implement non_embedding_parameters: N, the count the 2N rule uses.)");
  for (const GptShape& s : small_shapes)
    b.check(name_of(s), CheckKind::equal,
            "your N against the nn library's parameters for this shape, less its token and position embeddings",
            [s](const Context&) {
              return workbook::equal(ch13_29::non_embedding_parameters(s), library_counts(s).non_embedding);
            });
}

// ---- part c: where the count and 2N part ways, as a property ----

// One block's vectors under the statement's layout: biases 3d, d, f, d and two LayerNorms of gain and shift.
std::int64_t vector_entries(const GptShape& s) {
  return s.n_layer * (5 * s.n_embd + s.ffn_hidden + 4 * s.n_embd) + 2 * s.n_embd;
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Show where 2N comes from: each matrix entry is one multiplication and one addition per token,
so the projections cost twice N less the parameters that are no matrix entries. What remains outside 2N is attention,
which grows with t, and the head. The check runs this as a property of your two functions over random shapes.)")
      .check("2N decomposed", CheckKind::property,
             "for random vocabularies, depths, widths, FFN widths and positions: your projections equal 2 (N - biases "
             "- LayerNorm parameters), your attention 4 L t d and your head 2 V d",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const GptShape s{*rc::gen::inRange<std::int64_t>(2, 200001), *rc::gen::inRange<std::int64_t>(1, 129),
                                  *rc::gen::inRange<std::int64_t>(1, 16385), *rc::gen::inRange<std::int64_t>(1, 65537)};
                 const auto t = *rc::gen::inRange<std::int64_t>(1, 32769);
                 const auto got = ch13_29::per_token_flops(s, t);
                 RC_ASSERT(got.projections == 2 * (ch13_29::non_embedding_parameters(s) - vector_entries(s)));
                 RC_ASSERT(got.attention == 4 * s.n_layer * t * s.n_embd);
                 RC_ASSERT(got.lm_head == 2 * s.vocab * s.n_embd);
               });
             });
}

// ---- part d: the ratio for two real shapes ----

// (projections + attention + head) / 2N by the statement's layout, in closed form.
double ratio_to_2n(const GptShape& s, double t) {
  const double d = double(s.n_embd), f = double(s.ffn_hidden), layers = double(s.n_layer);
  const double matrices = layers * (4 * d * d + 2 * d * f);
  const double n = matrices + double(vector_entries(s));
  return (2 * matrices + 4 * layers * t * d + 2 * double(s.vocab) * d) / (2 * n);
}

const GptShape gpt2_small{50257, 12, 768, 3072};
const GptShape gpt3{50257, 96, 12288, 49152};

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(How good is 2N? Give the ratio of your full count (projections + attention + head) to 2N for
GPT-2 small (V = 50257, L = 12, d = 768, f = 3072) at t = 1024 and for GPT-3 (V = 50257, L = 96, d = 12288,
f = 49152) at t = 2048, each to 3 significant figures, and the position t at which GPT-2 small's attention FLOPs equal
its projection FLOPs. Then say what the 2N rule leaves out, and when each omission matters.)")
      .number_answer("d_ratio_gpt2", "full count / 2N, GPT-2 small at t = 1024",
                     [] { return ratio_to_2n(gpt2_small, 1024); }, Precision::significant_figures(3))
      .number_answer("d_ratio_gpt3", "full count / 2N, GPT-3 at t = 2048", [] { return ratio_to_2n(gpt3, 2048); },
                     Precision::significant_figures(3))
      .integer_answer("d_crossover", "t where GPT-2 small's attention equals its projections",
                      (4 * 768 * 768 + 2 * 768 * 3072) * 2 / (4 * 768))
      .hint("Projections per layer: 2 (4 d^2 + 2 d f); attention per layer: 4 t d.")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Per-token inference FLOPs and the 2N rule";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement = R"(A common rule of thumb says that generating one token with a decoder-only transformer of N
parameters costs about 2N FLOPs. Derive it by counting, and find out what it leaves out. Count the matrix products
only (the interface fixes the model's layout and the FLOP convention) for a token at position t generated with a
KV cache, and compare with 2N, N being the parameters outside the embeddings.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
