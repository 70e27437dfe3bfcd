#pragma once
// The shared transformer library (namespace nn): the types every layer uses.
//
// Rules, in the spirit of llm.c:
// - Activations are 2-D, rows = positions (batch * time flattened, row b * T + t), columns = features.
// - Every layer is a pair of free functions: `x_forward` returns its output; `x_backward` takes dout =
//   dL/dout, returns dL/dinput and ADDS parameter gradients into the grad tensors it is given (+=), so a
//   weight used twice (tied embeddings) collects both contributions.
// - Weights are stored as PyTorch stores them: a linear layer's weight is (C_out, C_in).
// - Everything is a template on the scalar, instantiated for float (training, benchmarks) and double
//   (finite-difference gradient checks) in the .cpp files.
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace nn {

template <class T>
using Vector = xt::xtensor<T, 1>;
template <class T>
using Matrix = xt::xtensor<T, 2>;

// Token ids (and class labels). -1 marks a position a loss ignores (padding, unmasked MLM positions).
using Tokens = std::vector<int>;
inline constexpr int ignore_index = -1;

// A view of one parameter tensor and its gradient, by name: what optimizers, clipping, checkpoints and
// the gradient checks iterate over. The model owns the storage.
template <class T>
struct ParamRef {
  std::string name;
  std::vector<std::size_t> shape;
  T* value;
  T* grad;
  std::size_t size;
};

template <class T, std::size_t N>
ParamRef<T> param_ref(std::string name, xt::xtensor<T, N>& value, xt::xtensor<T, N>& grad) {
  return {std::move(name), std::vector<std::size_t>(value.shape().begin(), value.shape().end()), value.data(),
          grad.data(), value.size()};
}

// Sets every gradient to zero (before a backward pass: backward functions accumulate).
template <class T>
void zero_grads(const std::vector<ParamRef<T>>& params) {
  for (const auto& p : params) std::fill(p.grad, p.grad + p.size, T(0));
}

}  // namespace nn
