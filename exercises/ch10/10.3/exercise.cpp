// 10.3: self-attention or cross-attention. Pen and paper: every answer is a category, and the expected
// categories come from the architectures the statement names (encoder-decoder translation model, BERT, ViT).
// Where a causal mask matters (a decoder attending to its own past, and the same decoder reading the encoder)
// the mask is asked too, since "self" alone does not tell the two decoder sub-layers' behaviour apart.

#include "workbook/exercise.hpp"

namespace {

const std::vector<std::string> kinds = {"self", "cross"};
const std::vector<std::string> yes_no = {"yes", "no"};
const std::vector<std::string> sources = {"the decoder's own states", "the encoder's output"};

void origin(workbook::Exercise& ex) {
  ex.part("qkv", 2, R"(Say where the queries, the keys and the values come from in self-attention and in
cross-attention, and what each of the two lets a token do. Then answer the three questions below for the
cross-attention sub-layer of a translation decoder.)")
      .choice_answer("qkv_self_one_sequence", "in self-attention, are Q, K and V all computed from one and the same sequence?",
                     yes_no, "yes")
      .choice_answer("qkv_cross_queries", "in the decoder's cross-attention, the queries are computed from", sources,
                     "the decoder's own states")
      .choice_answer("qkv_cross_keys_values", "in the decoder's cross-attention, the keys and values are computed from",
                     sources, "the encoder's output")
      .hint("Ask of each projection which sequence it is applied to: the one being updated, or the one being read.")
      .manual(2);
}

void scenarios(workbook::Exercise& ex) {
  ex.part("a", 1, "A layer of the encoder of a translation model, turning the source sentence into contextual vectors.")
      .choice_answer("a", "the kind of attention", kinds, "self");
  ex.part("b", 1, R"(A decoder layer of the same model, where the target-side tokens read the encoder's output.
Say also whether this sub-layer hides some encoder positions from a query with a causal mask.)")
      .choice_answer("b", "the kind of attention", kinds, "cross")
      .choice_answer("b_causal", "does this sub-layer apply a causal mask over the encoder positions?", yes_no, "no");
  ex.part("c", 1, R"(A decoder layer where each target-side token looks at the tokens produced before it. Say also
whether a causal mask is applied.)")
      .choice_answer("c", "the kind of attention", kinds, "self")
      .choice_answer("c_causal", "does this sub-layer apply a causal mask?", yes_no, "yes");
  ex.part("d", 1, "BERT building a contextual representation of every token of its input.")
      .choice_answer("d", "the kind of attention", kinds, "self");
  ex.part("e", 1, "A Vision Transformer (ViT) relating the patches of one image to each other.")
      .choice_answer("e", "the kind of attention", kinds, "self");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention or cross-attention?";
  ex.stars = 1;
  ex.tags = {workbook::Tag::conceptual};
  ex.statement = R"(An attention sub-layer forms queries Q = X_q W^Q, keys K = X_kv W^K and values V = X_kv W^V
and lets every query row mix the value rows. The two families differ only in the inputs X_q and X_kv the three
projections are applied to. Name that difference, then classify the attention used in five familiar settings.
Every answer here is a choice: write the option exactly as it is offered.)";
  origin(ex);
  scenarios(ex);
}
