// Reference solution for ch13/13.20: a causal self-attention module, its attention written by hand and on the
// library's kernel. The projections are shared; only the attention core differs.
// Backward of the core, per (sequence, head), with P = softmax(S), S = c q k^T (masked), c = 1 / sqrt(D):
//   dv = P^T dy,  dP = dy v^T,  dS = P * (dP - rowsum(P * dP)),  dq = c dS k,  dk = c dS^T q.

#include "ch13/13.20/interface.hpp"

#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "nn/attention.hpp"

namespace ch13_20 {

namespace {

// ---- the projections, shared by both versions ------------------------------------------------------------

// x W^T + b: (N, in) -> (N, out).
Matrix linear(const Matrix& x, const Matrix& w, const Vector& b) {
  Matrix y = xt::linalg::dot(x, xt::transpose(w));
  y += xt::view(b, xt::newaxis(), xt::all());
  return y;
}

Matrix columns(const Matrix& m, std::size_t begin, std::size_t width) {
  return xt::view(m, xt::all(), xt::range(begin, begin + width));
}

struct Qkv {
  Matrix q, k, v;  // (N, C) each
};

Qkv project(const Matrix& x, const AttentionParams& p) {
  const std::size_t c = x.shape(1);
  const Matrix qkv = linear(x, p.c_attn_w, p.c_attn_b);
  return {columns(qkv, 0, c), columns(qkv, c, c), columns(qkv, 2 * c, c)};
}

// The module's backward around a core's gradients: datt -> (dq, dk, dv) is the core's, the rest is shared.
template <class CoreBackward>
AttentionParamGrads module_backward(const Matrix& dout, const Matrix& x, const AttentionParams& p, const Matrix& att,
                                    const CoreBackward& core_backward) {
  AttentionParamGrads g;
  g.dc_proj_w = xt::linalg::dot(xt::transpose(dout), att);
  g.dc_proj_b = xt::sum(dout, {0});
  const Matrix datt = xt::linalg::dot(dout, p.c_proj_w);
  const Qkv d = core_backward(datt);
  const Matrix dqkv = xt::concatenate(xt::xtuple(d.q, d.k, d.v), 1);
  g.dc_attn_w = xt::linalg::dot(xt::transpose(dqkv), x);
  g.dc_attn_b = xt::sum(dqkv, {0});
  g.dx = xt::linalg::dot(dqkv, p.c_attn_w);
  return g;
}

// ---- manual: one (sequence, head) slab at a time -----------------------------------------------------------

// Sequence b's rows and head h's columns: [row, row + time) x [column, column + d).
struct Slab {
  std::size_t row, time, column, d;
};

Slab slab(const Layout& l, std::size_t c, std::size_t b, std::size_t h) {
  const std::size_t d = c / l.n_head;
  return {b * l.time, l.time, h * d, d};
}

auto view_of(Matrix& m, const Slab& s) {
  return xt::view(m, xt::range(s.row, s.row + s.time), xt::range(s.column, s.column + s.d));
}
Matrix part(const Matrix& m, const Slab& s) {
  return xt::view(m, xt::range(s.row, s.row + s.time), xt::range(s.column, s.column + s.d));
}

// Causal softmax weights of one slab.
Matrix causal_weights(const Matrix& q, const Matrix& k) {
  Matrix s = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(float(q.shape(1)));
  for (std::size_t i = 0; i < s.shape(0); ++i)
    xt::view(s, i, xt::range(i + 1, s.shape(1))) = -std::numeric_limits<float>::infinity();
  const Matrix row_max = xt::amax(s, {1}, xt::keep_dims);
  Matrix p = xt::exp(s - row_max);
  const Matrix row_sum = xt::sum(p, {1}, xt::keep_dims);
  p /= row_sum;
  return p;
}

Matrix manual_attention(const Qkv& in, const Layout& l) {
  Matrix att = xt::zeros<float>(in.q.shape());
  for (std::size_t b = 0; b < l.batch; ++b)
    for (std::size_t h = 0; h < l.n_head; ++h) {
      const Slab s = slab(l, in.q.shape(1), b, h);
      view_of(att, s) = xt::linalg::dot(causal_weights(part(in.q, s), part(in.k, s)), part(in.v, s));
    }
  return att;
}

Qkv manual_attention_backward(const Matrix& datt, const Qkv& in, const Layout& l) {
  Qkv d{xt::zeros<float>(in.q.shape()), xt::zeros<float>(in.k.shape()), xt::zeros<float>(in.v.shape())};
  for (std::size_t b = 0; b < l.batch; ++b)
    for (std::size_t h = 0; h < l.n_head; ++h) {
      const Slab s = slab(l, in.q.shape(1), b, h);
      const Matrix q = part(in.q, s), k = part(in.k, s), v = part(in.v, s), dy = part(datt, s);
      const Matrix p = causal_weights(q, k);
      const Matrix dp = xt::linalg::dot(dy, xt::transpose(v));
      const Matrix centre = xt::sum(p * dp, {1}, xt::keep_dims);
      const Matrix ds = p * (dp - centre) / std::sqrt(float(q.shape(1)));
      view_of(d.q, s) = xt::linalg::dot(ds, k);
      view_of(d.k, s) = xt::linalg::dot(xt::transpose(ds), q);
      view_of(d.v, s) = xt::linalg::dot(xt::transpose(p), dy);
    }
  return d;
}

// ---- fused: the library's kernel over every sequence and head at once -------------------------------------

nn::AttentionShape shape_of(const Layout& l, std::size_t c) {
  nn::AttentionShape shape;
  shape.batch = l.batch;
  shape.q_len = shape.kv_len = l.time;
  shape.n_head = shape.n_kv_head = l.n_head;
  shape.head_dim = c / l.n_head;
  return shape;
}

nn::AttentionMask causal_mask() {
  nn::AttentionMask mask;
  mask.kind = nn::MaskKind::causal;
  return mask;
}

}  // namespace

Matrix manual_forward(const Matrix& x, const AttentionParams& params, const Layout& layout) {
  return linear(manual_attention(project(x, params), layout), params.c_proj_w, params.c_proj_b);
}

AttentionParamGrads manual_backward(const Matrix& dout, const Matrix& x, const AttentionParams& params,
                                    const Layout& layout) {
  const Qkv in = project(x, params);
  return module_backward(dout, x, params, manual_attention(in, layout),
                         [&](const Matrix& datt) { return manual_attention_backward(datt, in, layout); });
}

Matrix fused_forward(const Matrix& x, const AttentionParams& params, const Layout& layout) {
  const Qkv in = project(x, params);
  nn::AttentionCache<float> cache;
  const Matrix att = nn::attention_forward<float>(in.q, in.k, in.v, shape_of(layout, x.shape(1)), causal_mask(), {}, cache);
  return linear(att, params.c_proj_w, params.c_proj_b);
}

AttentionParamGrads fused_backward(const Matrix& dout, const Matrix& x, const AttentionParams& params,
                                   const Layout& layout) {
  const Qkv in = project(x, params);
  const nn::AttentionShape shape = shape_of(layout, x.shape(1));
  nn::AttentionCache<float> cache;  // the softmax weights, which the kernel's backward reads
  const Matrix att = nn::attention_forward<float>(in.q, in.k, in.v, shape, causal_mask(), {}, cache);
  return module_backward(dout, x, params, att, [&](const Matrix& datt) {
    const auto g = nn::attention_backward<float>(datt, in.q, in.k, in.v, shape, causal_mask(), {}, cache);
    return Qkv{g.dq, g.dk, g.dv};
  });
}

}  // namespace ch13_20
