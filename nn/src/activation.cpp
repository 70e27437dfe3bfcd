#include "nn/activation.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "nn/parallel.hpp"
#include "nn/simd.hpp"

namespace nn {

namespace {

template <class T>
void require_same_shape(const Matrix<T>& a, const Matrix<T>& b, const char* what) {
  if (a.shape() != b.shape()) throw std::invalid_argument(std::string(what) + ": operand shapes differ");
}

// a (N, C) -> out (N, C) = f(a) elementwise, over raw pointers
template <class T, class F>
Matrix<T> map(const Matrix<T>& a, F f) {
  Matrix<T> out = Matrix<T>::from_shape(a.shape());
  const T* x = a.data();
  T* y = out.data();
  for (std::size_t i = 0; i < a.size(); ++i) y[i] = f(x[i]);
  return out;
}

// a, b (N, C) -> out (N, C) = f(a, b) elementwise
template <class T, class F>
Matrix<T> map(const Matrix<T>& a, const Matrix<T>& b, F f, const char* what) {
  require_same_shape(a, b, what);
  Matrix<T> out = Matrix<T>::from_shape(a.shape());
  const T* x = a.data();
  const T* z = b.data();
  T* y = out.data();
  for (std::size_t i = 0; i < a.size(); ++i) y[i] = f(x[i], z[i]);
  return out;
}

template <class T>
T sigmoid(T x) {
  return 1 / (1 + std::exp(-x));
}

template <class T>
constexpr T gelu_scale = T(0.7978845608028654);  // sqrt(2 / pi)
template <class T>
constexpr T gelu_cubic = T(0.044715);

// The tanh argument u = sqrt(2/pi) (x + 0.044715 x^3) of the header's formula, and du/dx.
// V is T itself or, for float, simd::Floats.
template <class T, class V = T>
SIMD_INLINE V gelu_arg(const V& x) {
  return gelu_scale<T> * (x + gelu_cubic<T> * x * x * x);
}
template <class T, class V = T>
SIMD_INLINE V gelu_arg_derivative(const V& x) {
  return gelu_scale<T> * (T(1) + T(3) * gelu_cubic<T> * x * x);
}

// 0.5 x (1 + tanh u) computed as x sigmoid(2u), the same function: 0.5 (1 + tanh u) = sigmoid(2u). One exp
// instead of a tanh is ~4x faster in float (glibc's tanhf is not the fast path), and has no cancellation.
template <class T>
T gelu(T x) {
  return x * sigmoid(2 * gelu_arg<T>(x));
}

// d/dx x s(2u) = s(2u) + x s(2u) (1 - s(2u)) 2 du/dx, s the sigmoid
template <class T>
T gelu_derivative(T x) {
  const T s = sigmoid(2 * gelu_arg<T>(x));
  return s + x * s * (1 - s) * 2 * gelu_arg_derivative<T>(x);
}

// Work per element, in multiply-adds, as nn/parallel.hpp counts it: an exponential and a dozen operations.
constexpr std::size_t gelu_cost = 16;

// The same two functions sixteen floats at a time (the float path of training; the double path above is
// the one the finite-difference checks see, and nn_layers compares the two).
SIMD_CLONES void gelu_floats(const float* x, float* y, std::size_t n) {
  simd::map(x, y, n, [](const simd::Floats& v) SIMD_LAMBDA { return v * simd::sigmoid(2.f * gelu_arg<float>(v)); });
}
SIMD_CLONES void gelu_backward_floats(const float* dout, const float* x, float* dx, std::size_t n) {
  simd::map(dout, x, dx, n, [](const simd::Floats& d, const simd::Floats& v) SIMD_LAMBDA {
    const simd::Floats s = simd::sigmoid(2.f * gelu_arg<float>(v));
    return d * (s + v * s * (1.f - s) * 2.f * gelu_arg_derivative<float>(v));
  });
}

}  // namespace

// inp (N, C) -> out (N, C)
template <class T>
Matrix<T> gelu_forward(const Matrix<T>& inp) {
  if constexpr (std::is_same_v<T, float>) {
    Matrix<T> out = Matrix<T>::from_shape(inp.shape());
    parallel_slices(inp.size(), inp.size() * gelu_cost, [&](std::size_t begin, std::size_t end) {
      gelu_floats(inp.data() + begin, out.data() + begin, end - begin);
    });
    return out;
  } else {
    return map(inp, gelu<T>);
  }
}

// dout, inp (N, C) -> dinp (N, C)
template <class T>
Matrix<T> gelu_backward(const Matrix<T>& dout, const Matrix<T>& inp) {
  if constexpr (std::is_same_v<T, float>) {
    require_same_shape(dout, inp, "gelu_backward");
    Matrix<T> dinp = Matrix<T>::from_shape(inp.shape());
    parallel_slices(inp.size(), inp.size() * gelu_cost, [&](std::size_t begin, std::size_t end) {
      gelu_backward_floats(dout.data() + begin, inp.data() + begin, dinp.data() + begin, end - begin);
    });
    return dinp;
  } else {
    return map(dout, inp, [](T d, T x) { return d * gelu_derivative(x); }, "gelu_backward");
  }
}

// inp (N, C) -> out (N, C)
template <class T>
Matrix<T> relu_forward(const Matrix<T>& inp) {
  return map(inp, [](T x) { return x > 0 ? x : T(0); });
}

// dout, inp (N, C) -> dinp (N, C)
template <class T>
Matrix<T> relu_backward(const Matrix<T>& dout, const Matrix<T>& inp) {
  return map(dout, inp, [](T d, T x) { return x > 0 ? d : T(0); }, "relu_backward");
}

// gate, up (N, C) -> out (N, C) = silu(gate) * up
template <class T>
Matrix<T> swiglu_forward(const Matrix<T>& gate, const Matrix<T>& up) {
  return map(gate, up, [](T g, T u) { return g * sigmoid(g) * u; }, "swiglu_forward");
}

// dout, gate, up (N, C) -> dgate, dup (N, C); silu'(g) = sigmoid(g) (1 + g (1 - sigmoid(g)))
template <class T>
SwigluGrads<T> swiglu_backward(const Matrix<T>& dout, const Matrix<T>& gate, const Matrix<T>& up) {
  require_same_shape(dout, gate, "swiglu_backward");
  require_same_shape(dout, up, "swiglu_backward");
  SwigluGrads<T> grads{Matrix<T>::from_shape(dout.shape()), Matrix<T>::from_shape(dout.shape())};
  const T *d = dout.data(), *g = gate.data(), *u = up.data();
  T *dg = grads.dgate.data(), *du = grads.dup.data();
  for (std::size_t i = 0; i < dout.size(); ++i) {
    const T s = sigmoid(g[i]);
    dg[i] = d[i] * u[i] * s * (1 + g[i] * (1 - s));
    du[i] = d[i] * g[i] * s;
  }
  return grads;
}

#define NN_INSTANTIATE(T)                                                                                      \
  template Matrix<T> gelu_forward<T>(const Matrix<T>&);                                                        \
  template Matrix<T> gelu_backward<T>(const Matrix<T>&, const Matrix<T>&);                                     \
  template Matrix<T> relu_forward<T>(const Matrix<T>&);                                                        \
  template Matrix<T> relu_backward<T>(const Matrix<T>&, const Matrix<T>&);                                     \
  template Matrix<T> swiglu_forward<T>(const Matrix<T>&, const Matrix<T>&);                                    \
  template SwigluGrads<T> swiglu_backward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
