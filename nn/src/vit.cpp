#include "nn/vit.hpp"

#include <stdexcept>

#include "nn/linear.hpp"
#include "nn/softmax.hpp"

namespace nn {

template <class T>
Matrix<T> patchify(const Matrix<T>& images, std::size_t channels, std::size_t size, std::size_t patch) {
  if (patch == 0 || size % patch != 0 || images.shape(1) != channels * size * size)
    throw std::invalid_argument("patchify: images must be (N, channels*size*size) with patch dividing size");
  const std::size_t per_side = size / patch, P = per_side * per_side, width = channels * patch * patch;
  Matrix<T> out = Matrix<T>::from_shape({images.shape(0) * P, width});
  for (std::size_t n = 0; n < images.shape(0); ++n)
    for (std::size_t p = 0; p < P; ++p) {
      const std::size_t top = (p / per_side) * patch, left = (p % per_side) * patch;
      T* row = out.data() + (n * P + p) * width;
      for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t dy = 0; dy < patch; ++dy)
          for (std::size_t dx = 0; dx < patch; ++dx)
            *row++ = images(n, c * size * size + (top + dy) * size + left + dx);
    }
  return out;
}


template <class T>
Vit<T>::Vit(const VitConfig& config, std::uint64_t seed)
    : config_(config),
      init_rng_(seed),
      patch_w_(xt::zeros<T>({config.n_embd, config.patch_width()})),
      cls_token_(xt::zeros<T>({std::size_t(1), config.n_embd})),
      wpe_(xt::zeros<T>({config.patches_per_image() + 1, config.n_embd})),
      head_w_(xt::zeros<T>({config.n_classes, config.n_embd})),
      patch_b_(xt::zeros<T>({config.n_embd})),
      head_b_(xt::zeros<T>({config.n_classes})),
      stack_(bidirectional_block(config.n_embd, config.n_head, config.ffn_hidden, config.norm_eps, config.dropout),
             config.n_layer, 0, init_rng_),
      dropout_rng_(seed + 1) {
  for (Matrix<T>* w : {&patch_w_, &cls_token_, &wpe_, &head_w_}) init_normal(*w, 0.02, init_rng_);
  dpatch_w_ = xt::zeros<T>(patch_w_.shape());
  dcls_token_ = xt::zeros<T>(cls_token_.shape());
  dwpe_ = xt::zeros<T>(wpe_.shape());
  dhead_w_ = xt::zeros<T>(head_w_.shape());
  dpatch_b_ = xt::zeros<T>(patch_b_.shape());
  dhead_b_ = xt::zeros<T>(head_b_.shape());
}

template <class T>
std::vector<ParamRef<T>> Vit<T>::parameters() {
  std::vector<ParamRef<T>> out{param_ref("patch_embed.weight", patch_w_, dpatch_w_),
                               param_ref("patch_embed.bias", patch_b_, dpatch_b_),
                               param_ref("cls_token", cls_token_, dcls_token_), param_ref("wpe.weight", wpe_, dwpe_)};
  stack_.append_params(out);
  out.push_back(param_ref("head.weight", head_w_, dhead_w_));
  out.push_back(param_ref("head.bias", head_b_, dhead_b_));
  return out;
}

template <class T>
const Matrix<T>& Vit<T>::forward(const Matrix<T>& images) {
  return forward_patches(patchify(images, config_.channels, config_.image_size, config_.patch));
}

template <class T>
Matrix<T> Vit<T>::assemble(const Matrix<T>& embedded) const {
  if (assembly_) return assembly_->forward(embedded, cls_token_, wpe_);
  const std::size_t N = images_, P = config_.patches_per_image(), S = P + 1, C = config_.n_embd;
  Matrix<T> x = Matrix<T>::from_shape({N * S, C});  // sequence: [CLS], patch 0, ..., patch P-1
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t c = 0; c < C; ++c)
        x(n * S + s, c) = (s == 0 ? cls_token_(0, c) : embedded(n * P + s - 1, c)) + wpe_(s, c);
  return x;
}

template <class T>
const Matrix<T>& Vit<T>::forward_patches(const Matrix<T>& patches) {
  const std::size_t P = config_.patches_per_image(), S = P + 1, C = config_.n_embd;
  if (patches.shape(0) % P != 0 || patches.shape(1) != config_.patch_width())
    throw std::invalid_argument("Vit::forward_patches: patches must be (N * patches_per_image, patch_width)");
  const std::size_t N = patches.shape(0) / P;
  images_ = N;
  patches_ = patches;
  const Matrix<T> x = assemble(linear_forward(patches_, patch_w_, &patch_b_));  // (N S, C)
  if (x.shape(0) != N * S || x.shape(1) != C)
    throw std::invalid_argument("Vit: the assembly must return (N * (patches_per_image + 1), n_embd)");
  const BlockConfig& b = stack_.config();
  SequenceLayout layout;
  layout.self = {N, S, S, b.n_head, b.n_kv_head, b.head_dim(), 0};
  layout.self_mask.kind = MaskKind::bidirectional;
  hidden_ = stack_.forward(x, nullptr, layout, training_, &dropout_rng_);
  cls_rows_ = Matrix<T>::from_shape({N, C});
  for (std::size_t n = 0; n < N; ++n) std::copy_n(hidden_.data() + n * S * C, C, cls_rows_.data() + n * C);
  logits_ = linear_forward(cls_rows_, head_w_, &head_b_);
  return logits_;
}

template <class T>
T Vit<T>::loss(const Tokens& labels) {
  labels_ = labels;
  return cross_entropy_forward(logits_, labels, probs_);
}

template <class T>
void Vit<T>::backward() {
  const std::size_t N = images_, S = config_.patches_per_image() + 1, C = config_.n_embd;
  const Matrix<T> dcls_rows = linear_backward(cross_entropy_backward(probs_, labels_), cls_rows_, head_w_, dhead_w_, &dhead_b_);
  Matrix<T> dhidden = xt::zeros<T>(hidden_.shape());
  for (std::size_t n = 0; n < N; ++n) std::copy_n(dcls_rows.data() + n * C, C, dhidden.data() + n * S * C);
  const Matrix<T> dx = stack_.backward(dhidden, nullptr);
  const Matrix<T> dembedded = assemble_backward(dx);
  if (dembedded.shape(0) != patches_.shape(0) || dembedded.shape(1) != C)
    throw std::invalid_argument("Vit: the assembly's backward must return (N * patches_per_image, n_embd)");
  linear_backward(dembedded, patches_, patch_w_, dpatch_w_, &dpatch_b_);  // the image itself needs no gradient
}

template <class T>
Matrix<T> Vit<T>::assemble_backward(const Matrix<T>& dx) {
  if (assembly_) return assembly_->backward(dx, dcls_token_, dwpe_);
  const std::size_t N = images_, P = config_.patches_per_image(), S = P + 1, C = config_.n_embd;
  Matrix<T> dembedded = Matrix<T>::from_shape({N * P, C});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t c = 0; c < C; ++c) {
        const T d = dx(n * S + s, c);
        dwpe_(s, c) += d;
        if (s == 0) dcls_token_(0, c) += d;
        else dembedded(n * P + s - 1, c) = d;
      }
  return dembedded;
}

template Matrix<float> patchify<float>(const Matrix<float>&, std::size_t, std::size_t, std::size_t);
template Matrix<double> patchify<double>(const Matrix<double>&, std::size_t, std::size_t, std::size_t);
template class Vit<float>;
template class Vit<double>;

}  // namespace nn
