#include "nn/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

// x (V) -> p (V) = softmax(x * inv_temperature); returns log sum_j exp(x_j * inv_temperature), so that
// -log p_t = result - x_t * inv_temperature without taking the log of a probability that underflowed.
template <class T>
T softmax_row(const T* x, T inv_temperature, T* p, std::size_t cols) {
  if (cols == 0) return T(0);  // no classes: nothing to normalise (and no max to take)
  const T max = *std::max_element(x, x + cols);  // exp of anything above 0 could overflow
  T sum = 0;
  for (std::size_t j = 0; j < cols; ++j) {
    p[j] = std::exp((x[j] - max) * inv_temperature);
    sum += p[j];
  }
  const T inv_sum = 1 / sum;
  for (std::size_t j = 0; j < cols; ++j) p[j] *= inv_sum;
  return max * inv_temperature + std::log(sum);
}

// targets (N) against V classes -> the number of counted rows; throws on a target outside [0, V) other than
// ignore_index, which would otherwise index past a row.
std::size_t counted_rows(const Tokens& targets, std::size_t rows, std::size_t vocab) {
  if (targets.size() != rows)
    throw std::invalid_argument("cross_entropy: " + std::to_string(targets.size()) + " targets for " +
                                std::to_string(rows) + " rows");
  std::size_t count = 0;
  for (std::size_t n = 0; n < rows; ++n) {
    const int t = targets[n];
    if (t == ignore_index) continue;
    if (t < 0 || std::size_t(t) >= vocab)
      throw std::out_of_range("cross_entropy: target " + std::to_string(t) + " at row " + std::to_string(n) +
                              " outside [0, " + std::to_string(vocab) + ")");
    ++count;
  }
  return count;
}

}  // namespace

// logits (N, V) -> probs (N, V)
template <class T>
Matrix<T> softmax_forward(const Matrix<T>& logits, T temperature) {
  if (!(temperature > 0)) throw std::invalid_argument("softmax: temperature must be > 0");
  const std::size_t rows = logits.shape(0), cols = logits.shape(1);
  Matrix<T> probs = Matrix<T>::from_shape({rows, cols});
  for (std::size_t n = 0; n < rows; ++n)
    softmax_row(logits.data() + n * cols, 1 / temperature, probs.data() + n * cols, cols);
  return probs;
}

// dprobs, probs (N, V) -> dlogits (N, V)
template <class T>
Matrix<T> softmax_backward(const Matrix<T>& dprobs, const Matrix<T>& probs, T temperature) {
  if (dprobs.shape() != probs.shape()) throw std::invalid_argument("softmax_backward: dprobs and probs shapes differ");
  const std::size_t rows = probs.shape(0), cols = probs.shape(1);
  const T inv_temperature = 1 / temperature;
  Matrix<T> dlogits = Matrix<T>::from_shape({rows, cols});
  for (std::size_t n = 0; n < rows; ++n) {
    const T* p = probs.data() + n * cols;
    const T* dp = dprobs.data() + n * cols;
    T* dl = dlogits.data() + n * cols;
    T p_dot_dp = 0;
    for (std::size_t j = 0; j < cols; ++j) p_dot_dp += p[j] * dp[j];
    for (std::size_t j = 0; j < cols; ++j) dl[j] = p[j] * (dp[j] - p_dot_dp) * inv_temperature;
  }
  return dlogits;
}

// logits (N, V), targets (N) -> mean loss over counted rows; probs (N, V) <- softmax(logits)
template <class T>
T cross_entropy_forward(const Matrix<T>& logits, const Tokens& targets, Matrix<T>& probs) {
  const std::size_t rows = logits.shape(0), cols = logits.shape(1);
  const std::size_t count = counted_rows(targets, rows, cols);
  probs = Matrix<T>::from_shape({rows, cols});
  T loss_sum = 0;
  for (std::size_t n = 0; n < rows; ++n) {
    const T* x = logits.data() + n * cols;
    const T log_normaliser = softmax_row(x, T(1), probs.data() + n * cols, cols);
    if (targets[n] != ignore_index) loss_sum += log_normaliser - x[targets[n]];
  }
  return count == 0 ? T(0) : loss_sum / T(count);
}

// probs (N, V), targets (N) -> dlogits (N, V)
template <class T>
Matrix<T> cross_entropy_backward(const Matrix<T>& probs, const Tokens& targets, T dloss) {
  const std::size_t rows = probs.shape(0), cols = probs.shape(1);
  const std::size_t count = counted_rows(targets, rows, cols);
  const T scale = count == 0 ? T(0) : dloss / T(count);
  Matrix<T> dlogits = Matrix<T>::from_shape({rows, cols});
  for (std::size_t n = 0; n < rows; ++n) {
    const T* p = probs.data() + n * cols;
    T* dl = dlogits.data() + n * cols;
    if (targets[n] == ignore_index) {
      std::fill(dl, dl + cols, T(0));
      continue;
    }
    for (std::size_t j = 0; j < cols; ++j) dl[j] = p[j] * scale;
    dl[targets[n]] -= scale;
  }
  return dlogits;
}

#define NN_INSTANTIATE(T)                                                                  \
  template Matrix<T> softmax_forward<T>(const Matrix<T>&, T);                              \
  template Matrix<T> softmax_backward<T>(const Matrix<T>&, const Matrix<T>&, T);           \
  template T cross_entropy_forward<T>(const Matrix<T>&, const Tokens&, Matrix<T>&);        \
  template Matrix<T> cross_entropy_backward<T>(const Matrix<T>&, const Tokens&, T);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
