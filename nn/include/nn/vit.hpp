#pragma once
// A Vision Transformer: the image cut into square patches, each patch a linear embedding, a learned [CLS]
// token in front, learned positions, bidirectional pre-LN blocks, and a classifier on the [CLS] row.
#include <functional>
#include <random>

#include "nn/stack.hpp"

namespace nn {

struct VitConfig {
  std::size_t image_size = 32;  // square images
  std::size_t channels = 3;
  std::size_t patch = 4;  // divides image_size
  std::size_t n_layer = 2;
  std::size_t n_head = 4;
  std::size_t n_embd = 64;
  std::size_t ffn_hidden = 0;  // 0: 4 n_embd
  std::size_t n_classes = 10;
  double dropout = 0.0;
  double norm_eps = 1e-5;
  std::size_t patches_per_image() const { return (image_size / patch) * (image_size / patch); }
  std::size_t patch_width() const { return channels * patch * patch; }
};

// images (N, channels * size * size), channel planes row by row (CIFAR's layout) -> patches
// (N * P, channels * patch * patch); patch p = row * (size / patch) + column, features ordered (channel, dy, dx).
template <class T>
Matrix<T> patchify(const Matrix<T>& images, std::size_t channels, std::size_t image_size, std::size_t patch);

// The step between the patch embedding and the blocks, computed outside the model (an exercise calls a
// student's code here): forward maps the embedded patches (N * P, C), the [CLS] token (1, C) and the position
// table (P + 1, C) to the blocks' input (N * (P + 1), C); backward maps the gradient of that input to the
// embedded patches' (N * P, C) and adds into dcls_token and dwpe.
template <class T>
struct VitAssembly {
  std::function<Matrix<T>(const Matrix<T>& embedded, const Matrix<T>& cls_token, const Matrix<T>& wpe)> forward;
  std::function<Matrix<T>(const Matrix<T>& dx, Matrix<T>& dcls_token, Matrix<T>& dwpe)> backward;
};

template <class T>
class Vit {
 public:
  Vit(const VitConfig& config, std::uint64_t seed);
  // "patch_embed.weight/bias", "cls_token", "wpe.weight", "h.{l}.*", "ln_f.*", "head.weight/bias".
  std::vector<ParamRef<T>> parameters();
  const Matrix<T>& forward(const Matrix<T>& images);  // -> logits (N, n_classes)
  // The same from patches cut outside the model: (N * P, patch_width), as patchify lays them out.
  const Matrix<T>& forward_patches(const Matrix<T>& patches);
  // nullptr (the default): the model's own assembly, [CLS] first, then the patches, plus the positions.
  void set_assembly(const VitAssembly<T>* assembly) { assembly_ = assembly; }
  T loss(const Tokens& labels);                        // mean cross-entropy
  void backward();
  void train(bool on) { training_ = on; }

 private:
  VitConfig config_;
  std::mt19937_64 init_rng_;
  Matrix<T> patch_w_, cls_token_, wpe_, head_w_, dpatch_w_, dcls_token_, dwpe_, dhead_w_;
  Vector<T> patch_b_, head_b_, dpatch_b_, dhead_b_;
  BlockStack<T> stack_;
  bool training_ = false;
  std::mt19937_64 dropout_rng_;
  std::size_t images_ = 0;
  Tokens labels_;
  Matrix<T> patches_, hidden_, cls_rows_, logits_, probs_;
  const VitAssembly<T>* assembly_ = nullptr;

  Matrix<T> assemble(const Matrix<T>& embedded) const;
  Matrix<T> assemble_backward(const Matrix<T>& dx);
};

}  // namespace nn
