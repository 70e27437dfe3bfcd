#pragma once
// AdamW as torch.optim.AdamW (PyTorch 1.13) computes it, and global gradient-norm clipping as
// torch.nn.utils.clip_grad_norm_. Both work on the ParamRef views a model hands out; the optimizer owns
// only its moment buffers.
#include <cstddef>
#include <functional>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

struct AdamWConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

// nanoGPT's rule: weight decay for tensors of 2 or more dimensions (matmul weights, embeddings), none for
// 1-D ones (biases, norm gains), whose decay only hurts.
template <class T>
bool decays_if_matrix(const ParamRef<T>& param);

template <class T>
class AdamW {
 public:
  // Whether a parameter gets weight decay; decided once, at construction.
  using DecayRule = std::function<bool(const ParamRef<T>&)>;

  AdamW(std::vector<ParamRef<T>> params, AdamWConfig config, DecayRule decays = decays_if_matrix<T>);

  // One update of every parameter from its current gradient, at learning rate lr (a schedule's value):
  //   p *= 1 - lr wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
  //   p -= lr mhat / (sqrt(vhat) + eps),  mhat = m / (1 - b1^t), vhat = v / (1 - b2^t), t = steps so far.
  void step(double lr);
  void step() { step(config_.lr); }

  std::size_t steps_taken() const { return steps_; }
  const std::vector<ParamRef<T>>& params() const { return params_; }
  bool decays(std::size_t index) const { return decays_.at(index); }

 private:
  void update_one(std::size_t index, T decay_factor, T step_size, T bias_correction2_sqrt);

  std::vector<ParamRef<T>> params_;
  AdamWConfig config_;
  std::vector<bool> decays_;
  std::vector<std::vector<T>> m_;  // first moments, one buffer per parameter
  std::vector<std::vector<T>> v_;  // second moments
  std::size_t steps_ = 0;
};

// Scales every gradient by max_norm / (norm + 1e-6) when that factor is below 1, norm being the L2 norm of
// all gradients together (PyTorch's rule). Returns the norm before clipping.
template <class T>
T clip_grad_norm(const std::vector<ParamRef<T>>& params, T max_norm);

}  // namespace nn
