#include "nn/gpt.hpp"

#include <stdexcept>
#include <string>

#include "nn/linear.hpp"
#include "nn/dropout.hpp"
#include "nn/position.hpp"
#include "nn/softmax.hpp"

namespace nn {

BlockConfig GptConfig::block() const {
  BlockConfig b;
  b.n_embd = n_embd;
  b.n_head = n_head;
  b.n_kv_head = n_kv_head ? n_kv_head : n_head;
  b.ffn_hidden = ffn_hidden ? ffn_hidden : 4 * n_embd;
  b.norm = norm;
  b.ffn = ffn;
  b.bias = bias;
  b.rope = position == PositionKind::rope;
  b.rope_base = rope_base;
  b.relative_bias_distance = relative_bias_distance;
  b.norm_eps = norm_eps;
  b.dropout = dropout;
  return b;
}

template <class T>
Gpt<T>::Gpt(const GptConfig& config, std::uint64_t seed)
    : config_(config),
      init_rng_(seed),
      wte_(xt::zeros<T>({config.vocab_size, config.n_embd})),
      stack_(config.block(), config.n_layer, 0, init_rng_),
      dropout_rng_(seed + 1) {
  init_normal(wte_, 0.02, init_rng_);
  if (config.position == PositionKind::learned) {
    wpe_ = xt::zeros<T>({config.context, config.n_embd});
    init_normal(wpe_, 0.01, init_rng_);
  }
  if (!config.tie_weights) {
    lm_head_ = xt::zeros<T>({config.vocab_size, config.n_embd});
    init_normal(lm_head_, 0.02, init_rng_);
  }
  dwte_ = xt::zeros<T>(wte_.shape());
  dwpe_ = xt::zeros<T>(wpe_.shape());
  dlm_head_ = xt::zeros<T>(lm_head_.shape());
}

template <class T>
std::vector<ParamRef<T>> Gpt<T>::parameters() {
  std::vector<ParamRef<T>> out;
  out.push_back(param_ref("wte.weight", wte_, dwte_));
  if (wpe_.size()) out.push_back(param_ref("wpe.weight", wpe_, dwpe_));
  stack_.append_params(out);
  if (lm_head_.size()) out.push_back(param_ref("lm_head.weight", lm_head_, dlm_head_));
  return out;
}

template <class T>
std::size_t Gpt<T>::parameter_count() const {
  std::size_t n = 0;
  for (const auto& p : const_cast<Gpt<T>*>(this)->parameters()) n += p.size;
  return n;
}

// Token embedding plus the absolute position encoding, if any (RoPE acts inside attention).
template <class T>
Matrix<T> Gpt<T>::embed(const Tokens& tokens, const std::vector<std::size_t>& positions) const {
  Matrix<T> x = embedding_forward(tokens, wte_);
  const std::size_t C = config_.n_embd;
  if (config_.position == PositionKind::learned) {
    for (std::size_t r = 0; r < tokens.size(); ++r)
      for (std::size_t c = 0; c < C; ++c) x(r, c) += wpe_(positions[r], c);
  } else if (config_.position == PositionKind::sinusoidal) {
    std::size_t longest = 0;
    for (auto p : positions) longest = std::max(longest, p + 1);
    const Matrix<T> table = sinusoidal_positions<T>(longest, C);
    for (std::size_t r = 0; r < tokens.size(); ++r)
      for (std::size_t c = 0; c < C; ++c) x(r, c) += table(positions[r], c);
  }
  return x;
}

// batch sequences of `time` new rows each, following `past` cached positions.
template <class T>
SequenceLayout Gpt<T>::layout(std::size_t batch, std::size_t time, std::size_t past) const {
  if (past + time > config_.context)
    throw std::invalid_argument("gpt: " + std::to_string(past + time) + " positions exceed the context of " +
                                std::to_string(config_.context));
  const BlockConfig& b = stack_.config();
  SequenceLayout s;
  s.self = {batch, time, past + time, b.n_head, b.n_kv_head, b.head_dim(), past};
  s.self_mask.kind = MaskKind::causal;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t t = 0; t < time; ++t) s.positions.push_back(past + t);
  return s;
}

template <class T>
const Matrix<T>& Gpt<T>::forward(const Tokens& tokens, std::size_t batch, std::size_t time) {
  if (tokens.size() != batch * time) throw std::invalid_argument("gpt forward: tokens.size() != batch * time");
  Activations& a = acts_;
  a = Activations{batch, time, tokens, {}, {}, {}, {}, {}};
  const SequenceLayout s = layout(batch, time, 0);
  Matrix<T> x = input_ ? input_->forward(tokens, batch, time) : embed(tokens, s.positions);
  if (x.shape(0) != batch * time || x.shape(1) != config_.n_embd)
    throw std::invalid_argument("gpt forward: the input from outside is not (batch * time, n_embd)");
  if (training_ && config_.dropout > 0) x = dropout_forward(x, config_.dropout, dropout_rng_, a.embed_drop);
  a.hidden = stack_.forward(x, nullptr, s, training_, &dropout_rng_);
  a.logits = linear_forward(a.hidden, head_weight(), static_cast<const Vector<T>*>(nullptr));
  return a.logits;
}

template <class T>
T Gpt<T>::loss(const Tokens& targets) {
  acts_.targets = targets;
  return cross_entropy_forward(acts_.logits, targets, acts_.probs);
}

template <class T>
void Gpt<T>::backward() {
  Activations& a = acts_;
  if (a.probs.size() == 0) throw std::logic_error("gpt backward: call forward and loss first");
  const Matrix<T> dlogits = cross_entropy_backward(a.probs, a.targets);
  Matrix<T>& dhead = config_.tie_weights ? dwte_ : dlm_head_;
  const Matrix<T> dhidden = linear_backward(dlogits, a.hidden, head_weight(), dhead, static_cast<Vector<T>*>(nullptr));
  Matrix<T> dx = stack_.backward(dhidden, nullptr);
  if (a.embed_drop.size()) dx = dropout_backward(dx, a.embed_drop);
  if (input_) {
    input_->backward(dx);
    return;
  }
  embedding_backward(dx, a.tokens, dwte_);
  if (config_.position == PositionKind::learned) {
    Tokens positions(a.tokens.size());
    for (std::size_t r = 0; r < positions.size(); ++r) positions[r] = int(r % a.time);
    embedding_backward(dx, positions, dwpe_);
  }
}

template <class T>
Matrix<T> Gpt<T>::forward_cached(const Tokens& new_tokens, KvCache<T>& cache,
                                 const CachedAttentionCore<T>* attention) const {
  const SequenceLayout s = layout(1, new_tokens.size(), cache.length);
  const Matrix<T> hidden = stack_.forward_cached(embed(new_tokens, s.positions), s, cache, attention);
  cache.length += new_tokens.size();
  return linear_forward(hidden, head_weight(), static_cast<const Vector<T>*>(nullptr));
}

template <class T>
Matrix<T> Gpt<T>::logits(const Tokens& sequence) const {
  KvCache<T> fresh;  // a cache used once is a plain forward pass
  return forward_cached(sequence, fresh);
}

template class Gpt<float>;
template class Gpt<double>;

}  // namespace nn
