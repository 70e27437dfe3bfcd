#include "nn/encoder.hpp"

#include <stdexcept>

#include "nn/linear.hpp"
#include "nn/position.hpp"
#include "nn/softmax.hpp"

namespace nn {

BlockConfig EncoderConfig::block() const {
  return bidirectional_block(n_embd, n_head, ffn_hidden, norm_eps, dropout);
}

template <class T>
Encoder<T>::Encoder(const EncoderConfig& config, std::uint64_t seed)
    : config_(config),
      init_rng_(seed),
      wte_(xt::zeros<T>({config.vocab_size, config.n_embd})),
      wpe_(xt::zeros<T>({config.context, config.n_embd})),
      mlm_w_(xt::zeros<T>({config.vocab_size, config.n_embd})),
      cls_w_(xt::zeros<T>({config.n_classes, config.n_embd})),
      mlm_b_(xt::zeros<T>({config.vocab_size})),
      cls_b_(xt::zeros<T>({config.n_classes})),
      stack_(config.block(), config.n_layer, 0, init_rng_),
      dropout_rng_(seed + 1) {
  for (Matrix<T>* w : {&wte_, &wpe_, &mlm_w_, &cls_w_}) init_normal(*w, 0.02, init_rng_);
  // Drawn above whatever the positions, so that every other weight starts the same for each kind.
  if (config.positions == EncoderConfig::Positions::sinusoidal) wpe_ = sinusoidal_positions<T>(config.context, config.n_embd);
  if (config.positions == EncoderConfig::Positions::none) wpe_ = xt::zeros<T>(wpe_.shape());
  dwte_ = xt::zeros<T>(wte_.shape());
  dwpe_ = xt::zeros<T>(wpe_.shape());
  dmlm_w_ = xt::zeros<T>(mlm_w_.shape());
  dcls_w_ = xt::zeros<T>(cls_w_.shape());
  dmlm_b_ = xt::zeros<T>(mlm_b_.shape());
  dcls_b_ = xt::zeros<T>(cls_b_.shape());
}

template <class T>
std::vector<ParamRef<T>> Encoder<T>::parameters() {
  std::vector<ParamRef<T>> out{param_ref("wte.weight", wte_, dwte_)};
  if (config_.positions == EncoderConfig::Positions::learned) out.push_back(param_ref("wpe.weight", wpe_, dwpe_));
  stack_.append_params(out);
  out.push_back(param_ref("mlm_head.weight", mlm_w_, dmlm_w_));
  out.push_back(param_ref("mlm_head.bias", mlm_b_, dmlm_b_));
  out.push_back(param_ref("cls_head.weight", cls_w_, dcls_w_));
  out.push_back(param_ref("cls_head.bias", cls_b_, dcls_b_));
  return out;
}

namespace {
Tokens positions_of(std::size_t batch, std::size_t time) {  // 0..time-1 for each sequence
  Tokens p(batch * time);
  for (std::size_t r = 0; r < p.size(); ++r) p[r] = int(r % time);
  return p;
}
}  // namespace

template <class T>
void Encoder<T>::forward(const Tokens& tokens, std::size_t batch, std::size_t time,
                         const std::vector<std::size_t>& key_lengths) {
  if (tokens.size() != batch * time || time > config_.context)
    throw std::invalid_argument("encoder forward: tokens must be batch * time with time <= context");
  batch_ = batch;
  time_ = time;
  tokens_ = tokens;
  const BlockConfig& b = stack_.config();
  SequenceLayout s;
  s.self = {batch, time, time, b.n_head, b.n_kv_head, b.head_dim(), 0};
  s.self_mask.kind = config_.key_ranges.empty() ? MaskKind::bidirectional : MaskKind::key_ranges;
  s.self_mask.key_ranges = config_.key_ranges;
  s.self_mask.key_lengths = key_lengths;
  key_lengths_ = key_lengths;
  Matrix<T> x = embedding_forward(tokens, wte_);
  if (config_.positions != EncoderConfig::Positions::none) x += embedding_forward(positions_of(batch, time), wpe_);
  hidden_ = stack_.forward(x, nullptr, s, training_, &dropout_rng_);
  mlm_logits_ = linear_forward(hidden_, mlm_w_, &mlm_b_);
  cls_input_ = xt::zeros<T>({batch, config_.n_embd});  // row 0 of each sequence ([CLS]), or the mean of its real rows
  for (std::size_t i = 0; i < batch; ++i) {
    const std::size_t rows = pooled_rows(i);
    for (std::size_t t = 0; t < rows; ++t)
      for (std::size_t c = 0; c < config_.n_embd; ++c) cls_input_(i, c) += hidden_(i * time + t, c) / T(rows);
  }
  cls_logits_ = linear_forward(cls_input_, cls_w_, &cls_b_);
}

template <class T>
std::size_t Encoder<T>::pooled_rows(std::size_t sequence) const {
  if (config_.pooling == EncoderConfig::Pooling::first) return 1;
  return key_lengths_.empty() ? time_ : key_lengths_.at(sequence);
}

template <class T>
T Encoder<T>::loss(const Tokens& mlm_targets, const Tokens& labels) {
  mlm_targets_ = mlm_targets;
  labels_ = labels;
  T total = 0;
  if (!mlm_targets.empty()) total += cross_entropy_forward(mlm_logits_, mlm_targets, mlm_probs_);
  if (!labels.empty()) total += cross_entropy_forward(cls_logits_, labels, cls_probs_);
  return total;
}

template <class T>
void Encoder<T>::backward() {
  Matrix<T> dhidden = xt::zeros<T>(hidden_.shape());
  if (!mlm_targets_.empty())
    dhidden += linear_backward(cross_entropy_backward(mlm_probs_, mlm_targets_), hidden_, mlm_w_, dmlm_w_, &dmlm_b_);
  if (!labels_.empty()) {
    const Matrix<T> dcls = linear_backward(cross_entropy_backward(cls_probs_, labels_), cls_input_, cls_w_, dcls_w_, &dcls_b_);
    for (std::size_t i = 0; i < batch_; ++i) {
      const std::size_t rows = pooled_rows(i);
      for (std::size_t t = 0; t < rows; ++t)
        for (std::size_t c = 0; c < config_.n_embd; ++c) dhidden(i * time_ + t, c) += dcls(i, c) / T(rows);
    }
  }
  const Matrix<T> dx = stack_.backward(dhidden, nullptr);
  embedding_backward(dx, tokens_, dwte_);
  if (config_.positions == EncoderConfig::Positions::learned) embedding_backward(dx, positions_of(batch_, time_), dwpe_);
}

template class Encoder<float>;
template class Encoder<double>;

MlmBatch mask_for_mlm(const Tokens& tokens, std::size_t batch, std::size_t time,
                      const std::vector<std::size_t>& key_lengths, std::size_t vocab, int mask_token, double rate,
                      std::mt19937_64& rng) {
  MlmBatch out{tokens, Tokens(tokens.size(), ignore_index)};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> any_token(0, int(vocab) - 1);
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t real = key_lengths.empty() ? time : key_lengths[b];
    for (std::size_t t = 0; t < real; ++t) {
      const std::size_t r = b * time + t;
      if (unit(rng) >= rate) continue;
      out.targets[r] = tokens[r];
      const double u = unit(rng);
      if (u < 0.8) out.inputs[r] = mask_token;
      else if (u < 0.9) out.inputs[r] = any_token(rng);
    }
  }
  return out;
}

}  // namespace nn
