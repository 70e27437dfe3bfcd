#pragma once
// A stack of transformer blocks followed by the final norm: the trunk every model here shares. The models
// differ only in what goes in (token + position embeddings, image patches) and what comes out (an LM head,
// MLM and classification heads).
#include <random>
#include <string>
#include <vector>

#include "nn/block.hpp"

namespace nn {

// Keys and values of every layer for the tokens decoded so far (batch 1).
template <class T>
struct KvCache {
  std::vector<KvCacheLayer<T>> layers;
  std::size_t length = 0;
};

template <class T>
class BlockStack {
 public:
  BlockStack(const BlockConfig& config, std::size_t n_layer, std::size_t memory_width, std::mt19937_64& rng);
  const BlockConfig& config() const { return config_; }
  // "h.{l}.<block names>", then "ln_f.weight" and "ln_f.bias".
  void append_params(std::vector<ParamRef<T>>& out);

  // x (N, C) -> hidden (N, C), recording activations for backward. memory: the encoder's output for
  // cross-attention blocks, else null (kept by pointer until backward).
  Matrix<T> forward(const Matrix<T>& x, const Matrix<T>* memory, const SequenceLayout& layout, bool training,
                    std::mt19937_64* rng);
  // dhidden (N, C) -> dx (N, C); adds into the parameter gradients and into dmemory (cross-attention).
  Matrix<T> backward(const Matrix<T>& dhidden, Matrix<T>* dmemory);
  // Inference over new rows, extending the cache (layout.self.q_offset = cache.length). attention: the step every
  // block calls to append to its cache and attend (see CachedAttentionCore), or null for the library's own.
  Matrix<T> forward_cached(const Matrix<T>& x, const SequenceLayout& layout, KvCache<T>& cache,
                           const CachedAttentionCore<T>* attention = nullptr) const;
  // Every block's self-attention calls `core` instead of the library's attention in forward and backward
  // (null: the library's again). The caller keeps it alive; cached decoding never uses it (see forward_cached).
  void set_attention_core(const AttentionCore<T>* core) { core_ = core; }

 private:
  Matrix<T> final_norm(const Matrix<T>& x, NormCache<T>& cache) const;

  BlockConfig config_;
  std::vector<BlockTensors<T>> h_, dh_;
  Vector<T> ln_f_w_, ln_f_b_, dln_f_w_, dln_f_b_;
  // the last forward, for backward
  std::vector<BlockActivations<T>> acts_;
  SequenceLayout layout_;
  const Matrix<T>* memory_ = nullptr;
  Matrix<T> residual_;
  NormCache<T> ln_f_cache_;
  const AttentionCore<T>* core_ = nullptr;
};

}  // namespace nn
