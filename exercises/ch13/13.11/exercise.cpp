// 13.11: attention with Q = K = V = I_2 by hand. The oracle computes softmax(Q K^T / sqrt(d_k)) V with
// plain loops; the closed form is a = e^{1/sqrt 2} / (e^{1/sqrt 2} + 1) on the diagonal, 1 - a off it.

#include "workbook/oracle.hpp"

namespace {
using workbook::oracle::Matrix;
const Matrix identity = {{1, 0}, {0, 1}};

Matrix scaled_scores() {
  Matrix s(2, workbook::oracle::Vector(2));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 2; ++j) s[i][j] = workbook::oracle::dot(identity[i], identity[j]) / std::sqrt(2.0);
  return s;
}
const workbook::Tolerance four_figures{5e-4, 1e-9};
}  // namespace

WORKBOOK_EXERCISE {
  using workbook::oracle::to_array;
  ex.title = "Attention with Q = K = V = I by hand";
  ex.tags = {workbook::Tag::numeric};
  ex.statement =
      "Let Q = K = V be the 2 x 2 identity matrix, so d_k = 2. Work out softmax(Q K^T / sqrt(d_k)) V by "
      "hand, row by row. Give decimals to at least four significant figures.";
  ex.part("a", 1, "Write down the scaled score matrix Q K^T / sqrt(d_k).")
      .array_answer("a", "the 2 x 2 scaled scores", {2, 2}, [] { return to_array(scaled_scores()); }, four_figures);
  ex.part("b", 2, "Apply the row-wise softmax and multiply by V: the attention output.")
      .array_answer("b", "the 2 x 2 output", {2, 2},
                    [] { return to_array(workbook::oracle::attention(identity, identity, identity, 1 / std::sqrt(2.0))); },
                    four_figures)
      .hint("Each row holds 1/sqrt(2) ≈ 0.7071 once and 0 once; with V = I the output equals the weights.");
}
