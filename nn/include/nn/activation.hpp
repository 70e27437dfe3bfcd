#pragma once
// Elementwise activations and the gated (SwiGLU) combination. Shapes in = shapes out.
#include "nn/tensor.hpp"

namespace nn {

// GELU, tanh approximation (GPT-2's; PyTorch's GELU(approximate="tanh")):
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <class T>
Matrix<T> gelu_forward(const Matrix<T>& inp);
template <class T>
Matrix<T> gelu_backward(const Matrix<T>& dout, const Matrix<T>& inp);

template <class T>
Matrix<T> relu_forward(const Matrix<T>& inp);
template <class T>
Matrix<T> relu_backward(const Matrix<T>& dout, const Matrix<T>& inp);  // derivative at 0 taken as 0

// SwiGLU: out = silu(gate) * up, silu(x) = x sigmoid(x). The FFN built on it is
// W_down (silu(W_gate x) * (W_up x)); the two linears are ordinary linear layers.
template <class T>
Matrix<T> swiglu_forward(const Matrix<T>& gate, const Matrix<T>& up);
template <class T>
struct SwigluGrads {
  Matrix<T> dgate;
  Matrix<T> dup;
};
template <class T>
SwigluGrads<T> swiglu_backward(const Matrix<T>& dout, const Matrix<T>& gate, const Matrix<T>& up);

}  // namespace nn
