// 13.11: attention with Q = K = V = I_2 by hand. The oracles (workbook/oracle/) compute
// softmax(Q K^T / sqrt(d_k)) V with plain loops; the closed form is a = e^{1/sqrt 2} / (e^{1/sqrt 2} + 1) on the
// diagonal and 1 - a off it.

#include <cmath>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"

namespace {

using workbook::Precision;
using workbook::oracle::Matrix;
const Matrix identity = {{1, 0}, {0, 1}};
const double d_k = 2;

xt::xarray<double> scaled_scores() {
  return xt::xarray<double>(workbook::oracle::matmul(identity, workbook::oracle::transpose(identity)) / std::sqrt(d_k));
}
xt::xarray<double> output() {
  return xt::xarray<double>(workbook::oracle::attention(identity, identity, identity, 1 / std::sqrt(d_k)));
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Attention with Q = K = V = I by hand";
  ex.tags = {workbook::Tag::numeric};
  ex.statement = R"(Take Q, K and V all equal to the 2 x 2 identity matrix, so that d_k = 2, and evaluate
softmax(Q K^T / sqrt(d_k)) V with pen and paper, one row at a time. Round every entry to 4 decimal places.)";
  ex.part("a", 1, "Write down the scaled score matrix Q K^T / sqrt(d_k).")
      .array_answer("a", "the 2 x 2 scaled scores", {2, 2}, scaled_scores, Precision::decimal_places(4));
  ex.part("b", 2, "Apply the row-wise softmax and multiply by V: the attention output.")
      .array_answer("b", "the 2 x 2 output", {2, 2}, output, Precision::decimal_places(4))
      .hint("Q K^T is the identity again, so every row of scores has one nonzero entry, 1/sqrt(d_k), and one zero; "
            "with V = I the output equals the weights.");
}
