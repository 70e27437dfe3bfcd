// Wrong on purpose, three common slips: softmax_attention returns the weight matrix and forgets to apply it
// to V; linear_attention exponentiates the scores (an unnormalised softmax, not a linear map); and
// multi_head_attention returns the concatenated heads without the output projection W_o.

#include "topic10/1.3/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.3",
    {"a/softmax", "a/linear", "b/single head", "c/your Z", "d/multi-head", "d/rank bound"}};

namespace topic10_1_3 {

xt::xtensor<double, 2> softmax_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                         const xt::xtensor<double, 2>&) {
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

xt::xtensor<double, 2> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> scores = xt::exp(xt::linalg::dot(q, xt::transpose(k)));
  return xt::linalg::dot(scores, v);
}

xt::xtensor<double, 2> multi_head_attention(const xt::xtensor<double, 2>& x,
                                            const std::vector<xt::xtensor<double, 2>>& w_q,
                                            const std::vector<xt::xtensor<double, 2>>& w_k,
                                            const std::vector<xt::xtensor<double, 2>>& w_v,
                                            const xt::xtensor<double, 2>&, Scores scores) {
  const std::size_t heads = w_q.size(), d_v = w_v.front().shape(1);
  xt::xtensor<double, 2> concat = xt::zeros<double>({x.shape(0), heads * d_v});
  for (std::size_t h = 0; h < heads; ++h) {
    const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q[h]), k = xt::linalg::dot(x, w_k[h]),
                                 v = xt::linalg::dot(x, w_v[h]);
    xt::xtensor<double, 2> weights = xt::linalg::dot(q, xt::transpose(k));
    if (scores == Scores::softmax) {
      weights = xt::exp(weights / std::sqrt(double(q.shape(1))));
      const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
      weights /= row_sum;
    }
    xt::view(concat, xt::all(), xt::range(h * d_v, (h + 1) * d_v)) = xt::linalg::dot(weights, v);
  }
  return concat;  // the slip: no W_o
}

}  // namespace topic10_1_3
