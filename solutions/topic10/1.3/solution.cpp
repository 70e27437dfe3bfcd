// Reference solution for topic10/1.3.

#include "topic10/1.3/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace topic10_1_3 {

xt::xtensor<double, 2> softmax_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                         const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return xt::linalg::dot(weights, v);
}

xt::xtensor<double, 2> linear_attention(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                                        const xt::xtensor<double, 2>& v) {
  const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k));  // n x n
  return xt::linalg::dot(scores, v);
}

xt::xtensor<double, 2> multi_head_attention(const xt::xtensor<double, 2>& x,
                                            const std::vector<xt::xtensor<double, 2>>& w_q,
                                            const std::vector<xt::xtensor<double, 2>>& w_k,
                                            const std::vector<xt::xtensor<double, 2>>& w_v,
                                            const xt::xtensor<double, 2>& w_o, Scores scores) {
  const std::size_t heads = w_q.size(), d_v = w_v.front().shape(1);
  xt::xtensor<double, 2> concat = xt::zeros<double>({x.shape(0), heads * d_v});  // n x (H d_v)
  for (std::size_t h = 0; h < heads; ++h) {
    const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q[h]), k = xt::linalg::dot(x, w_k[h]),
                                 v = xt::linalg::dot(x, w_v[h]);
    xt::view(concat, xt::all(), xt::range(h * d_v, (h + 1) * d_v)) =
        scores == Scores::softmax ? softmax_attention(q, k, v) : linear_attention(q, k, v);
  }
  return xt::linalg::dot(concat, w_o);
}

}  // namespace topic10_1_3
