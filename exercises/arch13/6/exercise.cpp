// arch13/6: weight tying. Pen and paper: the parameters it saves for V = 50,257 and d = 768 are a closed form
// (V x d, the head having no bias); why one matrix can serve both roles is graded with a rubric.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

constexpr std::int64_t vocab = 50257, d = 768;

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Weight tying";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(A language model reads a token through its embedding, a V x d matrix whose row is the token's
vector, and scores the next token through its output head, a d x V map from the last hidden state to one logit per
token. Weight tying makes the head the transpose of the embedding: one matrix in both roles.)";
  ex.part("a", 1, R"(How many parameters does tying save for V = 50,257 and d = 768, the head having no bias? What
share is that of a 124,439,808-parameter model that ties (to 3 decimal places)? (Counts: exact integers.))")
      .integer_answer("a_saved", "parameters saved by tying", vocab * d)
      .number_answer("a_share", "the saving as a share of the tied model's 124,439,808 parameters",
                     [] { return double(vocab * d) / 124439808.0; }, workbook::Precision::decimal_places(3));
  ex.part("b", 2, R"(Why is tying justified: what do the embedding and the head each do with a token, and why can one
matrix serve both? Say what tying costs the model, and why the saving matters more for a small model than a large
one.)")
      .manual(2);
}
