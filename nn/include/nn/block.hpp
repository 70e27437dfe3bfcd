#pragma once
// The pre-LN transformer block shared by the GPT, the encoder, the decoder with cross-attention and the ViT:
//   x = x + dropout(c_proj(attention(norm_1(x))))
//   x = x + dropout(c_proj(attention(norm_cross(x), memory)))     (only with cross-attention)
//   x = x + dropout(ffn(norm_2(x)))
// One forward that records what the backward needs, one backward that replays it in reverse.
#include <functional>
#include <random>
#include <string>

#include "nn/attention.hpp"
#include "nn/norm.hpp"
#include "nn/tensor.hpp"

namespace nn {

enum class NormKind { layernorm, rmsnorm };
enum class FfnKind { gelu, swiglu };  // gelu: c_proj(gelu(c_fc x)); swiglu: down(silu(gate x) * up x)

struct BlockConfig {
  std::size_t n_embd = 64;
  std::size_t n_head = 4;
  std::size_t n_kv_head = 4;  // n_head: multi-head; 1: multi-query; between: grouped-query
  std::size_t ffn_hidden = 256;
  NormKind norm = NormKind::layernorm;
  FfnKind ffn = FfnKind::gelu;
  bool bias = true;
  bool rope = false;  // rotate queries and keys (self-attention only)
  double rope_base = 10000.0;
  std::size_t relative_bias_distance = 0;  // > 0: a learned relative position bias on self-attention scores
  bool cross_attention = false;
  double norm_eps = 1e-5;
  double dropout = 0.0;
  std::size_t head_dim() const { return n_embd / n_head; }
  std::size_t qkv_width() const { return (n_head + 2 * n_kv_head) * head_dim(); }
};

// The encoder's and the ViT's block: multi-head, LayerNorm, GELU, biases; ffn_hidden 0 means 4 n_embd.
BlockConfig bidirectional_block(std::size_t n_embd, std::size_t n_head, std::size_t ffn_hidden, double norm_eps,
                                double dropout);

// A block's parameters, or their gradients: same shapes. Tensors a config leaves out (biases without bias,
// norm biases with RMSNorm, the cross-attention set, up_w with GELU, rel_bias without a distance) are empty.
template <class T>
struct BlockTensors {
  Vector<T> ln_1_w, ln_1_b;
  Matrix<T> c_attn_w;  // ((n_head + 2 n_kv_head) head_dim, C): rows [q | k | v]
  Vector<T> c_attn_b;
  Matrix<T> c_proj_w;  // (C, C)
  Vector<T> c_proj_b;
  Matrix<T> rel_bias;  // (n_head, 2 relative_bias_distance + 1): see RelativeBias in nn/attention.hpp
  Vector<T> ln_x_w, ln_x_b;  // cross-attention: its norm, the query from x, keys and values from memory
  Matrix<T> x_q_w;            // (C, C)
  Vector<T> x_q_b;
  Matrix<T> x_kv_w;  // (2 n_kv_head head_dim, C_memory): rows [k | v]
  Vector<T> x_kv_b;
  Matrix<T> x_proj_w;  // (C, C)
  Vector<T> x_proj_b;
  Vector<T> ln_2_w, ln_2_b;
  Matrix<T> fc_w;  // (F, C): GELU's c_fc or SwiGLU's gate
  Vector<T> fc_b;
  Matrix<T> up_w;  // (F, C): SwiGLU only
  Matrix<T> fc_proj_w;  // (C, F): c_proj or down
  Vector<T> fc_proj_b;
};

// The config's norm (LayerNorm, or RMSNorm, which has no bias b) with its eps: the blocks' and the final norm.
template <class T>
Matrix<T> norm_forward(const BlockConfig& config, const Matrix<T>& inp, const Vector<T>& w, const Vector<T>& b,
                       NormCache<T>& cache);
template <class T>
Matrix<T> norm_backward(const BlockConfig& config, const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& w,
                        const NormCache<T>& cache, Vector<T>& dw, Vector<T>& db);

// Shapes of zeros for every tensor the config uses (gradients start here; init_block fills parameters).
template <class T>
BlockTensors<T> zero_block(const BlockConfig& config, std::size_t memory_width);
// GPT-2's initialisation: normal(0, 0.02), residual projections normal(0, 0.02 / sqrt(2 n_layer)), norm
// weights 1, biases 0.
template <class T>
BlockTensors<T> init_block(const BlockConfig& config, std::size_t memory_width, std::size_t n_layer,
                           std::mt19937_64& rng);
// Appends the block's parameters as named views, e.g. "h.0.attn.c_attn.weight" (prefix "h.0.").
template <class T>
void append_block_params(std::vector<ParamRef<T>>& out, const std::string& prefix, BlockTensors<T>& params,
                         BlockTensors<T>& grads);

// Where the rows are: batch * time rows, each at a position (for RoPE and the causal mask).
struct SequenceLayout {
  AttentionShape self;        // q_len = time, kv_len = time (+ cached keys when decoding)
  AttentionMask self_mask;    // causal for a decoder, bidirectional (+ padding) for an encoder
  AttentionShape cross;       // q_len = time, kv_len = memory length (cross-attention only)
  AttentionMask cross_mask;   // bidirectional, padding of the memory
  std::vector<std::size_t> positions;  // per query row (RoPE)
};

// Keys and values of earlier positions, per block, for decoding one token at a time (batch 1).
template <class T>
struct KvCacheLayer {
  Matrix<T> k;  // (length, n_kv_head head_dim), after RoPE
  Matrix<T> v;
};

// The attention of cached decoding supplied from outside the library: an exercise's, which calls a student's step
// through the grading channel (docs/model.md, "A student's piece inside a model"). `step` takes the new rows'
// queries q (n_new, n_head head_dim), keys k and values v (n_new, n_kv_head head_dim), the layer's cache of the
// earlier positions and the layer's shape (q_offset: the cache's length before the call); it appends k and v to the
// cache and returns the attention (n_new, n_head head_dim) of the new queries over every cached position, causal
// among the new ones. A block given one calls it in cached decoding instead of appending and attending itself.
template <class T>
struct CachedAttentionCore {
  std::function<Matrix<T>(const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v, KvCacheLayer<T>& cache,
                          const AttentionShape& shape)>
      step;
};

// What block_backward needs, recorded by block_forward.
template <class T>
struct BlockActivations {
  Matrix<T> inp, ln_1, q, k, v, att, x1, ln_x, xq, xk, xv, xatt, x2, ln_2, fc, up, act;
  NormCache<T> ln_1_cache, ln_x_cache, ln_2_cache;
  AttentionCache<T> att_cache, xatt_cache;
  Matrix<T> drop_att, drop_xatt, drop_ffn;  // dropout masks
};

struct BlockRun {
  bool training = false;  // dropout on
  std::mt19937_64* rng = nullptr;  // dropout's draws (training only)
};

// inp (N, C) -> out (N, C). memory (M, C_memory) for cross-attention, else null. cache (decoding) appends this
// call's keys and values and attends over all of them; acts (training) records for the backward. Either may be
// null.
// core: the self-attention's core supplied from outside (see AttentionCore), or null for the library's own.
// cached: with a cache, the step that appends and attends supplied from outside (see CachedAttentionCore), or null
// for the library's own.
template <class T>
Matrix<T> block_forward(const BlockConfig& config, const BlockTensors<T>& params, const Matrix<T>& inp,
                        const Matrix<T>* memory, const SequenceLayout& layout, KvCacheLayer<T>* cache,
                        BlockActivations<T>* acts, const BlockRun& run, const AttentionCore<T>* core = nullptr,
                        const CachedAttentionCore<T>* cached = nullptr);

// dout (N, C) -> dinp (N, C); adds parameter gradients into grads and, with cross-attention, dL/dmemory
// into dmemory.
template <class T>
Matrix<T> block_backward(const BlockConfig& config, const BlockTensors<T>& params, const Matrix<T>& dout,
                         const Matrix<T>* memory, const SequenceLayout& layout, const BlockActivations<T>& acts,
                         BlockTensors<T>& grads, Matrix<T>* dmemory, const AttentionCore<T>* core = nullptr);

}  // namespace nn
