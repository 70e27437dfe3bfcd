#include "nn/dropout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

// mask (n) <- scale where a uniform 32-bit draw is below keep_below, else 0: each element kept with probability
// keep_below / 2^32. One 64-bit draw decides two elements, one per half; that and the integer comparison make
// it ~3x faster than std::bernoulli_distribution, which spends a whole draw and a double division per element.
template <class T>
void draw_mask(T* mask, std::size_t n, std::uint64_t keep_below, T scale, std::mt19937_64& rng) {
  const auto decide = [&](std::uint64_t draw32) { return draw32 < keep_below ? scale : T(0); };
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) {
    const std::uint64_t bits = rng();
    mask[i] = decide(bits & 0xffffffffu);
    mask[i + 1] = decide(bits >> 32);
  }
  if (i < n) mask[i] = decide(rng() & 0xffffffffu);
}

}  // namespace

// inp (N, C) -> out (N, C); mask (N, C) <- 0 with probability p, else 1/(1-p)
template <class T>
Matrix<T> dropout_forward(const Matrix<T>& inp, double p, std::mt19937_64& rng, Matrix<T>& mask) {
  // p = 1 would scale the survivors by 1/0; NaN fails both comparisons and is refused too.
  if (!(p >= 0.0 && p < 1.0))
    throw std::invalid_argument("dropout: p = " + std::to_string(p) + " is outside [0, 1)");
  mask = Matrix<T>::from_shape(inp.shape());
  if (p == 0.0) {  // evaluation: no draws, so the rng stream is left as it was
    std::fill(mask.begin(), mask.end(), T(1));
    return inp;
  }
  draw_mask(mask.data(), mask.size(), std::uint64_t(std::ldexp(1.0 - p, 32)), T(1.0 / (1.0 - p)), rng);
  Matrix<T> out = Matrix<T>::from_shape(inp.shape());
  const T* x = inp.data();
  const T* m = mask.data();
  T* y = out.data();
  for (std::size_t i = 0; i < inp.size(); ++i) y[i] = x[i] * m[i];
  return out;
}

// dout, mask (N, C) -> dinp (N, C) = dout * mask
template <class T>
Matrix<T> dropout_backward(const Matrix<T>& dout, const Matrix<T>& mask) {
  if (dout.shape() != mask.shape()) throw std::invalid_argument("dropout_backward: dout and mask shapes differ");
  Matrix<T> dinp = Matrix<T>::from_shape(dout.shape());
  const T* d = dout.data();
  const T* m = mask.data();
  T* di = dinp.data();
  for (std::size_t i = 0; i < dout.size(); ++i) di[i] = d[i] * m[i];
  return dinp;
}

#define NN_INSTANTIATE(T)                                                                         \
  template Matrix<T> dropout_forward<T>(const Matrix<T>&, double, std::mt19937_64&, Matrix<T>&); \
  template Matrix<T> dropout_backward<T>(const Matrix<T>&, const Matrix<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
