// arch13/1: self-attention without positions treats its input as a set. Pen and paper: the proof is graded by hand
// (our derivation is in the instructor's notes); its checkable core is a classification of eight layers as
// permutation-equivariant, permutation-invariant or neither, and two counts of the orderings a model can tell apart.
// The expected values are the facts the derivation establishes. One of them corrects the seed's conclusion: with a
// causal mask, self-attention is no longer blind to order, so a decoder without positional encodings can still
// recover positions.

#include <string>
#include <vector>

#include "workbook/exercise.hpp"

namespace {

const std::vector<std::string> kinds = {"equivariant", "invariant", "neither"};

struct Layer {
  std::string key, description, kind;
};

// Each layer maps an input X (n x d, one row per token) to an output; P reorders the rows of X.
const std::vector<Layer> layers = {
    {"b_attention", "multi-head self-attention, no mask, no positional encoding", "equivariant"},
    {"b_causal", "the same with a causal mask", "neither"},
    {"b_sinusoidal", "the same without a mask, on X + E, E a fixed sinusoidal table (row i for position i)", "neither"},
    {"b_ffn", "the position-wise feed-forward network", "equivariant"},
    {"b_block", "a whole encoder block (LayerNorms, attention, FFN, residuals), no mask, no positions", "equivariant"},
    {"b_pooled", "that block followed by the mean of its output rows (one vector per sequence)", "invariant"},
    {"b_relative", "self-attention with a learned bias b(j - i) added to the score of query i and key j", "neither"},
    {"b_cross", "cross-attention: queries from X, keys and values from a fixed memory M that P does not touch",
     "equivariant"},
};

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Prove that self-attention with no positional encoding is permutation-equivariant: for every
permutation matrix P, Attn(P X) = P Attn(X), where Attn(X) = softmax(X W_q (X W_k)^T / sqrt(d_k)) X W_v with the
softmax along each row. Name the step where the row-wise softmax matters.)")
      .manual(3)
      .hint("Write the queries, keys and values of P X in terms of those of X, then the score matrix. What does a "
            "row-wise function do to P S P^T?");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 4, R"(For each layer below, say whether it is permutation-equivariant (f(P X) = P f(X) for
every P), permutation-invariant (f(P X) = f(X) for every P), or neither. Each layer has generic weights, and P
reorders the tokens of the input only. A one-line reason each is worth writing down for yourself, but only the
choice is checked.)");
  for (const auto& layer : layers) b.choice_answer(layer.key, layer.description, kinds, layer.kind);
  b.hint("Equivariance survives composition with other equivariant maps; anything that knows where a row sits (a "
         "mask, a table indexed by position, a bias on j - i) breaks it. Invariance comes from a symmetric "
         "reduction such as a sum or a mean over the rows.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Take the three distinct tokens of "dog bites man" and every order of them. Feed each order to
a model made of encoder blocks with no mask and no positions, followed by the mean of the output rows (generic
weights). How many different outputs do the orders give? And if a sinusoidal positional table is added to the
input first? Exact integers.)")
      .integer_answer("c_without_positions", "distinct outputs, no positional encoding", 1)
      .integer_answer("c_with_positions", "distinct outputs, with the positional table", 6)
      .hint("Use your answers to (b): what does an invariant map give for two inputs that differ only by a "
            "reordering? With the table, a reordering is no longer only a reordering.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(Why does a language model need positional encodings at all? And a decoder has a causal mask:
does your answer to (b) say that a decoder without any positional encoding is blind to word order?)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Without positions, self-attention sees a set";
  ex.tags = {workbook::Tag::proof, workbook::Tag::conceptual};
  ex.statement = R"(A layer that maps a sequence of n token vectors (the rows of X) to n output rows is
permutation-equivariant when reordering its input rows reorders its output rows the same way and changes nothing
else, and permutation-invariant when reordering the input changes nothing at all. Prove the first for self-attention
without positional information, sort eight layers into the two kinds (or neither), and see what that means for
telling "dog bites man" from "man bites dog".)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
