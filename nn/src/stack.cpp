#include "nn/stack.hpp"

#include <stdexcept>

namespace nn {

template <class T>
BlockStack<T>::BlockStack(const BlockConfig& config, std::size_t n_layer, std::size_t memory_width,
                          std::mt19937_64& rng)
    : config_(config) {
  for (std::size_t l = 0; l < n_layer; ++l) {
    h_.push_back(init_block<T>(config, memory_width, n_layer, rng));
    dh_.push_back(zero_block<T>(config, memory_width));
  }
  ln_f_w_ = xt::ones<T>({config.n_embd});
  dln_f_w_ = xt::zeros<T>({config.n_embd});
  if (config.norm == NormKind::layernorm) {
    ln_f_b_ = xt::zeros<T>({config.n_embd});
    dln_f_b_ = xt::zeros<T>({config.n_embd});
  }
}

template <class T>
void BlockStack<T>::append_params(std::vector<ParamRef<T>>& out) {
  for (std::size_t l = 0; l < h_.size(); ++l) append_block_params(out, "h." + std::to_string(l) + ".", h_[l], dh_[l]);
  out.push_back(param_ref("ln_f.weight", ln_f_w_, dln_f_w_));
  if (ln_f_b_.size()) out.push_back(param_ref("ln_f.bias", ln_f_b_, dln_f_b_));
}

template <class T>
Matrix<T> BlockStack<T>::final_norm(const Matrix<T>& x, NormCache<T>& cache) const {
  return norm_forward(config_, x, ln_f_w_, ln_f_b_, cache);
}

template <class T>
Matrix<T> BlockStack<T>::forward(const Matrix<T>& x, const Matrix<T>* memory, const SequenceLayout& layout,
                                 bool training, std::mt19937_64* rng) {
  layout_ = layout;
  memory_ = memory;
  acts_.resize(h_.size());
  const BlockRun run{training, rng};
  Matrix<T> h = x;
  for (std::size_t l = 0; l < h_.size(); ++l)
    h = block_forward(config_, h_[l], h, memory, layout, static_cast<KvCacheLayer<T>*>(nullptr), &acts_[l], run, core_);
  residual_ = std::move(h);
  return final_norm(residual_, ln_f_cache_);
}

template <class T>
Matrix<T> BlockStack<T>::backward(const Matrix<T>& dhidden, Matrix<T>* dmemory) {
  if (acts_.size() != h_.size() || residual_.size() == 0) throw std::logic_error("block stack: backward before forward");
  Matrix<T> dx = norm_backward(config_, dhidden, residual_, ln_f_w_, ln_f_cache_, dln_f_w_, dln_f_b_);
  for (std::size_t l = h_.size(); l-- > 0;)
    dx = block_backward(config_, h_[l], dx, memory_, layout_, acts_[l], dh_[l], dmemory, core_);
  return dx;
}

template <class T>
Matrix<T> BlockStack<T>::forward_cached(const Matrix<T>& x, const SequenceLayout& layout, KvCache<T>& cache,
                                        const CachedAttentionCore<T>* attention) const {
  cache.layers.resize(h_.size());
  Matrix<T> h = x;
  for (std::size_t l = 0; l < h_.size(); ++l)
    h = block_forward(config_, h_[l], h, static_cast<const Matrix<T>*>(nullptr), layout, &cache.layers[l],
                      static_cast<BlockActivations<T>*>(nullptr), BlockRun{}, static_cast<const AttentionCore<T>*>(nullptr),
                      attention);
  NormCache<T> unused;
  return final_norm(h, unused);
}

template class BlockStack<float>;
template class BlockStack<double>;

}  // namespace nn
