// Reference solution for arch13/13: the block written as its two residual updates, each sub-layer reading a
// normalised copy of the stream and adding its result back.

#include "arch13/13/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace arch13_13 {

namespace {

Matrix layer_norm(const Matrix& x, const Vector& w, const Vector& b) {
  Matrix out = x;
  for (std::size_t t = 0; t < x.shape(0); ++t) {
    auto row = xt::row(out, t);
    const double mean = xt::mean(row)();
    const double variance = xt::mean(xt::square(row - mean))();
    row = (row - mean) / std::sqrt(variance + 1e-5) * w + b;
  }
  return out;
}

// x W^T + b, row by row.
Matrix linear(const Matrix& x, const Matrix& w, const Vector& b) {
  Matrix out = xt::linalg::dot(x, xt::transpose(w));
  return out + b;
}

double gelu(double u) {
  const double c = std::sqrt(2.0 / M_PI);
  return 0.5 * u * (1 + std::tanh(c * (u + 0.044715 * u * u * u)));
}

// Causal multi-head attention of one sequence; qkv is (T, 3C).
Matrix causal_attention(const Matrix& qkv, std::size_t n_head) {
  const std::size_t t_len = qkv.shape(0), c = qkv.shape(1) / 3, d = c / n_head;
  const double scale = 1.0 / std::sqrt(double(d));
  Matrix out = xt::zeros<double>({t_len, c});
  for (std::size_t h = 0; h < n_head; ++h) {
    const std::size_t q0 = h * d, k0 = c + h * d, v0 = 2 * c + h * d;
    for (std::size_t i = 0; i < t_len; ++i) {
      std::vector<double> w(i + 1);
      double largest = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j <= i; ++j) {
        double score = 0;
        for (std::size_t e = 0; e < d; ++e) score += qkv(i, q0 + e) * qkv(j, k0 + e);
        w[j] = score * scale;
        largest = std::max(largest, w[j]);
      }
      double total = 0;
      for (auto& x : w) total += (x = std::exp(x - largest));
      for (std::size_t j = 0; j <= i; ++j)
        for (std::size_t e = 0; e < d; ++e) out(i, q0 + e) += w[j] / total * qkv(j, v0 + e);
    }
  }
  return out;
}

}  // namespace

Batch block_forward(const Batch& x, const Block& block) {
  Batch out = xt::zeros_like(x);
  for (std::size_t s = 0; s < x.shape(0); ++s) {
    const Matrix stream = xt::view(x, s);
    const Matrix qkv = linear(layer_norm(stream, block.ln_1_w, block.ln_1_b), block.c_attn_w, block.c_attn_b);
    const Matrix a = stream + linear(causal_attention(qkv, block.n_head), block.c_proj_w, block.c_proj_b);
    Matrix hidden = linear(layer_norm(a, block.ln_2_w, block.ln_2_b), block.fc_w, block.fc_b);
    for (auto& u : hidden) u = gelu(u);
    xt::view(out, s) = a + linear(hidden, block.fc_proj_w, block.fc_proj_b);
  }
  return out;
}

}  // namespace arch13_13
