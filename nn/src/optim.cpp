#include "nn/optim.hpp"

#include <cmath>
#include <utility>

#include "nn/parallel.hpp"

namespace nn {

template <class T>
bool decays_if_matrix(const ParamRef<T>& param) {
  return param.shape.size() >= 2;
}

template <class T>
AdamW<T>::AdamW(std::vector<ParamRef<T>> params, AdamWConfig config, DecayRule decays)
    : params_(std::move(params)), config_(config) {
  for (const auto& p : params_) {
    decays_.push_back(decays(p));
    m_.emplace_back(p.size, T(0));
    v_.emplace_back(p.size, T(0));
  }
}

template <class T>
void AdamW<T>::step(double lr) {
  ++steps_;
  const double t = double(steps_);
  // Scalars in double, as PyTorch computes them in Python, then applied in T.
  const double bias_correction1 = 1 - std::pow(config_.beta1, t);
  const double bias_correction2 = 1 - std::pow(config_.beta2, t);
  const T step_size = T(lr / bias_correction1);
  const T bias_correction2_sqrt = T(std::sqrt(bias_correction2));
  const T decay_factor = T(1 - lr * config_.weight_decay);
  for (std::size_t i = 0; i < params_.size(); ++i)
    update_one(i, decays_[i] ? decay_factor : T(1), step_size, bias_correction2_sqrt);
}

// One parameter tensor, in PyTorch's order: decay first (decoupled from the gradient), then the moments,
// then p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps), which is lr * mhat / (sqrt(vhat) + eps).
template <class T>
void AdamW<T>::update_one(std::size_t index, T decay_factor, T step_size, T bias_correction2_sqrt) {
  const ParamRef<T>& p = params_[index];
  T* m = m_[index].data();
  T* v = v_[index].data();
  const T beta1 = T(config_.beta1), beta2 = T(config_.beta2), eps = T(config_.eps);
  parallel_slices(p.size, p.size * 8, [&](std::size_t first, std::size_t last) {  // elements are independent
    for (std::size_t j = first; j < last; ++j) {
      const T g = p.grad[j];
      p.value[j] *= decay_factor;
      m[j] = beta1 * m[j] + (1 - beta1) * g;
      v[j] = beta2 * v[j] + (1 - beta2) * g * g;
      p.value[j] -= step_size * m[j] / (std::sqrt(v[j]) / bias_correction2_sqrt + eps);
    }
  });
}

template <class T>
T clip_grad_norm(const std::vector<ParamRef<T>>& params, T max_norm) {
  double sum_of_squares = 0;  // in double: millions of float squares lose digits in a float sum
  for (const auto& p : params)
    for (std::size_t j = 0; j < p.size; ++j) sum_of_squares += double(p.grad[j]) * double(p.grad[j]);
  const double norm = std::sqrt(sum_of_squares);
  const double factor = double(max_norm) / (norm + 1e-6);  // the 1e-6 keeps a zero norm finite
  if (factor < 1)
    for (const auto& p : params)
      for (std::size_t j = 0; j < p.size; ++j) p.grad[j] *= T(factor);
  return T(norm);
}

#define NN_INSTANTIATE(T)                                                  \
  template bool decays_if_matrix<T>(const ParamRef<T>&);                   \
  template class AdamW<T>;                                                 \
  template T clip_grad_norm<T>(const std::vector<ParamRef<T>>&, T);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
