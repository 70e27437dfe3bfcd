#include "nn/position.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("positions: " + what);
}

// base^(-2d/dim) for d < dim/2: the angular speed of pair d, in radians per position.
std::vector<double> pair_frequencies(std::size_t dim, double base) {
  std::vector<double> frequencies(dim / 2);
  for (std::size_t d = 0; d < frequencies.size(); ++d) frequencies[d] = std::pow(base, -2.0 * double(d) / double(dim));
  return frequencies;
}

// x (N, n_head*head_dim) -> x with every rotate-half pair (d, d + head_dim/2) of row r turned by
// sign * positions[r] * frequency[d]: sign +1 is rope_forward, -1 its transpose.
template <class T>
Matrix<T> rotate_pairs(const Matrix<T>& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                       std::size_t head_dim, double base, double sign) {
  require(head_dim % 2 == 0, "rope needs an even head_dim");
  require(x.shape(1) == n_head * head_dim,
          "x has " + std::to_string(x.shape(1)) + " columns, expected n_head * head_dim");
  require(positions.size() == x.shape(0), "rope needs one position per row");
  const std::size_t half = head_dim / 2, cols = x.shape(1);
  const std::vector<double> frequencies = pair_frequencies(head_dim, base);
  std::vector<T> cos(half), sin(half);  // of this row's angles, shared by its heads
  Matrix<T> out = Matrix<T>::from_shape(x.shape());
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    for (std::size_t d = 0; d < half; ++d) {
      const double angle = sign * double(positions[r]) * frequencies[d];
      cos[d] = T(std::cos(angle));
      sin[d] = T(std::sin(angle));
    }
    for (std::size_t h = 0; h < n_head; ++h) {
      const T* in = x.data() + r * cols + h * head_dim;
      T* rotated = out.data() + r * cols + h * head_dim;
      for (std::size_t d = 0; d < half; ++d) {
        const T first = in[d], second = in[d + half];
        rotated[d] = first * cos[d] - second * sin[d];
        rotated[d + half] = second * cos[d] + first * sin[d];
      }
    }
  }
  return out;
}

}  // namespace

// -> (length, dim): sin on even columns, cos on odd ones, pair i at wavelength 2 pi base^(2i/dim).
template <class T>
Matrix<T> sinusoidal_positions(std::size_t length, std::size_t dim, double base) {
  require(dim % 2 == 0, "sinusoidal positions need an even dim");
  const std::vector<double> frequencies = pair_frequencies(dim, base);
  Matrix<T> table = Matrix<T>::from_shape({length, dim});
  for (std::size_t t = 0; t < length; ++t)
    for (std::size_t i = 0; i < dim / 2; ++i) {
      const double angle = double(t) * frequencies[i];
      table(t, 2 * i) = T(std::sin(angle));
      table(t, 2 * i + 1) = T(std::cos(angle));
    }
  return table;
}

// x (N, n_head*head_dim) -> (N, n_head*head_dim).
template <class T>
Matrix<T> rope_forward(const Matrix<T>& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                       std::size_t head_dim, double base) {
  return rotate_pairs(x, positions, n_head, head_dim, base, 1.0);
}

// dout (N, n_head*head_dim) -> dx (N, n_head*head_dim): rope is linear, its adjoint the opposite rotation.
template <class T>
Matrix<T> rope_backward(const Matrix<T>& dout, const std::vector<std::size_t>& positions, std::size_t n_head,
                        std::size_t head_dim, double base) {
  return rotate_pairs(dout, positions, n_head, head_dim, base, -1.0);
}

#define NN_INSTANTIATE(T)                                                                                          \
  template Matrix<T> sinusoidal_positions<T>(std::size_t, std::size_t, double);                                    \
  template Matrix<T> rope_forward<T>(const Matrix<T>&, const std::vector<std::size_t>&, std::size_t, std::size_t,  \
                                     double);                                                                      \
  template Matrix<T> rope_backward<T>(const Matrix<T>&, const std::vector<std::size_t>&, std::size_t, std::size_t, \
                                      double);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
