// Reference solution for ch13/13.2: scaled dot-product self-attention, one input of the batch at a time.

#include "ch13/13.2/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch13_2 {

namespace {

// softmax along each row, with the row maximum subtracted first (stored before broadcasting).
xt::xtensor<double, 2> softmax_rows(const xt::xtensor<double, 2>& scores) {
  const xt::xtensor<double, 2> row_max = xt::amax(scores, {1}, xt::keep_dims);
  xt::xtensor<double, 2> weights = xt::exp(scores - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

}  // namespace

xt::xtensor<double, 3> self_attention(const xt::xtensor<double, 3>& xs, const xt::xtensor<double, 2>& w_q,
                                      const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v) {
  const std::size_t batch = xs.shape(0), n = xs.shape(1);
  xt::xtensor<double, 3> out = xt::zeros<double>({batch, n, w_v.shape(1)});
  const double scale = 1 / std::sqrt(double(w_k.shape(1)));
  for (std::size_t b = 0; b < batch; ++b) {
    const xt::xtensor<double, 2> x = xt::view(xs, b, xt::all(), xt::all());
    const xt::xtensor<double, 2> q = xt::linalg::dot(x, w_q), k = xt::linalg::dot(x, w_k), v = xt::linalg::dot(x, w_v);
    const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k)) * scale;
    xt::view(out, b, xt::all(), xt::all()) = xt::linalg::dot(softmax_rows(scores), v);
  }
  return out;
}

}  // namespace ch13_2
