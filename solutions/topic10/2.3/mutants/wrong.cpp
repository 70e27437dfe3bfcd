// Wrong on purpose, two slips a student can make here:
// - the layer leaves out the softmax (scores used directly as weights, i.e. linear attention), so it
//   no longer averages the tokens: the activations grow cubically with depth instead of collapsing;
// - the singular values come from the eigenvalues of X^T X (xt::linalg::eigh), which are in increasing
//   order and number d, not min(n, d), and can be slightly negative (sqrt gives NaN).

#include "topic10/2.3/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/2.3",
    {"a/oracle", "a/full size", "b/known spectrum", "b/wide", "c/sigma ratio", "c/residual", "c/ten draws",
     "d/numerical rank"}};

namespace topic10_2_3 {

xt::xtensor<double, 2> attention_layer(const xt::xtensor<double, 2>& x, const xt::xtensor<double, 2>& w_q,
                                       const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v) {
  const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q), k = xt::linalg::dot(x, w_k), v = xt::linalg::dot(x, w_v);
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(w_q.shape(1)));
  return xt::linalg::dot(scores, v);
}

xt::xtensor<double, 1> singular_values(const xt::xtensor<double, 2>& x) {
  const xt::xtensor<double, 2> gram = xt::linalg::dot(xt::transpose(x), x);  // (d, d)
  const xt::xtensor<double, 1> eigenvalues = std::get<0>(xt::linalg::eigh(gram));
  return xt::sqrt(eigenvalues);
}

}  // namespace topic10_2_3
