#include "nn/baselines.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/softmax.hpp"

namespace nn {

namespace {

// PyTorch's default for the weights and biases of Linear, Conv2d and LSTM: U(-bound, bound) with
// bound = 1/sqrt(fan_in) (for the LSTM, fan_in is the hidden size).
template <class Tensor>
void init_uniform(Tensor& tensor, double bound, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(-bound, bound);
  for (auto& x : tensor) x = typename Tensor::value_type(uniform(rng));
}

double fan_in_bound(std::size_t fan_in) { return 1.0 / std::sqrt(double(fan_in)); }

// A convolution weight is stored (C_out, C_in*k*k) for the product; checkpoints and optimizers see
// PyTorch's (C_out, C_in, k, k).
template <class T>
ParamRef<T> conv_weight_ref(std::string name, Matrix<T>& value, Matrix<T>& grad, const Conv2dShape& shape) {
  ParamRef<T> ref = param_ref(std::move(name), value, grad);
  ref.shape = {value.shape(0), shape.input.channels, shape.kernel, shape.kernel};
  return ref;
}

}  // namespace

// ---- LSTM language model ---------------------------------------------------------------------------------

template <class T>
LstmLanguageModel<T>::LstmLanguageModel(const LstmLmConfig& config, std::uint64_t seed)
    : config_(config),
      embedding_(xt::zeros<T>({config.vocab, config.embed})),
      dembedding_(embedding_),
      lstm_(lstm_zeros<T>(config.embed, config.hidden)),
      dlstm_(lstm_),
      head_weight_(xt::zeros<T>({config.vocab, config.hidden})),
      dhead_weight_(head_weight_),
      head_bias_(xt::zeros<T>({config.vocab})),
      dhead_bias_(head_bias_) {
  std::mt19937_64 rng(seed);
  init_normal(embedding_, 1.0, rng);  // nn.Embedding's N(0, 1)
  const double lstm_bound = fan_in_bound(config.hidden);
  init_uniform(lstm_.weight_ih, lstm_bound, rng);
  init_uniform(lstm_.weight_hh, lstm_bound, rng);
  init_uniform(lstm_.bias_ih, lstm_bound, rng);
  init_uniform(lstm_.bias_hh, lstm_bound, rng);
  init_uniform(head_weight_, fan_in_bound(config.hidden), rng);
  init_uniform(head_bias_, fan_in_bound(config.hidden), rng);
}

template <class T>
std::vector<ParamRef<T>> LstmLanguageModel<T>::parameters() {
  return {param_ref("embedding.weight", embedding_, dembedding_),
          param_ref("lstm.weight_ih_l0", lstm_.weight_ih, dlstm_.weight_ih),
          param_ref("lstm.weight_hh_l0", lstm_.weight_hh, dlstm_.weight_hh),
          param_ref("lstm.bias_ih_l0", lstm_.bias_ih, dlstm_.bias_ih),
          param_ref("lstm.bias_hh_l0", lstm_.bias_hh, dlstm_.bias_hh),
          param_ref("head.weight", head_weight_, dhead_weight_),
          param_ref("head.bias", head_bias_, dhead_bias_)};
}

template <class T>
const Matrix<T>& LstmLanguageModel<T>::forward(const Tokens& tokens, std::size_t batch, std::size_t time) {
  if (batch == 0 || tokens.size() != batch * time)
    throw std::invalid_argument("LstmLanguageModel: tokens are not batch * time");
  acts_.batch = batch;
  acts_.tokens = tokens;
  acts_.embedded = embedding_forward(tokens, embedding_);
  lstm_forward(acts_.embedded, lstm_, batch, acts_.lstm);
  acts_.logits = linear_forward(acts_.lstm.hidden, head_weight_, &head_bias_);
  return acts_.logits;
}

template <class T>
T LstmLanguageModel<T>::loss(const Tokens& targets) {
  acts_.targets = targets;
  return cross_entropy_forward(acts_.logits, targets, acts_.probs);
}

template <class T>
void LstmLanguageModel<T>::backward() {
  const Matrix<T> dlogits = cross_entropy_backward(acts_.probs, acts_.targets);
  const Matrix<T> dhidden = linear_backward(dlogits, acts_.lstm.hidden, head_weight_, dhead_weight_, &dhead_bias_);
  const Matrix<T> dembedded = lstm_backward(dhidden, acts_.embedded, lstm_, acts_.batch, acts_.lstm, dlstm_);
  embedding_backward(dembedded, acts_.tokens, dembedding_);
}

// ---- small CNN -------------------------------------------------------------------------------------------

template <class T>
SmallCnn<T>::SmallCnn(const SmallCnnConfig& config, std::uint64_t seed) : config_(config) {
  if (config.image_size == 0 || config.image_size % 4 != 0)
    throw std::invalid_argument("SmallCnn: image_size must be a positive multiple of 4 (two 2x2 poolings)");
  const std::size_t pooled_side = config.image_size / 4;
  const std::size_t fc_in = config.channels2 * pooled_side * pooled_side;
  conv1_weight_ = xt::zeros<T>({config.channels1, conv1_shape().input.channels * 9});
  conv2_weight_ = xt::zeros<T>({config.channels2, config.channels1 * 9});
  fc_weight_ = xt::zeros<T>({config.classes, fc_in});
  conv1_bias_ = xt::zeros<T>({config.channels1});
  conv2_bias_ = xt::zeros<T>({config.channels2});
  fc_bias_ = xt::zeros<T>({config.classes});
  std::mt19937_64 rng(seed);
  for (auto [weight, bias] : {std::pair{&conv1_weight_, &conv1_bias_}, std::pair{&conv2_weight_, &conv2_bias_},
                              std::pair{&fc_weight_, &fc_bias_}}) {
    const double bound = fan_in_bound(weight->shape(1));
    init_uniform(*weight, bound, rng);
    init_uniform(*bias, bound, rng);
  }
  dconv1_weight_ = xt::zeros<T>(conv1_weight_.shape());
  dconv2_weight_ = xt::zeros<T>(conv2_weight_.shape());
  dfc_weight_ = xt::zeros<T>(fc_weight_.shape());
  dconv1_bias_ = xt::zeros<T>(conv1_bias_.shape());
  dconv2_bias_ = xt::zeros<T>(conv2_bias_.shape());
  dfc_bias_ = xt::zeros<T>(fc_bias_.shape());
}

template <class T>
Conv2dShape SmallCnn<T>::conv1_shape() const {
  return {{3, config_.image_size, config_.image_size}, 3, 1};
}

template <class T>
Conv2dShape SmallCnn<T>::conv2_shape() const {
  return {max_pool2x2_output(conv1_shape().output(config_.channels1)), 3, 1};
}

template <class T>
std::vector<ParamRef<T>> SmallCnn<T>::parameters() {
  return {conv_weight_ref("conv1.weight", conv1_weight_, dconv1_weight_, conv1_shape()),
          param_ref("conv1.bias", conv1_bias_, dconv1_bias_),
          conv_weight_ref("conv2.weight", conv2_weight_, dconv2_weight_, conv2_shape()),
          param_ref("conv2.bias", conv2_bias_, dconv2_bias_),
          param_ref("fc.weight", fc_weight_, dfc_weight_),
          param_ref("fc.bias", fc_bias_, dfc_bias_)};
}

template <class T>
const Matrix<T>& SmallCnn<T>::forward(const Matrix<T>& images) {
  acts_.images = images;
  acts_.conv1 = conv2d_forward(images, conv1_weight_, conv1_bias_, conv1_shape());
  acts_.pool1 =
      max_pool2x2_forward(relu_forward(acts_.conv1), conv1_shape().output(config_.channels1), acts_.pool1_cache);
  acts_.conv2 = conv2d_forward(acts_.pool1, conv2_weight_, conv2_bias_, conv2_shape());
  acts_.pool2 =
      max_pool2x2_forward(relu_forward(acts_.conv2), conv2_shape().output(config_.channels2), acts_.pool2_cache);
  acts_.logits = linear_forward(acts_.pool2, fc_weight_, &fc_bias_);
  return acts_.logits;
}

template <class T>
T SmallCnn<T>::loss(const Tokens& labels) {
  acts_.labels = labels;
  return cross_entropy_forward(acts_.logits, labels, acts_.probs);
}

template <class T>
void SmallCnn<T>::backward() {
  const Matrix<T> dlogits = cross_entropy_backward(acts_.probs, acts_.labels);
  const Matrix<T> dpool2 = linear_backward(dlogits, acts_.pool2, fc_weight_, dfc_weight_, &dfc_bias_);
  const Matrix<T> dconv2 = relu_backward(
      max_pool2x2_backward(dpool2, conv2_shape().output(config_.channels2), acts_.pool2_cache), acts_.conv2);
  const Matrix<T> dpool1 =
      conv2d_backward(dconv2, acts_.pool1, conv2_weight_, conv2_shape(), dconv2_weight_, dconv2_bias_);
  const Matrix<T> dconv1 = relu_backward(
      max_pool2x2_backward(dpool1, conv1_shape().output(config_.channels1), acts_.pool1_cache), acts_.conv1);
  conv2d_backward(dconv1, acts_.images, conv1_weight_, conv1_shape(), dconv1_weight_, dconv1_bias_);  // dimages unused
}

template class LstmLanguageModel<float>;
template class LstmLanguageModel<double>;
template class SmallCnn<float>;
template class SmallCnn<double>;

}  // namespace nn
