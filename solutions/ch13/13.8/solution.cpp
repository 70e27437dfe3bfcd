// Reference solution for ch13/13.8: linear self-attention, one token matrix of the batch at a time.

#include "ch13/13.8/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch13_8 {

xt::xtensor<double, 3> linear_self_attention(const xt::xtensor<double, 3>& tokens, const xt::xtensor<double, 2>& w_q,
                                             const xt::xtensor<double, 2>& w_k, const xt::xtensor<double, 2>& w_v) {
  const std::size_t batch = tokens.shape(0), n = tokens.shape(1);
  xt::xtensor<double, 3> out = xt::zeros<double>({batch, n, w_v.shape(1)});
  for (std::size_t b = 0; b < batch; ++b) {
    const xt::xtensor<double, 2> z = xt::view(tokens, b, xt::all(), xt::all());
    const xt::xtensor<double, 2> q = xt::linalg::dot(z, w_q), k = xt::linalg::dot(z, w_k), v = xt::linalg::dot(z, w_v);
    const xt::xtensor<double, 2> scores = xt::linalg::dot(q, xt::transpose(k));
    xt::view(out, b, xt::all(), xt::all()) = xt::linalg::dot(scores, v);
  }
  return out;
}

}  // namespace ch13_8
