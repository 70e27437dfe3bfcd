// Reference solution for ch10/10.13: a pre-LN decoder block, one sequence at a time. Each sub-layer normalises the
// stream it reads and adds its output back to the unnormalised stream; masks are -infinity before the softmax.

#include "ch10/10.13/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch10_13 {

namespace {

using Real = double;  // the precision of the whole computation
using Rows = xt::xtensor<Real, 2>;
using Mask = xt::xtensor<bool, 2>;  // visible(i, j): query i may see key j

constexpr Real epsilon = 1e-5;

Rows layer_norm(const Rows& x, const LayerNorm& ln) {
  Rows out = Rows::from_shape(x.shape());
  const std::size_t d = x.shape(1);
  for (std::size_t i = 0; i < x.shape(0); ++i) {
    Real mean = 0, var = 0;
    for (std::size_t c = 0; c < d; ++c) mean += x(i, c);
    mean /= Real(d);
    for (std::size_t c = 0; c < d; ++c) var += (x(i, c) - mean) * (x(i, c) - mean);
    var /= Real(d);
    const Real inv = 1 / std::sqrt(var + epsilon);
    for (std::size_t c = 0; c < d; ++c) out(i, c) = Real(ln.gain(c)) * (x(i, c) - mean) * inv + Real(ln.bias(c));
  }
  return out;
}

// x w + b, b added to every row.
Rows affine(const Rows& x, const Matrix& w, const Vector& b) {
  const Rows w_r = xt::cast<Real>(w);
  const xt::xtensor<Real, 1> b_r = xt::cast<Real>(b);
  Rows y = xt::linalg::dot(x, w_r);
  y += b_r;
  return y;
}

void softmax_rows_in_place(Rows& s) {
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    auto row = xt::row(s, i);
    const Real top = xt::amax(row)();
    row = xt::exp(row - top);
    const Real sum = xt::sum(row)();
    row /= sum;
  }
}

Rows multi_head_attention(const Rows& zq, const Rows& zkv, const Attention& w, std::size_t n_head, const Mask& visible) {
  const Rows q = affine(zq, w.w_q, w.b_q), k = affine(zkv, w.w_k, w.b_k), v = affine(zkv, w.w_v, w.b_v);
  const std::size_t d_head = q.shape(1) / n_head;
  Rows heads = Rows::from_shape({zq.shape(0), q.shape(1)});  // (n_q, d_model)
  for (std::size_t h = 0; h < n_head; ++h) {
    const std::size_t first = h * d_head, last = first + d_head;  // this head's columns
    const Rows q_h = xt::view(q, xt::all(), xt::range(first, last)), v_h = xt::view(v, xt::all(), xt::range(first, last));
    const Rows k_h_t = xt::transpose(Rows(xt::view(k, xt::all(), xt::range(first, last))));
    Rows scores = xt::linalg::dot(q_h, k_h_t) / std::sqrt(Real(d_head));  // (n_q, n_k)
    for (std::size_t i = 0; i < scores.shape(0); ++i)
      for (std::size_t j = 0; j < scores.shape(1); ++j)
        if (!visible(i, j)) scores(i, j) = -std::numeric_limits<Real>::infinity();
    softmax_rows_in_place(scores);
    xt::view(heads, xt::all(), xt::range(first, last)) = xt::linalg::dot(scores, v_h);
  }
  return affine(heads, w.w_o, w.b_o);
}

Rows feed_forward(const Rows& z, const FeedForward& f) {
  Rows hidden = affine(z, f.w_1, f.b_1);
  for (auto& u : hidden) u = u * (1 + std::erf(u / std::sqrt(Real(2)))) / 2;
  return affine(hidden, f.w_2, f.b_2);
}

}  // namespace

Batch decoder_block(const Batch& x, const Batch& memory, const xt::xtensor<bool, 2>& source_visible,
                    const DecoderBlock& block) {
  const std::size_t tgt_len = x.shape(1), src_len = memory.shape(1);
  Mask causal = Mask::from_shape({tgt_len, tgt_len});
  for (std::size_t i = 0; i < tgt_len; ++i)
    for (std::size_t j = 0; j < tgt_len; ++j) causal(i, j) = j <= i;
  Batch out = Batch::from_shape(x.shape());
  for (std::size_t b = 0; b < x.shape(0); ++b) {
    Mask to_source = Mask::from_shape({tgt_len, src_len});  // the same padding for every target position
    for (std::size_t i = 0; i < tgt_len; ++i)
      for (std::size_t j = 0; j < src_len; ++j) to_source(i, j) = source_visible(b, j);
    const Rows stream = xt::cast<Real>(xt::view(x, b, xt::all(), xt::all()));
    const Rows enc = xt::cast<Real>(xt::view(memory, b, xt::all(), xt::all()));

    const Rows z_self = layer_norm(stream, block.ln_self);
    const Rows u = stream + multi_head_attention(z_self, z_self, block.self_attention, block.n_head, causal);
    const Rows v = u + multi_head_attention(layer_norm(u, block.ln_cross), enc, block.cross_attention, block.n_head,
                                            to_source);
    const Rows y = v + feed_forward(layer_norm(v, block.ln_ffn), block.ffn);
    xt::view(out, b, xt::all(), xt::all()) = xt::cast<double>(y);
  }
  return out;
}

}  // namespace ch10_13
