// Reference solution for ch10/10.17: a pre-LN encoder written as reads from and writes to the residual stream,
// with the stream's terms, a pipeline wiring, and perturbations that may or may not enter the sub-layers.

#include "ch10/10.17/interface.hpp"

#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch10_17 {

namespace {

using Matrix = xt::xtensor<double, 2>;
using xt::linalg::dot;

Matrix layer_norm(const Matrix& x) {
  Matrix out = x;
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    auto row = xt::row(out, r);
    const double mean = xt::mean(row)();
    row -= mean;
    const double var = xt::mean(row * row)();
    row /= std::sqrt(var + 1e-5);
  }
  return out;
}

Matrix softmax_rows(Matrix s) {
  for (std::size_t r = 0; r < s.shape(0); ++r) {
    auto row = xt::row(s, r);
    const double top = xt::amax(row)();
    row = xt::exp(row - top);
    const double sum = xt::sum(row)();
    row /= sum;
  }
  return s;
}

// A(x): what the attention sub-layer writes, reading x through its LayerNorm.
Matrix attention_write(const Matrix& x, const Layer& layer) {
  const Matrix z = layer_norm(x);
  const Matrix q = dot(z, layer.w_q), k = dot(z, layer.w_k), v = dot(z, layer.w_v);
  const Matrix k_t = xt::transpose(k);
  const Matrix weights = softmax_rows(dot(q, k_t) / std::sqrt(double(x.shape(1))));
  return dot(dot(weights, v), layer.w_o);
}

// F(x): what the FFN sub-layer writes.
Matrix ffn_write(const Matrix& x, const Layer& layer) {
  Matrix hidden = dot(layer_norm(x), layer.w_1);
  hidden = hidden * (1 + xt::erf(hidden / std::sqrt(2.0))) / 2;
  return dot(hidden, layer.w_2);
}

// The stream after one sub-layer: added to (residual) or replaced by (pipeline) what the sub-layer writes.
Matrix after(const Matrix& stream, const Matrix& written, Wiring wiring) {
  return wiring == Wiring::residual ? Matrix(stream + written) : written;
}

}  // namespace

xt::xtensor<double, 3> stream_terms(const xt::xtensor<double, 2>& x0, const std::vector<Layer>& layers) {
  xt::xtensor<double, 3> terms = xt::zeros<double>({2 * layers.size() + 1, x0.shape(0), x0.shape(1)});
  xt::view(terms, 0) = x0;
  Matrix x = x0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Matrix a = attention_write(x, layers[l]);
    const Matrix u = x + a;
    const Matrix f = ffn_write(u, layers[l]);
    x = u + f;
    xt::view(terms, 2 * l + 1) = a;
    xt::view(terms, 2 * l + 2) = f;
  }
  return terms;
}

xt::xtensor<double, 3> layer3_attention_input(const xt::xtensor<double, 2>& x0, const std::vector<Layer>& layers,
                                              Wiring wiring, Point point, Routes routes,
                                              const xt::xtensor<double, 3>& deltas) {
  // The writes of layers 1 and 2 on the unperturbed stream, for Routes::stream_only.
  std::vector<Matrix> clean_writes;
  Matrix clean = x0;
  for (std::size_t l = 0; l < 2; ++l) {
    clean_writes.push_back(attention_write(clean, layers[l]));
    clean = after(clean, clean_writes.back(), wiring);
    clean_writes.push_back(ffn_write(clean, layers[l]));
    clean = after(clean, clean_writes.back(), wiring);
  }

  xt::xtensor<double, 3> reads = xt::zeros<double>(deltas.shape());
  for (std::size_t i = 0; i < deltas.shape(0); ++i) {
    const Matrix delta = xt::view(deltas, i);
    Matrix x = point == Point::embedding ? Matrix(x0 + delta) : Matrix(x0);
    for (std::size_t l = 0; l < 2; ++l) {
      x = after(x, routes == Routes::all ? attention_write(x, layers[l]) : clean_writes[2 * l], wiring);
      x = after(x, routes == Routes::all ? ffn_write(x, layers[l]) : clean_writes[2 * l + 1], wiring);
      if (l == 0 && point == Point::after_ffn_1) x += delta;
    }
    xt::view(reads, i) = x;
  }
  return reads;
}

}  // namespace ch10_17
