// arch13/5: the parameters of a GPT-2-small-shaped decoder. Pen and paper: the seed's estimate (V d for the
// embedding, 12 d^2 per layer) and the exact count under the convention the statement fixes (GPT-2's layout: learned
// positions for 1024 tokens, biases on every linear map, LayerNorm gain and shift, a final LayerNorm, the output head
// tied to the token embedding), each a closed form; the seed's "about 124M" is the exact 124,439,808 rounded.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

using workbook::Precision;

constexpr std::int64_t vocab = 50257, d = 768, layers = 12, context = 1024;

constexpr std::int64_t token_embedding() { return vocab * d; }
constexpr std::int64_t position_embedding() { return context * d; }
constexpr std::int64_t layer_norm() { return 2 * d; }
constexpr std::int64_t linear(std::int64_t fan_in, std::int64_t fan_out) { return fan_in * fan_out + fan_out; }
// Two LayerNorms, Q K V as one d x 3d map, the output projection, and the FFN d -> 4d -> d.
constexpr std::int64_t layer() {
  return 2 * layer_norm() + linear(d, 3 * d) + linear(d, d) + linear(d, 4 * d) + linear(4 * d, d);
}
constexpr std::int64_t total_tied() {
  return token_embedding() + position_embedding() + layers * layer() + layer_norm();
}
constexpr std::int64_t estimate_layer() { return 12 * d * d; }

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(First the quick estimate: the token embedding V x d, and each layer as 12 d^2 (4 d^2 for the
attention's four projections, 8 d^2 for an FFN of width 4d), ignoring biases, norms and positions. Give the
embedding, one layer, and the total of the embedding and the 12 layers (exact integers).)")
      .integer_answer("a_embedding", "token embedding, V x d", token_embedding())
      .integer_answer("a_layer", "one layer, 12 d^2", estimate_layer())
      .integer_answer("a_total", "embedding plus 12 layers, estimated", token_embedding() + layers * estimate_layer())
      .hint("768^2 = 589,824.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Now exactly, in GPT-2's layout as the statement describes it: one layer with everything it holds,
the whole model with the output head tied to the token embedding, and the whole model with a separate output head
(no bias). Exact integers.)")
      .integer_answer("b_layer", "one layer, exactly", layer())
      .integer_answer("b_total_tied", "the whole model, output head tied", total_tied())
      .integer_answer("b_total_untied", "the whole model, separate output head", total_tied() + token_embedding())
      .hint("Per layer: two LayerNorms, the d x 3d map of Q, K and V with its bias, the d x d output projection with "
            "its bias, and the FFN's d x 4d and 4d x d maps with theirs.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Where do most of the parameters live: in the 12 layers, or in the embeddings (tokens and
positions)? Give the layers' share of the tied model's total (to 3 decimal places), and name the largest single
matrix of the model. Then say why the quick estimate of (a) lands so close to the exact count of (b), and what it
leaves out.)")
      .choice_answer("c_most", "where most parameters live", {"the 12 layers", "the embeddings"}, "the 12 layers")
      .number_answer("c_layer_share", "the layers' share of the tied total",
                     [] { return double(layers * layer()) / double(total_tied()); }, Precision::decimal_places(3))
      .choice_answer("c_largest", "the largest single matrix",
                     {"the token embedding", "a layer's Q K V map", "a layer's FFN map", "the position embedding"},
                     "the token embedding")
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Counting a GPT-2-sized decoder";
  ex.stars = 2;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(A decoder-only transformer with a vocabulary of V = 50,257 tokens, width d = 768 and 12 layers
is the shape of GPT-2 small. Count its parameters twice: as a quick estimate, and exactly. For the exact count use
GPT-2's layout: learned position embeddings for 1024 tokens, pre-LN layers (a LayerNorm with gain and shift before
the attention and before the FFN), Q, K and V as one d x 3d linear map, an output projection d x d, an FFN d -> 4d ->
d, a bias on every linear map, a final LayerNorm, and an output head that shares the token embedding's matrix unless
a part says otherwise.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
