// Reference solution for ch10/10.4: h heads of width d_model / h, each by scaled dot-product attention.

#include "ch10/10.4/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

namespace ch10_4 {

namespace {

xt::xtensor<double, 2> gaussian(std::size_t rows, std::size_t cols, double spread, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, spread);
  xt::xtensor<double, 2> m = xt::zeros<double>({rows, cols});
  for (auto& v : m) v = normal(rng);
  return m;
}

xt::xtensor<double, 2> matmul(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b) {
  xt::xtensor<double, 2> c = xt::zeros<double>({a.shape(0), b.shape(1)});
  for (std::size_t i = 0; i < a.shape(0); ++i)
    for (std::size_t k = 0; k < a.shape(1); ++k)
      for (std::size_t j = 0; j < b.shape(1); ++j) c(i, j) += a(i, k) * b(k, j);
  return c;
}

// softmax(Q K^T / sqrt(d_k)) V for one head.
xt::xtensor<double, 2> head(const xt::xtensor<double, 2>& q, const xt::xtensor<double, 2>& k,
                            const xt::xtensor<double, 2>& v) {
  xt::xtensor<double, 2> scores = matmul(q, xt::xtensor<double, 2>(xt::transpose(k))) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; i < scores.shape(0); ++i) {
    double top = scores(i, 0), sum = 0;
    for (std::size_t j = 0; j < scores.shape(1); ++j) top = std::max(top, scores(i, j));
    for (std::size_t j = 0; j < scores.shape(1); ++j) sum += scores(i, j) = std::exp(scores(i, j) - top);
    for (std::size_t j = 0; j < scores.shape(1); ++j) scores(i, j) /= sum;
  }
  return matmul(scores, v);
}

}  // namespace

MultiHeadAttention make_multi_head_attention(std::size_t d_model, std::size_t heads, std::mt19937_64& rng) {
  const std::size_t d_k = d_model / heads;  // the heads share the model width
  const double spread = 1 / std::sqrt(double(d_model));
  MultiHeadAttention layer;
  for (std::size_t i = 0; i < heads; ++i) {
    layer.w_q.push_back(gaussian(d_model, d_k, spread, rng));
    layer.w_k.push_back(gaussian(d_model, d_k, spread, rng));
    layer.w_v.push_back(gaussian(d_model, d_k, spread, rng));
  }
  layer.w_o = gaussian(heads * d_k, d_model, spread, rng);
  return layer;
}

xt::xtensor<double, 2> multi_head_attention(const xt::xtensor<double, 2>& x, const MultiHeadAttention& layer) {
  const std::size_t heads = layer.w_q.size(), d_v = layer.w_v.front().shape(1);
  xt::xtensor<double, 2> joined = xt::zeros<double>({x.shape(0), heads * d_v});
  for (std::size_t i = 0; i < heads; ++i)
    xt::view(joined, xt::all(), xt::range(i * d_v, (i + 1) * d_v)) =
        head(matmul(x, layer.w_q[i]), matmul(x, layer.w_k[i]), matmul(x, layer.w_v[i]));
  return matmul(joined, layer.w_o);
}

}  // namespace ch10_4
