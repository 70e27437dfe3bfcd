#include "nn/block.hpp"

#include <cmath>
#include <stdexcept>

#include <xtensor/xnoalias.hpp>

#include "nn/activation.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/position.hpp"

namespace nn {

namespace {

// ---- small pieces ---------------------------------------------------------------------------------------

// An optional bias is an empty vector when the config has none.
template <class T>
const Vector<T>* opt(const Vector<T>& v) {
  return v.size() ? &v : nullptr;
}
template <class T>
Vector<T>* opt(Vector<T>& v) {
  return v.size() ? &v : nullptr;
}

// The self-attention's relative position bias, or none when the config has no distance.
template <class T>
RelativeBias<T> relative_bias(const BlockTensors<T>& p, BlockTensors<T>* grads = nullptr) {
  if (p.rel_bias.size() == 0) return {};
  return {&p.rel_bias, grads ? &grads->rel_bias : nullptr};
}

// Columns [begin, begin + width) of m, as a contiguous matrix (N, width).
template <class T>
Matrix<T> columns(const Matrix<T>& m, std::size_t begin, std::size_t width) {
  Matrix<T> out = Matrix<T>::from_shape({m.shape(0), width});
  for (std::size_t r = 0; r < m.shape(0); ++r)
    std::copy_n(m.data() + r * m.shape(1) + begin, width, out.data() + r * width);
  return out;
}

// The matrices side by side: (N, sum of widths).
template <class T>
Matrix<T> concat_columns(std::initializer_list<const Matrix<T>*> parts) {
  const std::size_t rows = (*parts.begin())->shape(0);
  std::size_t width = 0;
  for (const auto* p : parts) width += p->shape(1);
  Matrix<T> out = Matrix<T>::from_shape({rows, width});
  std::size_t begin = 0;
  for (const auto* p : parts) {
    for (std::size_t r = 0; r < rows; ++r)
      std::copy_n(p->data() + r * p->shape(1), p->shape(1), out.data() + r * width + begin);
    begin += p->shape(1);
  }
  return out;
}

// Rows of b appended below a.
template <class T>
Matrix<T> concat_rows(const Matrix<T>& a, const Matrix<T>& b) {
  if (a.size() == 0) return b;
  Matrix<T> out = Matrix<T>::from_shape({a.shape(0) + b.shape(0), b.shape(1)});
  std::copy(a.begin(), a.end(), out.begin());
  std::copy(b.begin(), b.end(), out.begin() + a.size());
  return out;
}

// Residual dropout: identity outside training, with the mask emptied: activations live from one forward to the
// next, and a backward after an evaluation forward must not apply the mask of an earlier training forward.
template <class T>
Matrix<T> maybe_dropout(const BlockConfig& c, const BlockRun& run, const Matrix<T>& x, Matrix<T>& mask) {
  if (!run.training || c.dropout == 0.0) {
    mask.resize({0, 0});
    return x;
  }
  if (!run.rng) throw std::invalid_argument("block_forward: training with dropout needs an rng");
  return dropout_forward(x, c.dropout, *run.rng, mask);
}
template <class T>
Matrix<T> maybe_dropout_backward(const Matrix<T>& dout, const Matrix<T>& mask) {
  return mask.size() ? dropout_backward(dout, mask) : dout;
}

// ---- the three sublayers, forward ------------------------------------------------------------------------

template <class T>
Matrix<T> self_attention_forward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& x,
                                 const SequenceLayout& layout, KvCacheLayer<T>* cache, BlockActivations<T>& a,
                                 const BlockRun& run, const AttentionCore<T>* core,
                                 const CachedAttentionCore<T>* cached) {
  const std::size_t D = c.head_dim(), q_width = c.n_head * D, kv_width = c.n_kv_head * D;
  a.ln_1 = norm_forward(c, x, p.ln_1_w, p.ln_1_b, a.ln_1_cache);
  const Matrix<T> qkv = linear_forward(a.ln_1, p.c_attn_w, opt(p.c_attn_b));  // (N, (H + 2 Hkv) D)
  a.q = columns(qkv, 0, q_width);
  a.k = columns(qkv, q_width, kv_width);
  a.v = columns(qkv, q_width + kv_width, kv_width);
  if (c.rope) {
    a.q = rope_forward(a.q, layout.positions, c.n_head, D, c.rope_base);
    a.k = rope_forward(a.k, layout.positions, c.n_kv_head, D, c.rope_base);
  }
  if (cache && cached) {  // decoding with a step from outside: it appends to the cache and attends
    if (c.relative_bias_distance > 0)
      throw std::invalid_argument("a cached attention step from outside takes no relative bias");
    a.att = cached->step(a.q, a.k, a.v, *cache, layout.self);
  } else {
    if (cache) {  // decoding: attend over every key so far
      cache->k = concat_rows(cache->k, a.k);
      cache->v = concat_rows(cache->v, a.v);
    }
    if (core) {
      if (cache || c.relative_bias_distance > 0)
        throw std::invalid_argument("an attention core from outside takes no KV cache and no relative bias");
      a.att = core->forward(a.q, a.k, a.v, layout.self, layout.self_mask);
    } else {
      a.att = attention_forward(a.q, cache ? cache->k : a.k, cache ? cache->v : a.v, layout.self, layout.self_mask,
                                relative_bias(p), a.att_cache);
    }
  }
  const Matrix<T> proj = linear_forward(a.att, p.c_proj_w, opt(p.c_proj_b));
  return maybe_dropout(c, run, proj, a.drop_att);
}

template <class T>
Matrix<T> cross_attention_forward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& x,
                                  const Matrix<T>& memory, const SequenceLayout& layout, BlockActivations<T>& a,
                                  const BlockRun& run) {
  const std::size_t kv_width = c.n_kv_head * c.head_dim();
  a.ln_x = norm_forward(c, x, p.ln_x_w, p.ln_x_b, a.ln_x_cache);
  a.xq = linear_forward(a.ln_x, p.x_q_w, opt(p.x_q_b));
  const Matrix<T> kv = linear_forward(memory, p.x_kv_w, opt(p.x_kv_b));  // (M, 2 Hkv D)
  a.xk = columns(kv, 0, kv_width);
  a.xv = columns(kv, kv_width, kv_width);
  a.xatt = attention_forward(a.xq, a.xk, a.xv, layout.cross, layout.cross_mask, RelativeBias<T>{}, a.xatt_cache);
  const Matrix<T> proj = linear_forward(a.xatt, p.x_proj_w, opt(p.x_proj_b));
  return maybe_dropout(c, run, proj, a.drop_xatt);
}

template <class T>
Matrix<T> ffn_forward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& x, BlockActivations<T>& a,
                      const BlockRun& run) {
  a.ln_2 = norm_forward(c, x, p.ln_2_w, p.ln_2_b, a.ln_2_cache);
  a.fc = linear_forward(a.ln_2, p.fc_w, opt(p.fc_b));  // (N, F)
  if (c.ffn == FfnKind::gelu) {
    a.act = gelu_forward(a.fc);
  } else {
    a.up = linear_forward(a.ln_2, p.up_w, static_cast<const Vector<T>*>(nullptr));
    a.act = swiglu_forward(a.fc, a.up);
  }
  const Matrix<T> proj = linear_forward(a.act, p.fc_proj_w, opt(p.fc_proj_b));
  return maybe_dropout(c, run, proj, a.drop_ffn);
}

// ---- the three sublayers, backward (each returns dL/d(its input) through the sublayer only) --------------

template <class T>
Matrix<T> self_attention_backward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& dout,
                                  const SequenceLayout& layout, const BlockActivations<T>& a, BlockTensors<T>& g,
                                  const AttentionCore<T>* core) {
  const std::size_t D = c.head_dim();
  const Matrix<T> dproj = maybe_dropout_backward(dout, a.drop_att);
  const Matrix<T> datt = linear_backward(dproj, a.att, p.c_proj_w, g.c_proj_w, opt(g.c_proj_b));
  AttentionGrads<T> d = core ? core->backward(datt, a.q, a.k, a.v, layout.self, layout.self_mask)
                             : attention_backward(datt, a.q, a.k, a.v, layout.self, layout.self_mask,
                                                  relative_bias(p, &g), a.att_cache);
  if (c.rope) {
    d.dq = rope_backward(d.dq, layout.positions, c.n_head, D, c.rope_base);
    d.dk = rope_backward(d.dk, layout.positions, c.n_kv_head, D, c.rope_base);
  }
  const Matrix<T> dqkv = concat_columns<T>({&d.dq, &d.dk, &d.dv});
  const Matrix<T> dln = linear_backward(dqkv, a.ln_1, p.c_attn_w, g.c_attn_w, opt(g.c_attn_b));
  return norm_backward(c, dln, a.inp, p.ln_1_w, a.ln_1_cache, g.ln_1_w, g.ln_1_b);
}

template <class T>
Matrix<T> cross_attention_backward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& dout,
                                   const Matrix<T>& memory, const SequenceLayout& layout,
                                   const BlockActivations<T>& a, BlockTensors<T>& g, Matrix<T>* dmemory) {
  const Matrix<T> dproj = maybe_dropout_backward(dout, a.drop_xatt);
  const Matrix<T> dxatt = linear_backward(dproj, a.xatt, p.x_proj_w, g.x_proj_w, opt(g.x_proj_b));
  const AttentionGrads<T> d = attention_backward(dxatt, a.xq, a.xk, a.xv, layout.cross, layout.cross_mask,
                                                 RelativeBias<T>{}, a.xatt_cache);
  const Matrix<T> dkv = concat_columns<T>({&d.dk, &d.dv});
  const Matrix<T> dmem = linear_backward(dkv, memory, p.x_kv_w, g.x_kv_w, opt(g.x_kv_b));
  if (dmemory) xt::noalias(*dmemory) += dmem;  // in place: the caller may hold a pointer into it
  const Matrix<T> dln = linear_backward(d.dq, a.ln_x, p.x_q_w, g.x_q_w, opt(g.x_q_b));
  return norm_backward(c, dln, a.x1, p.ln_x_w, a.ln_x_cache, g.ln_x_w, g.ln_x_b);
}

template <class T>
Matrix<T> ffn_backward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& dout, const Matrix<T>& x,
                       const BlockActivations<T>& a, BlockTensors<T>& g) {
  const Matrix<T> dproj = maybe_dropout_backward(dout, a.drop_ffn);
  const Matrix<T> dact = linear_backward(dproj, a.act, p.fc_proj_w, g.fc_proj_w, opt(g.fc_proj_b));
  Matrix<T> dln;
  if (c.ffn == FfnKind::gelu) {
    dln = linear_backward(gelu_backward(dact, a.fc), a.ln_2, p.fc_w, g.fc_w, opt(g.fc_b));
  } else {
    const SwigluGrads<T> d = swiglu_backward(dact, a.fc, a.up);
    dln = linear_backward(d.dgate, a.ln_2, p.fc_w, g.fc_w, opt(g.fc_b));
    dln += linear_backward(d.dup, a.ln_2, p.up_w, g.up_w, static_cast<Vector<T>*>(nullptr));
  }
  return norm_backward(c, dln, x, p.ln_2_w, a.ln_2_cache, g.ln_2_w, g.ln_2_b);
}

template <class T>
void fill_normal(Matrix<T>& m, double std, std::mt19937_64& rng) {
  init_normal(m, std, rng);
}

}  // namespace

// ---- the block ---------------------------------------------------------------------------------------------

template <class T>
Matrix<T> norm_forward(const BlockConfig& c, const Matrix<T>& inp, const Vector<T>& w, const Vector<T>& b,
                       NormCache<T>& cache) {
  if (c.norm == NormKind::rmsnorm) return rmsnorm_forward(inp, w, T(c.norm_eps), cache);
  return layernorm_forward(inp, w, b, T(c.norm_eps), cache);
}

template <class T>
Matrix<T> norm_backward(const BlockConfig& c, const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& w,
                        const NormCache<T>& cache, Vector<T>& dw, Vector<T>& db) {
  if (c.norm == NormKind::rmsnorm) return rmsnorm_backward(dout, inp, w, cache, dw);
  return layernorm_backward(dout, inp, w, cache, dw, db);
}

BlockConfig bidirectional_block(std::size_t n_embd, std::size_t n_head, std::size_t ffn_hidden, double norm_eps,
                                double dropout) {
  BlockConfig b;
  b.n_embd = n_embd;
  b.n_head = n_head;
  b.n_kv_head = n_head;
  b.ffn_hidden = ffn_hidden ? ffn_hidden : 4 * n_embd;
  b.norm_eps = norm_eps;
  b.dropout = dropout;
  return b;
}

template <class T>
BlockTensors<T> zero_block(const BlockConfig& c, std::size_t memory_width) {
  if (c.n_embd % c.n_head != 0 || c.n_head % c.n_kv_head != 0)
    throw std::invalid_argument("block: n_head must divide n_embd and n_kv_head must divide n_head");
  const std::size_t C = c.n_embd, F = c.ffn_hidden, kv = c.n_kv_head * c.head_dim();
  const bool layernorm = c.norm == NormKind::layernorm;
  auto vec = [](std::size_t n) { return Vector<T>(xt::zeros<T>({n})); };
  auto mat = [](std::size_t r, std::size_t k) { return Matrix<T>(xt::zeros<T>({r, k})); };
  auto bias = [&](std::size_t n) { return c.bias ? vec(n) : Vector<T>{}; };
  BlockTensors<T> b;
  b.ln_1_w = vec(C);
  b.ln_1_b = layernorm ? vec(C) : Vector<T>{};
  b.c_attn_w = mat(c.qkv_width(), C);
  b.c_attn_b = bias(c.qkv_width());
  b.c_proj_w = mat(C, C);
  b.c_proj_b = bias(C);
  if (c.relative_bias_distance) b.rel_bias = mat(c.n_head, 2 * c.relative_bias_distance + 1);  // starts at 0
  if (c.cross_attention) {
    b.ln_x_w = vec(C);
    b.ln_x_b = layernorm ? vec(C) : Vector<T>{};
    b.x_q_w = mat(C, C);
    b.x_q_b = bias(C);
    b.x_kv_w = mat(2 * kv, memory_width);
    b.x_kv_b = bias(2 * kv);
    b.x_proj_w = mat(C, C);
    b.x_proj_b = bias(C);
  }
  b.ln_2_w = vec(C);
  b.ln_2_b = layernorm ? vec(C) : Vector<T>{};
  b.fc_w = mat(F, C);
  b.fc_b = bias(F);
  if (c.ffn == FfnKind::swiglu) b.up_w = mat(F, C);
  b.fc_proj_w = mat(C, F);
  b.fc_proj_b = bias(C);
  return b;
}

template <class T>
BlockTensors<T> init_block(const BlockConfig& c, std::size_t memory_width, std::size_t n_layer,
                           std::mt19937_64& rng) {
  BlockTensors<T> b = zero_block<T>(c, memory_width);
  const double std = 0.02, residual_std = 0.02 / std::sqrt(2.0 * double(n_layer));
  for (Vector<T>* w : {&b.ln_1_w, &b.ln_x_w, &b.ln_2_w}) w->fill(T(1));
  fill_normal(b.c_attn_w, std, rng);
  fill_normal(b.c_proj_w, residual_std, rng);
  if (c.cross_attention) {
    fill_normal(b.x_q_w, std, rng);
    fill_normal(b.x_kv_w, std, rng);
    fill_normal(b.x_proj_w, residual_std, rng);
  }
  fill_normal(b.fc_w, std, rng);
  if (c.ffn == FfnKind::swiglu) fill_normal(b.up_w, std, rng);
  fill_normal(b.fc_proj_w, residual_std, rng);
  return b;
}

template <class T>
void append_block_params(std::vector<ParamRef<T>>& out, const std::string& prefix, BlockTensors<T>& p,
                         BlockTensors<T>& g) {
  auto add = [&](const std::string& name, auto& value, auto& grad) {
    if (value.size()) out.push_back(param_ref(prefix + name, value, grad));
  };
  const bool swiglu = p.up_w.size() != 0;
  add("ln_1.weight", p.ln_1_w, g.ln_1_w);
  add("ln_1.bias", p.ln_1_b, g.ln_1_b);
  add("attn.c_attn.weight", p.c_attn_w, g.c_attn_w);
  add("attn.c_attn.bias", p.c_attn_b, g.c_attn_b);
  add("attn.c_proj.weight", p.c_proj_w, g.c_proj_w);
  add("attn.c_proj.bias", p.c_proj_b, g.c_proj_b);
  add("attn.relative_bias", p.rel_bias, g.rel_bias);
  add("ln_x.weight", p.ln_x_w, g.ln_x_w);
  add("ln_x.bias", p.ln_x_b, g.ln_x_b);
  add("crossattn.q.weight", p.x_q_w, g.x_q_w);
  add("crossattn.q.bias", p.x_q_b, g.x_q_b);
  add("crossattn.kv.weight", p.x_kv_w, g.x_kv_w);
  add("crossattn.kv.bias", p.x_kv_b, g.x_kv_b);
  add("crossattn.c_proj.weight", p.x_proj_w, g.x_proj_w);
  add("crossattn.c_proj.bias", p.x_proj_b, g.x_proj_b);
  add("ln_2.weight", p.ln_2_w, g.ln_2_w);
  add("ln_2.bias", p.ln_2_b, g.ln_2_b);
  add(swiglu ? "mlp.gate.weight" : "mlp.c_fc.weight", p.fc_w, g.fc_w);
  add(swiglu ? "mlp.gate.bias" : "mlp.c_fc.bias", p.fc_b, g.fc_b);
  add("mlp.up.weight", p.up_w, g.up_w);
  add(swiglu ? "mlp.down.weight" : "mlp.c_proj.weight", p.fc_proj_w, g.fc_proj_w);
  add(swiglu ? "mlp.down.bias" : "mlp.c_proj.bias", p.fc_proj_b, g.fc_proj_b);
}

template <class T>
Matrix<T> block_forward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& inp,
                        const Matrix<T>* memory, const SequenceLayout& layout, KvCacheLayer<T>* cache,
                        BlockActivations<T>* acts, const BlockRun& run, const AttentionCore<T>* core,
                        const CachedAttentionCore<T>* cached) {
  if (c.cross_attention != (memory != nullptr))
    throw std::invalid_argument("block_forward: memory is required exactly when the block has cross-attention");
  BlockActivations<T> scratch;  // inference: the same code path, nothing kept
  BlockActivations<T>& a = acts ? *acts : scratch;
  a.inp = inp;
  a.x1 = inp + self_attention_forward(c, p, inp, layout, cache, a, run, core, cached);
  if (memory) a.x2 = a.x1 + cross_attention_forward(c, p, a.x1, *memory, layout, a, run);
  const Matrix<T>& x2 = memory ? a.x2 : a.x1;
  return x2 + ffn_forward(c, p, x2, a, run);
}

template <class T>
Matrix<T> block_backward(const BlockConfig& c, const BlockTensors<T>& p, const Matrix<T>& dout,
                         const Matrix<T>* memory, const SequenceLayout& layout, const BlockActivations<T>& a,
                         BlockTensors<T>& g, Matrix<T>* dmemory, const AttentionCore<T>* core) {
  const Matrix<T>& x2 = memory ? a.x2 : a.x1;
  Matrix<T> dx = dout + ffn_backward(c, p, dout, x2, a, g);  // d/dx2
  if (memory) dx += cross_attention_backward(c, p, dx, *memory, layout, a, g, dmemory);  // now d/dx1
  dx += self_attention_backward(c, p, dx, layout, a, g, core);  // now d/dinp
  return dx;
}

#define NN_INSTANTIATE(T)                                                                                         \
  template Matrix<T> norm_forward<T>(const BlockConfig&, const Matrix<T>&, const Vector<T>&, const Vector<T>&,     \
                                     NormCache<T>&);                                                               \
  template Matrix<T> norm_backward<T>(const BlockConfig&, const Matrix<T>&, const Matrix<T>&, const Vector<T>&,    \
                                      const NormCache<T>&, Vector<T>&, Vector<T>&);                                \
  template BlockTensors<T> zero_block<T>(const BlockConfig&, std::size_t);                                         \
  template BlockTensors<T> init_block<T>(const BlockConfig&, std::size_t, std::size_t, std::mt19937_64&);          \
  template void append_block_params<T>(std::vector<ParamRef<T>>&, const std::string&, BlockTensors<T>&,            \
                                       BlockTensors<T>&);                                                          \
  template Matrix<T> block_forward<T>(const BlockConfig&, const BlockTensors<T>&, const Matrix<T>&,               \
                                      const Matrix<T>*, const SequenceLayout&, KvCacheLayer<T>*,                   \
                                      BlockActivations<T>*, const BlockRun&, const AttentionCore<T>*,              \
                                      const CachedAttentionCore<T>*);                                              \
  template Matrix<T> block_backward<T>(const BlockConfig&, const BlockTensors<T>&, const Matrix<T>&,              \
                                       const Matrix<T>*, const SequenceLayout&, const BlockActivations<T>&,        \
                                       BlockTensors<T>&, Matrix<T>*, const AttentionCore<T>*);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
