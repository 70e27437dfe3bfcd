// 13.12: the 12 L d^2 + 2 V d parameter estimate, for L = 24, d = 1024, V = 50000. Pen and paper: every
// expected value is a closed form in integers, split the way the rule is built (4 d^2 attention and 8 d^2 MLP
// weights per layer; an input embedding and a separate output projection of V x d each), plus the share of the
// embeddings and the estimate with the two V x d matrices tied into one.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;
constexpr std::int64_t layers = 24, width = 1024, vocab = 50000;

// W_Q, W_K, W_V, W_O, each d x d.
constexpr std::int64_t attention_per_layer = 4 * width * width;
// d -> 4d -> d: two matrices of 4 d^2.
constexpr std::int64_t mlp_per_layer = 2 * width * 4 * width;
constexpr std::int64_t all_layers = layers * (attention_per_layer + mlp_per_layer);
constexpr std::int64_t embedding_matrix = vocab * width;
constexpr std::int64_t untied_estimate = all_layers + 2 * embedding_matrix;  // the seed's rule
constexpr std::int64_t tied_estimate = all_layers + embedding_matrix;

static_assert(attention_per_layer + mlp_per_layer == 12 * width * width, "the rule's 12 d^2 per layer");

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Parameter count from the 12 L d^2 + 2 V d rule";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(A decoder-only transformer has L = 24 layers, model width d = 1024 and a vocabulary of
V = 50000 tokens. Estimate how many parameters it has with the rule N ≈ 12 L d^2 + 2 V d.

Conventions: a parameter is one trainable scalar. The rule keeps only the weight matrices: per layer the four
d x d projections of attention (queries, keys, values, output) and an MLP that widens d to 4d and narrows back;
it leaves out biases, normalisation weights and position embeddings. The term 2 V d counts two V x d matrices,
the input embedding and an output projection of its own (untied). Give every count as an exact integer.)";

  ex.part("a", 1, "How many weights does one layer contribute under the rule, to attention and to the MLP?")
      .integer_answer("a_attention", "attention weights of one layer", attention_per_layer, "parameters")
      .integer_answer("a_mlp", "MLP weights of one layer", mlp_per_layer, "parameters")
      .hint("The MLP holds a d x 4d matrix and a 4d x d matrix.");
  ex.part("b", 1, "Add up the two terms of the rule: all L layers together, and the two embedding matrices.")
      .integer_answer("b_layers", "12 L d^2, all layers", all_layers, "parameters")
      .integer_answer("b_embeddings", "2 V d, input embedding plus output projection", 2 * embedding_matrix, "parameters");
  ex.part("c", 1, R"(Give the estimate itself, and the share of it that sits in the two embedding matrices, as a
percentage to 3 significant figures.)")
      .integer_answer("c_total", "12 L d^2 + 2 V d", untied_estimate, "parameters")
      .number_answer("c_embedding_share", "2 V d as a share of the estimate",
                     [] { return 100.0 * 2 * embedding_matrix / untied_estimate; }, Precision::significant_figures(3),
                     "percent");
  ex.part("d", 1, R"(Many models (GPT-2 among them) tie the output projection to the input embedding: one V x d
matrix serves both. What does the rule give then?)")
      .integer_answer("d_tied", "12 L d^2 + V d, embeddings tied", tied_estimate, "parameters");
}
