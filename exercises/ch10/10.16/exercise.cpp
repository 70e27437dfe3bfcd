// 10.16: the feed-forward network read as a key-value memory. Pen and paper. With x a row vector and
// FFN(x) = GELU(x W1) W2 = sum_i GELU(x . W1[:, i]) W2[i, :], slot i pairs the key W1[:, i] (a d_model-vector
// matched against x) with the value W2[i, :] (a d_model-vector added to the output), weighted by the activation
// GELU(x . W1[:, i]). The counts below follow from the shapes: d_ff slots, each key and each value of length d_model.

#include <cstdint>

#include "workbook/exercise.hpp"

namespace {

// Slots, and numbers stored in keys and values (no biases), of an FFN of the given shape.
std::int64_t slots(std::int64_t, std::int64_t d_ff) { return d_ff; }
std::int64_t stored_numbers(std::int64_t d_model, std::int64_t d_ff) { return 2 * d_model * d_ff; }

const std::vector<std::string> pieces = {"the rows of W1", "the columns of W1", "the rows of W2", "the columns of W2"};

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Write the FFN output as a sum over the d_ff hidden units. Which pieces of the weights act as
the keys, which as the values, and what decides how strongly each value enters the output?)")
      .choice_answer("a_keys", "the keys", pieces, "the columns of W1")
      .choice_answer("a_values", "the values", pieces, "the rows of W2")
      .choice_answer("a_weights", "the coefficient of value i in the output",
                     {"x itself", "entry i of x W1", "entry i of GELU(x W1)", "entry i of x W2"}, "entry i of GELU(x W1)")
      .hint("Expand the row vector GELU(x W1) times W2 as a combination of the rows of W2.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(How many key-value slots does an FFN with d_model = 512 and d_ff = 2048 hold? Say which
dimension sets the count, then give the count for a wider model with d_model = 768 and d_ff = 4 d_model, and the
number of weights that the keys and values of the first network store together (no biases).)")
      .choice_answer("b_count_is", "the number of slots equals", {"d_model", "d_ff", "d_model x d_ff", "d_ff / d_model"},
                     "d_ff")
      .integer_answer("b_slots_wide", "slots of the FFN with d_model = 768, d_ff = 4 d_model", slots(768, 4 * 768))
      .integer_answer("b_stored", "weights in the keys and values of the d_model = 512, d_ff = 2048 FFN",
                      stored_numbers(512, 2048));
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Use this reading to explain why a larger d_ff helps on tasks that need stored knowledge
(facts, entity attributes). What exactly grows when d_ff grows, and what stays the same?)")
      .choice_answer("c_grows", "what a larger d_ff adds, with d_model fixed",
                     {"longer keys", "longer values", "more key-value pairs", "more attention heads"},
                     "more key-value pairs")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The feed-forward layer as a key-value memory";
  ex.stars = 2;
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::numeric};
  ex.statement = R"(Geva et al. (2021) propose reading a transformer's feed-forward sub-layer as a memory of
key-value pairs. Take the sub-layer as FFN(x) = GELU(x W1) W2 for one position, with x a row vector of length
d_model, W1 of shape d_model x d_ff and W2 of shape d_ff x d_model, and no biases. (In PyTorch's nn.Linear the
stored weight is the transpose: W1 would be kept as d_ff x d_model.))";
  part_a(ex);
  part_b(ex);
  part_c(ex);
}
