// arch13/7: encoder-only, decoder-only and encoder-decoder compared, and why decoder-only won for large language
// models. The comparison and the "why" are graded by hand (reference answers and rubrics in the instructor's notes);
// the checkable core is categorical (which attention each stack uses, which can be trained on raw text with every
// position a target) and a count that makes the architectures' costs concrete: the (query, key) pairs each
// attention of a translation-sized example scores, as closed forms (n^2 for a bidirectional n-token self-attention,
// n(n + 1)/2 for a causal one, m n for m queries over n keys). ch13/13.7 compares BERT and GPT alone.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

constexpr std::int64_t source = 300, target = 100;  // tokens of the input and of the output

constexpr std::int64_t bidirectional(std::int64_t n) { return n * n; }
constexpr std::int64_t causal(std::int64_t n) { return n * (n + 1) / 2; }

const std::vector<std::string> stacks = {"encoder-only", "decoder-only", "encoder-decoder"};

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(For each architecture, which attention does it use? Pick, for the self-attention of an
encoder-only model, of a decoder-only model, and of an encoder-decoder's decoder, whether it is bidirectional or
causal; and say which of the three has cross-attention.)")
      .choice_answer("a_encoder_only", "encoder-only self-attention", {"bidirectional", "causal"}, "bidirectional")
      .choice_answer("a_decoder_only", "decoder-only self-attention", {"bidirectional", "causal"}, "causal")
      .choice_answer("a_seq2seq_decoder", "self-attention in an encoder-decoder's decoder", {"bidirectional", "causal"},
                     "causal")
      .choice_answer("a_cross", "the architecture with cross-attention", stacks, "encoder-decoder");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Count what each one's attention scores on a translation-sized example: an input of 300 tokens and
an output of 100. The encoder-only and decoder-only models read the two as one sequence of 400 tokens; the
encoder-decoder encodes the 300 and decodes the 100. Count the (query, key) pairs that get a score, in every
attention of the model (one layer, one head): exact integers. For the decoder-only model, also give the pairs that a
model with a prefix mask would score (the 300 input tokens see each other both ways; the output stays causal).)")
      .integer_answer("b_encoder_only", "encoder-only, 400 tokens", bidirectional(source + target))
      .integer_answer("b_decoder_only", "decoder-only, 400 tokens", causal(source + target))
      .integer_answer("b_encoder_decoder", "encoder-decoder: encoder, decoder and cross-attention together",
                      bidirectional(source) + causal(target) + target * source)
      .integer_answer("b_prefix", "decoder-only with a prefix mask",
                      bidirectional(source) + target * source + causal(target))
      .hint("A causal n-token attention scores 1 + 2 + ... + n pairs. Compare the last two counts: what does that say "
            "about the encoder-decoder's attention pattern?");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Which of the three can be pretrained on raw text with every position of every sequence a training
target, with no corruption or pairing of the data?)")
      .choice_answer("c_every_position", "every position a target", stacks, "decoder-only");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 4, R"(Compare the three: their pretraining objectives, what each is good at, and how each is used on a
new task. Then explain why decoder-only models became the standard for large language models.)")
      .manual(4);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Encoder-only, decoder-only, encoder-decoder";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::numeric};
  ex.statement = R"(Three ways to build a transformer model: an encoder alone (BERT), a decoder alone (GPT), or an
encoder that reads the input and a decoder that writes the output while attending to it (the original transformer,
T5). They differ in their masks, in where attention looks, and in what they can be trained on. Pin those down, count
what each attention costs on one example, and then argue why one of them took over.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
