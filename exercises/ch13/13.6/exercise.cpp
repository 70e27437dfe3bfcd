// 13.6: what a position code is for. The plain-English description is graded with a rubric; its checkable core is
// what a position-free layer can and cannot tell apart, settled here by computation with the plain-loop oracle
// (workbook::oracle::self_attention, sinusoidal_table): one attention layer with fixed random weights on
// "dog bites man" and "man bites dog", with and without a sinusoidal code, with and without a causal mask, and
// the orderings of "the cat sat on the mat" that leave the averaged output unchanged. The expected choices are
// the outcomes of those computations (differences below 1e-12 count as equal, above 1e-3 as different).

#include <algorithm>
#include <cmath>
#include <set>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/positional.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using workbook::oracle::Matrix;
constexpr std::size_t width = 4;

// A tiny model: a random embedding per word and one attention layer with random weights (a fixed seed: the
// outcome is a fact about position-free attention, not about these numbers).
struct TinyModel {
  Matrix embeddings, w_q, w_k, w_v;
};

TinyModel tiny_model() {
  std::mt19937_64 rng(1306);
  return {workbook::oracle::gaussian_matrix(8, width, rng), workbook::oracle::gaussian_matrix(width, width, rng, 0.5),
          workbook::oracle::gaussian_matrix(width, width, rng, 0.5), workbook::oracle::gaussian_matrix(width, width, rng, 0.5)};
}

enum Word : std::size_t { dog, bites, man, the, cat, sat, on, mat };

// The layer's outputs for a sentence: one row per token.
Matrix outputs(const std::vector<std::size_t>& sentence, bool positions, bool causal) {
  static const TinyModel model = tiny_model();
  Matrix x = Matrix::from_shape({sentence.size(), width});
  for (std::size_t i = 0; i < sentence.size(); ++i)
    for (std::size_t c = 0; c < width; ++c) x(i, c) = model.embeddings(sentence[i], c);
  if (positions) x += workbook::oracle::sinusoidal_table(0, sentence.size(), width, 10000);
  return workbook::oracle::self_attention(x, model.w_q, model.w_k, model.w_v, causal);
}

xt::xtensor<double, 1> average_row(const Matrix& m) { return xt::xtensor<double, 1>(workbook::oracle::row_sums(workbook::oracle::transpose(m)) / double(m.shape(0))); }

double gap(const xt::xtensor<double, 1>& a, const xt::xtensor<double, 1>& b) { return xt::amax(xt::abs(a - b))(); }

// "yes" when the output at "dog" is the same in "dog bites man" (position 0) and "man bites dog" (position 2).
std::string dog_output_same(bool positions, bool causal) {
  const auto first = outputs({dog, bites, man}, positions, causal), second = outputs({man, bites, dog}, positions, causal);
  const double g = gap(workbook::oracle::row(first, 0), workbook::oracle::row(second, 2));
  if (g < 1e-12) return "yes";
  if (g > 1e-3) return "no";
  throw std::logic_error("13.6: an output gap between 1e-12 and 1e-3 settles nothing");
}

std::string average_same() {
  const double g = gap(average_row(outputs({dog, bites, man}, false, false)), average_row(outputs({man, bites, dog}, false, false)));
  return g < 1e-12 ? "yes" : "no";
}

// Orderings of "the cat sat on the mat" (as word sequences: the two "the" are the same word) whose averaged output,
// without positions, equals the original's.
std::int64_t same_average_orderings() {
  std::vector<std::size_t> words = {the, cat, sat, on, the, mat};
  const auto reference = average_row(outputs(words, false, false));
  std::sort(words.begin(), words.end());
  std::int64_t count = 0;
  do count += gap(average_row(outputs(words, false, false)), reference) < 1e-12;
  while (std::next_permutation(words.begin(), words.end()));  // visits each distinct sequence once
  return count;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "What positional encoding is for";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::numeric};
  ex.statement = R"(Self-attention compares tokens by their content: each token's output is a weighted mix of the
others' values, with weights that depend on what the tokens are, not on where they stand. Positional encoding is the
fix. The questions below take one attention layer with fixed random weights and look at what it can tell apart
with and without position information added to the token embeddings.)";
  ex.part("a", 3, R"(Without a single formula, say what a positional encoding adds to a Transformer's input, and why,
as is often said, the model is lost without one (parts (b) and (c) test how far that holds).)")
      .manual();
  ex.part("b", 2, R"(No position information. Feed "dog bites man" and then "man bites dog" through the layer. Is the
output vector at the word "dog" the same in both sentences? Is the average of the output vectors the same? And how
many orderings of "the cat sat on the mat" (six tokens; count word sequences, the original included) give exactly
the same average output as the original?)")
      .choice_answer("b_dog_same", "same output at \"dog\" in both sentences?", {"yes", "no"}, dog_output_same(false, false))
      .choice_answer("b_average_same", "same average output for both sentences?", {"yes", "no"}, average_same())
      .integer_answer("b_orderings", "orderings of \"the cat sat on the mat\" with the original's average output",
                      same_average_orderings())
      .hint("Reordering the tokens only reorders the outputs (see 13.2); an average does not see order. Count the "
            "distinct arrangements of six words of which two are the same.");
  ex.part("c", 1, R"(Now add a sinusoidal position code to each embedding: is the output at "dog" still the same in the
two sentences? And without any position code but with a causal mask (each token attends only to itself and the
tokens before it), as in a decoder-only language model?)")
      .choice_answer("c_with_positions", "same output at \"dog\" with a sinusoidal code added?", {"yes", "no"},
                     dog_output_same(true, false))
      .choice_answer("c_causal_no_positions", "same output at \"dog\" with a causal mask and no position code?",
                     {"yes", "no"}, dog_output_same(false, true));
}
