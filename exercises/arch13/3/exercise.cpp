// arch13/3: the parameters of one transformer block and the share the FFN holds. Pen and paper: every expected value
// is a closed form in d, the number of heads and d_ff, under the convention the statement fixes (biases on every
// linear map, two LayerNorms of gain and shift). The seed's approximate figures (1.05M, 2.10M, 3.15M, two thirds)
// are those without biases and norms; parts (a) and (b) ask for both.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;

constexpr std::int64_t d = 512, d_ff = 2048;

// Every linear map with its bias: a (fan_in x fan_out) matrix and fan_out biases.
constexpr std::int64_t linear(std::int64_t fan_in, std::int64_t fan_out, bool bias) {
  return fan_in * fan_out + (bias ? fan_out : 0);
}
// Q, K, V and the output projection: four d x d maps, whatever the number of heads (h heads of width d / h).
constexpr std::int64_t attention(bool bias) { return 4 * linear(d, d, bias); }
constexpr std::int64_t ffn(bool bias) { return linear(d, d_ff, bias) + linear(d_ff, d, bias); }
constexpr std::int64_t layer_norms() { return 2 * 2 * d; }  // before attention and before the FFN: gain and shift
constexpr std::int64_t block() { return attention(true) + ffn(true) + layer_norms(); }

void part_a(workbook::Exercise& ex) {
  ex.part("a", 3, R"(Count the parameters of one block with d = 512, 8 heads and an FFN of width 2048: the attention
sub-layer (the query, key, value and output projections), the FFN (its two linear maps), and the whole block with
its two LayerNorms. Count every bias and every LayerNorm gain and shift. Then give the two matrix-only counts that the
usual back-of-the-envelope figures use: attention and FFN without any bias. Exact integers.)")
      .integer_answer("a_attention", "attention sub-layer, with biases", attention(true))
      .integer_answer("a_ffn", "FFN, with biases", ffn(true))
      .integer_answer("a_block", "the whole block", block())
      .integer_answer("a_attention_matrices", "attention sub-layer, matrices only", attention(false))
      .integer_answer("a_ffn_matrices", "FFN, matrices only", ffn(false))
      .hint("The heads split the width d among themselves: 8 heads of width 64 project with the same d x d matrices "
            "as one head of width 512.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(What fraction of the block's parameters does the FFN hold: counting everything as in (a) (to 4
decimal places), and counting matrices only (also to 4 decimal places)? Would the answer change with 16
heads instead of 8? Give the whole block's count with 16 heads (exact integer).)")
      .number_answer("b_fraction", "FFN / block, everything counted", [] { return double(ffn(true)) / double(block()); },
                     Precision::decimal_places(4))
      .number_answer("b_fraction_matrices", "FFN / (attention + FFN), matrices only",
                     [] { return double(ffn(false)) / double(ffn(false) + attention(false)); },
                     Precision::decimal_places(4))
      .integer_answer("b_block_16_heads", "the whole block with 16 heads", block());
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Mixture-of-experts models replace the FFN by several FFNs of which each token uses one or two.
Using your fraction, say why that is where the extra capacity goes, and what it costs and saves per token.)")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The parameters of a transformer block";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(A transformer block is a self-attention sub-layer and a position-wise feed-forward network (FFN),
each behind a LayerNorm and a residual connection. Take d = 512, 8 heads, and an FFN that maps d to 2048 and back.
Convention: every linear map has a bias (a (fan_in x fan_out) matrix and fan_out biases); each LayerNorm has a gain
and a shift of d entries each; the residual connections and the attention's softmax have no parameters.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
