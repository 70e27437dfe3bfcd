// 10.1: one query attending over three keys, by hand. Pen and paper: every expected value comes from the
// plain-loop oracles of workbook/oracle/, applied to the vectors of the statement (the query as a 1 x 4 Q).

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"

namespace {

using workbook::Precision;
using workbook::oracle::Matrix;
const Matrix query = {{1, 0, 1, 0}};
const Matrix keys = {{1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}};  // k1, k2, k3 as rows
const Matrix values = {{1, 0}, {0, 1}, {1, 1}};                 // v1, v2, v3 as rows
const double d_k = 4;

// Row 0 of a 1 x n oracle result, as the answer's shape (n,).
xt::xarray<double> first_row(const Matrix& m) { return xt::xarray<double>(workbook::oracle::row(m, 0)); }

xt::xarray<double> raw_scores() {
  return first_row(workbook::oracle::matmul(query, workbook::oracle::transpose(keys)));
}
xt::xarray<double> scaled_scores() { return raw_scores() / std::sqrt(d_k); }
xt::xarray<double> weights() { return first_row(workbook::oracle::attention_weights(query, keys, 1 / std::sqrt(d_k))); }
xt::xarray<double> output() { return first_row(workbook::oracle::attention(query, keys, values, 1 / std::sqrt(d_k))); }

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Scaled dot-product attention by hand";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(One query, q = [1, 0, 1, 0], looks at three keys, k1 = [1, 1, 0, 0], k2 = [0, 0, 1, 1] and
k3 = [1, 0, 1, 0], which carry the values v1 = [1, 0], v2 = [0, 1] and v3 = [1, 1]. Follow a single step of
scaled dot-product attention with pen and paper. The scores of (a) and (b) are exact numbers: write them out in
full. Round the weights of (c) and the output of (d) to 4 significant figures.)";

  ex.part("a", 1, "Find the three dot products q·k_i.")
      .array_answer("a", "q·k1, q·k2, q·k3", {3}, raw_scores, Precision::exact());
  ex.part("b", 1, "Divide each by sqrt(d_k), with d_k = 4.")
      .array_answer("b", "the three scaled scores", {3}, scaled_scores, Precision::exact());
  ex.part("c", 1, "Turn the scaled scores into attention weights with a softmax.")
      .array_answer("c", "alpha_1, alpha_2, alpha_3", {3}, weights, Precision::significant_figures(4))
      .hint("exp(0.5) ≈ 1.6487 and exp(1) ≈ 2.7183; the weights must add up to 1.");
  ex.part("d", 1, "Form the output: the weighted sum of the values.")
      .array_answer("d", "the 2-dimensional output", {2}, output, Precision::significant_figures(4));
  ex.part("e", 1, "Which key gets the largest weight, and why is that what geometry predicts?")
      .choice_answer("e_key", "the key with the largest weight", {"k1", "k2", "k3"}, "k3")
      .manual();
}
