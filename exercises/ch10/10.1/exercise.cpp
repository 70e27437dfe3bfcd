// 10.1: one query attending over three keys, by hand. Pen and paper: every expected value comes from
// the plain oracle below, computed directly from the vectors in the statement.

#include "workbook/oracle.hpp"

namespace {

using workbook::oracle::Vector;
const Vector query = {1, 0, 1, 0};
const std::vector<Vector> keys = {{1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}};
const std::vector<Vector> values = {{1, 0}, {0, 1}, {1, 1}};
const double d_k = 4;

Vector raw_scores() {
  Vector s;
  for (const auto& k : keys) s.push_back(workbook::oracle::dot(query, k));
  return s;
}

Vector scaled_scores() {
  auto s = raw_scores();
  for (auto& x : s) x /= std::sqrt(d_k);
  return s;
}

Vector output() {
  const auto w = workbook::oracle::softmax(scaled_scores());
  Vector out(2, 0.0);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t c = 0; c < 2; ++c) out[c] += w[i] * values[i][c];
  return out;
}

// Answers written by hand are checked to four significant figures.
const workbook::Tolerance four_figures{5e-4, 1e-9};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::oracle::to_array;
  ex.title = "Scaled dot-product attention by hand";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement =
      "A single query q = [1, 0, 1, 0] attends over three keys k1 = [1, 1, 0, 0], k2 = [0, 0, 1, 1], "
      "k3 = [1, 0, 1, 0], whose values are v1 = [1, 0], v2 = [0, 1], v3 = [1, 1]. Work through one "
      "attention step by hand. Give decimals to at least four significant figures.";

  ex.part("a", 1, "Find the three dot products q·k_i.")
      .array_answer("a", "q·k1, q·k2, q·k3", {3}, [] { return to_array(raw_scores()); });
  ex.part("b", 1, "Divide each by sqrt(d_k), with d_k = 4.")
      .array_answer("b", "the three scaled scores", {3}, [] { return to_array(scaled_scores()); });
  ex.part("c", 1, "Turn the scaled scores into attention weights with a softmax.")
      .array_answer("c", "alpha_1, alpha_2, alpha_3", {3},
                    [] { return to_array(workbook::oracle::softmax(scaled_scores())); }, four_figures)
      .hint("exp(0.5) ≈ 1.6487 and exp(1) ≈ 2.7183; the weights must add up to 1.");
  ex.part("d", 1, "Form the output: the weighted sum of the values.")
      .array_answer("d", "the 2-dimensional output", {2}, [] { return to_array(output()); }, four_figures);
  ex.part("e", 1, "Which key gets the largest weight, and why is that what geometry predicts?")
      .choice_answer("e_key", "the key with the largest weight", {"k1", "k2", "k3"}, "k3")
      .manual();
}
