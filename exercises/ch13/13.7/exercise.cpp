// 13.7: BERT against GPT. The comparison is graded with a rubric; its checkable core is categorical (objective,
// stack, which model for which job), the attention masks (computed from the plain-loop oracle: an entry is 1 where
// workbook::oracle::attention_weights, bidirectional or causal, gives a query-key pair a nonzero weight) and the
// number of positions that give a loss term per sequence (BERT: 15% of the positions, rounded; GPT: every
// position that has a next token inside the window).

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::Precision;
constexpr std::int64_t window = 512;

// 1 where query i may use key j, read off the oracle's weights for random queries and keys.
xt::xarray<double> mask(bool causal) {
  std::mt19937_64 rng(1307);
  const auto q = workbook::oracle::gaussian_matrix(4, 3, rng), k = workbook::oracle::gaussian_matrix(4, 3, rng);
  const auto w = workbook::oracle::attention_weights(q, k, 1.0, causal);
  xt::xarray<double> m = xt::zeros<double>({4, 4});
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) m(i, j) = w(i, j) > 0 ? 1 : 0;
  return m;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "BERT and GPT compared";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::numeric};
  ex.statement = R"(BERT (Devlin et al., 2018) and GPT (Radford et al., 2018, and its successors) are both stacks of
Transformer blocks pretrained on unlabelled text, but they are built and used differently. Compare them on their
pretraining objective, their architecture, how they are adapted to a task, and what they are typically used for.)";
  ex.part("a", 2, "Which pretraining objective and which kind of stack does each use?")
      .choice_answer("a_bert_objective", "BERT's pretraining objective", {"masked-token", "next-token"}, "masked-token")
      .choice_answer("a_gpt_objective", "GPT's pretraining objective", {"masked-token", "next-token"}, "next-token")
      .choice_answer("a_bert_stack", "BERT's stack", {"encoder", "decoder", "encoder-decoder"}, "encoder")
      .choice_answer("a_gpt_stack", "GPT's stack", {"encoder", "decoder", "encoder-decoder"}, "decoder");
  ex.part("b", 2, R"(Write the self-attention mask each uses on a 4-token input: a 4 x 4 matrix, row i for the query at
position i, column j for the key at position j, 1 where the query may attend to the key and 0 where it may not.)")
      .array_answer("b_bert_mask", "BERT's 4 x 4 mask", {4, 4}, [] { return mask(false); }, Precision::exact())
      .array_answer("b_gpt_mask", "GPT's 4 x 4 mask", {4, 4}, [] { return mask(true); }, Precision::exact());
  ex.part("c", 1, R"(Training signal per sequence. In a window of 512 tokens, how many positions give a prediction
loss in one pretraining step? For BERT, 15% of the positions are selected, rounded to the nearest integer (the
80/10/10 replacement does not change how many are predicted); for GPT, every position whose next token lies inside
the window.)")
      .integer_answer("c_bert_losses", "positions with a loss, BERT", std::llround(0.15 * window))
      .integer_answer("c_gpt_losses", "positions with a loss, GPT", window - 1);
  ex.part("d", 1, R"(Fine-tuning and use. Which of the two would you pick to write a continuation of a text, and which
to label every word of a sentence using the words on both sides of it? Then compare how each is adapted to a
downstream task and what each is typically used for.)")
      .choice_answer("d_generation", "the model to continue a text", {"BERT", "GPT"}, "GPT")
      .choice_answer("d_tagging", "the model to label each word with context on both sides", {"BERT", "GPT"}, "BERT")
      .manual(3);
}
