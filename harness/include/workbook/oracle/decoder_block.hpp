#pragma once
// A pre-LN transformer decoder block as its textbook formulas, one sequence at a time, in loops: LayerNorm,
// multi-head attention whose heads are masked attention of attention.hpp on column blocks, and a GELU
// feed-forward network. Header-only (inline), built from the plainer oracles.

#include <cmath>
#include <cstddef>
#include <vector>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle {

// Every row r: gain * (x_r - mean_r) / sqrt(var_r + epsilon) + bias, var_r the mean squared deviation of the row.
inline Matrix layer_norm(const Matrix& x, const Vector& gain, const Vector& bias, double epsilon) {
  const std::size_t d = x.shape(1);
  Matrix out = Matrix::from_shape({x.shape(0), d});
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    double mean = 0, var = 0;
    for (std::size_t c = 0; c < d; ++c) mean += x(r, c);
    mean /= double(d);
    for (std::size_t c = 0; c < d; ++c) var += (x(r, c) - mean) * (x(r, c) - mean);
    var /= double(d);
    for (std::size_t c = 0; c < d; ++c) out(r, c) = gain(c) * (x(r, c) - mean) / std::sqrt(var + epsilon) + bias(c);
  }
  return out;
}

// The exact GELU, t Phi(t) = t (1 + erf(t / sqrt 2)) / 2.
inline double gelu(double t) { return t * (1 + std::erf(t / std::sqrt(2.0))) / 2; }

// x w + b, with b added to every row.
inline Matrix affine(const Matrix& x, const Matrix& w, const Vector& b) {
  Matrix y = matmul(x, w);
  for (std::size_t r = 0; r < y.shape(0); ++r)
    for (std::size_t c = 0; c < y.shape(1); ++c) y(r, c) += b(c);
  return y;
}

// Columns first .. first + count - 1 of m (a copy).
inline Matrix column_block(const Matrix& m, std::size_t first, std::size_t count) {
  Matrix out = Matrix::from_shape({m.shape(0), count});
  for (std::size_t r = 0; r < m.shape(0); ++r)
    for (std::size_t c = 0; c < count; ++c) out(r, c) = m(r, first + c);
  return out;
}

struct LayerNormWeights {
  Vector gain, bias;  // d_model each
};
struct AttentionWeights {
  Matrix w_q, w_k, w_v, w_o;  // d_model x d_model
  Vector b_q, b_k, b_v, b_o;  // d_model
};
struct FeedForwardWeights {
  Matrix w_1;  // d_model x d_ff
  Vector b_1;
  Matrix w_2;  // d_ff x d_model
  Vector b_2;
};
struct DecoderBlockWeights {
  std::size_t n_head = 1;
  LayerNormWeights ln_self, ln_cross, ln_ffn;
  AttentionWeights self_attention, cross_attention;
  FeedForwardWeights ffn;
  double epsilon = 1e-5;  // of every LayerNorm
};

// Multi-head attention: head h attends with columns h d_head .. (h + 1) d_head - 1 of Q = zq w_q + b_q,
// K = zkv w_k + b_k, V = zkv w_v + b_v at scale 1 / sqrt(d_head), over the keys `visible` allows; the heads'
// outputs side by side, times w_o, plus b_o.
inline Matrix multi_head_attention(const Matrix& zq, const Matrix& zkv, const AttentionWeights& w, std::size_t n_head,
                                   const KeyFilter& visible) {
  const Matrix q = affine(zq, w.w_q, w.b_q), k = affine(zkv, w.w_k, w.b_k), v = affine(zkv, w.w_v, w.b_v);
  const std::size_t d_model = q.shape(1), d_head = d_model / n_head;
  Matrix heads = Matrix::from_shape({zq.shape(0), d_model});
  for (std::size_t h = 0; h < n_head; ++h) {
    const Matrix out = masked_attention(column_block(q, h * d_head, d_head), column_block(k, h * d_head, d_head),
                                        column_block(v, h * d_head, d_head), 1 / std::sqrt(double(d_head)), visible);
    for (std::size_t r = 0; r < out.shape(0); ++r)
      for (std::size_t c = 0; c < d_head; ++c) heads(r, h * d_head + c) = out(r, c);
  }
  return affine(heads, w.w_o, w.b_o);
}

// GELU(z w_1 + b_1) w_2 + b_2, row by row.
inline Matrix feed_forward(const Matrix& z, const FeedForwardWeights& f) {
  Matrix hidden = affine(z, f.w_1, f.b_1);
  for (auto& t : hidden) t = gelu(t);
  return affine(hidden, f.w_2, f.b_2);
}

// One sequence through a pre-LN decoder block: x (tgt_len x d_model), memory (src_len x d_model), and
// source_visible[j] for every source position j.
//   u = x + SelfAttn(LN_self(x))            causal: target i sees targets 0 .. i
//   v = u + CrossAttn(LN_cross(u), memory)  target i sees source j when source_visible[j]
//   out = v + FFN(LN_ffn(v))
inline Matrix pre_ln_decoder_block(const Matrix& x, const Matrix& memory, const std::vector<bool>& source_visible,
                                   const DecoderBlockWeights& w) {
  const auto normalise = [&](const Matrix& m, const LayerNormWeights& ln) {
    return layer_norm(m, ln.gain, ln.bias, w.epsilon);
  };
  const Matrix z = normalise(x, w.ln_self);
  const Matrix u = x + multi_head_attention(z, z, w.self_attention, w.n_head,
                                            [](std::size_t i, std::size_t j) { return j <= i; });
  const Matrix v = u + multi_head_attention(normalise(u, w.ln_cross), memory, w.cross_attention, w.n_head,
                                            [&](std::size_t, std::size_t j) { return bool(source_visible[j]); });
  return v + feed_forward(normalise(v, w.ln_ffn), w.ffn);
}

}  // namespace workbook::oracle
