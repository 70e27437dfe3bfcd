#include "nn/norm.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/parallel.hpp"

namespace nn {

// LayerNorm and RMSNorm share one row transform, norm = (x - mean) * rstd, out = norm * weight (+ bias);
// RMSNorm is the case mean = 0 with rstd = 1/rms. The backward of that transform is shared the same way.

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("norm: ") + what);
}

template <class T>
struct RowStats {
  T mean;
  T rstd;
};

// x (C) -> mean and 1/sqrt(biased variance + eps); two passes, since E[x^2] - mean^2 cancels badly in float.
template <class T>
RowStats<T> layernorm_stats(const T* x, std::size_t cols, T eps) {
  T sum = 0;
  for (std::size_t j = 0; j < cols; ++j) sum += x[j];
  const T mean = sum / T(cols);
  T square_sum = 0;
  for (std::size_t j = 0; j < cols; ++j) square_sum += (x[j] - mean) * (x[j] - mean);
  return {mean, 1 / std::sqrt(square_sum / T(cols) + eps)};
}

// x (C) -> 1/sqrt(mean(x^2) + eps)
template <class T>
T rms_rstd(const T* x, std::size_t cols, T eps) {
  T square_sum = 0;
  for (std::size_t j = 0; j < cols; ++j) square_sum += x[j] * x[j];
  return 1 / std::sqrt(square_sum / T(cols) + eps);
}

// x (C) -> out (C) = (x - mean) * rstd * weight + bias; bias may be null (RMSNorm)
template <class T>
void normalize_row(const T* x, T mean, T rstd, const T* weight, const T* bias, T* out, std::size_t cols) {
  for (std::size_t j = 0; j < cols; ++j) out[j] = (x[j] - mean) * rstd * weight[j];
  if (bias)
    for (std::size_t j = 0; j < cols; ++j) out[j] += bias[j];
}

// One row of the backward of normalize_row: dout, x (C) -> dinp (C); dweight (C) += dout * norm and, when given,
// dbias (C) += dout. `centred` is LayerNorm: the mean depends on x, which adds the -mean(dnorm) term.
template <class T>
void normalize_row_backward(const T* dout, const T* x, T mean, T rstd, bool centred, const T* weight, T* dinp,
                            T* dweight, T* dbias, std::size_t cols) {
  T dnorm_sum = 0, dnorm_norm_sum = 0;
  for (std::size_t j = 0; j < cols; ++j) {
    const T norm = (x[j] - mean) * rstd;
    const T dnorm = dout[j] * weight[j];
    dnorm_sum += dnorm;
    dnorm_norm_sum += dnorm * norm;
    dweight[j] += dout[j] * norm;
  }
  if (dbias)
    for (std::size_t j = 0; j < cols; ++j) dbias[j] += dout[j];
  const T dnorm_mean = centred ? dnorm_sum / T(cols) : T(0);
  const T dnorm_norm_mean = dnorm_norm_sum / T(cols);
  for (std::size_t j = 0; j < cols; ++j) {
    const T norm = (x[j] - mean) * rstd;
    dinp[j] = (dout[j] * weight[j] - dnorm_mean - norm * dnorm_norm_mean) * rstd;
  }
}

template <class T>
void require_row_shapes(const Matrix<T>& inp, const Vector<T>& weight) {
  require(weight.size() == inp.shape(1), "weight size differs from input columns");
}

template <class T>
void require_backward_shapes(const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& weight,
                             const NormCache<T>& cache, const Vector<T>& dweight) {
  require_row_shapes(inp, weight);
  require(dout.shape() == inp.shape(), "dout shape differs from input");
  require(cache.rstd.size() == inp.shape(0), "cache is not from this input");
  require(dweight.size() == weight.size(), "dweight size differs from weight");
}

}  // namespace

// inp (N, C), weight, bias (C) -> out (N, C); cache.mean, cache.rstd (N)
template <class T>
Matrix<T> layernorm_forward(const Matrix<T>& inp, const Vector<T>& weight, const Vector<T>& bias, T eps,
                            NormCache<T>& cache) {
  require_row_shapes(inp, weight);
  require(bias.size() == weight.size(), "bias size differs from weight");
  const std::size_t rows = inp.shape(0), cols = inp.shape(1);
  Matrix<T> out = Matrix<T>::from_shape({rows, cols});
  cache.mean = Vector<T>::from_shape({rows});
  cache.rstd = Vector<T>::from_shape({rows});
  parallel_slices(rows, rows * cols * 4, [&](std::size_t first, std::size_t last) {  // rows are independent
    for (std::size_t n = first; n < last; ++n) {
      const T* x = inp.data() + n * cols;
      const auto [mean, rstd] = layernorm_stats(x, cols, eps);
      cache.mean(n) = mean;
      cache.rstd(n) = rstd;
      normalize_row(x, mean, rstd, weight.data(), bias.data(), out.data() + n * cols, cols);
    }
  });
  return out;
}

// dout, inp (N, C) -> dinp (N, C); dweight, dbias (C) += their gradients
template <class T>
Matrix<T> layernorm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& weight,
                             const NormCache<T>& cache, Vector<T>& dweight, Vector<T>& dbias) {
  require_backward_shapes(dout, inp, weight, cache, dweight);
  require(cache.mean.size() == inp.shape(0), "cache has no LayerNorm means");
  require(dbias.size() == weight.size(), "dbias size differs from weight");
  const std::size_t rows = inp.shape(0), cols = inp.shape(1);
  Matrix<T> dinp = Matrix<T>::from_shape({rows, cols});
  for (std::size_t n = 0; n < rows; ++n)
    normalize_row_backward(dout.data() + n * cols, inp.data() + n * cols, cache.mean(n), cache.rstd(n), true,
                           weight.data(), dinp.data() + n * cols, dweight.data(), dbias.data(), cols);
  return dinp;
}

// inp (N, C), weight (C) -> out (N, C); cache.rstd (N), cache.mean empty
template <class T>
Matrix<T> rmsnorm_forward(const Matrix<T>& inp, const Vector<T>& weight, T eps, NormCache<T>& cache) {
  require_row_shapes(inp, weight);
  const std::size_t rows = inp.shape(0), cols = inp.shape(1);
  Matrix<T> out = Matrix<T>::from_shape({rows, cols});
  cache.mean = Vector<T>::from_shape({0});
  cache.rstd = Vector<T>::from_shape({rows});
  for (std::size_t n = 0; n < rows; ++n) {
    const T* x = inp.data() + n * cols;
    cache.rstd(n) = rms_rstd(x, cols, eps);
    normalize_row(x, T(0), cache.rstd(n), weight.data(), static_cast<const T*>(nullptr), out.data() + n * cols, cols);
  }
  return out;
}

// dout, inp (N, C) -> dinp (N, C); dweight (C) += its gradient
template <class T>
Matrix<T> rmsnorm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& weight,
                           const NormCache<T>& cache, Vector<T>& dweight) {
  require_backward_shapes(dout, inp, weight, cache, dweight);
  const std::size_t rows = inp.shape(0), cols = inp.shape(1);
  Matrix<T> dinp = Matrix<T>::from_shape({rows, cols});
  for (std::size_t n = 0; n < rows; ++n)
    normalize_row_backward(dout.data() + n * cols, inp.data() + n * cols, T(0), cache.rstd(n), false,
                           weight.data(), dinp.data() + n * cols, dweight.data(), static_cast<T*>(nullptr), cols);
  return dinp;
}

#define NN_INSTANTIATE(T)                                                                                       \
  template Matrix<T> layernorm_forward<T>(const Matrix<T>&, const Vector<T>&, const Vector<T>&, T,              \
                                          NormCache<T>&);                                                       \
  template Matrix<T> layernorm_backward<T>(const Matrix<T>&, const Matrix<T>&, const Vector<T>&,                \
                                           const NormCache<T>&, Vector<T>&, Vector<T>&);                        \
  template Matrix<T> rmsnorm_forward<T>(const Matrix<T>&, const Vector<T>&, T, NormCache<T>&);                  \
  template Matrix<T> rmsnorm_backward<T>(const Matrix<T>&, const Matrix<T>&, const Vector<T>&,                  \
                                         const NormCache<T>&, Vector<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
