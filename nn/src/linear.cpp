#include "nn/linear.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "nn/gemm.hpp"

namespace nn {

namespace {

// The products below hand raw pointers to BLAS, so a shape mismatch would read out of bounds: refuse it.
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("linear: ") + what);
}

// The table row of token `id`; an id outside [0, V) is a tokenizer or data bug, reported with its value.
std::size_t table_row(int id, std::size_t vocab) {
  if (id < 0 || std::size_t(id) >= vocab)
    throw std::out_of_range("embedding: token id " + std::to_string(id) + " outside [0, " + std::to_string(vocab) +
                            ")");
  return std::size_t(id);
}

}  // namespace

// inp (N, C_in), weight (C_out, C_in), bias (C_out) -> out (N, C_out)
template <class T>
Matrix<T> linear_forward(const Matrix<T>& inp, const Matrix<T>& weight, const Vector<T>* bias) {
  const std::size_t rows = inp.shape(0), c_in = inp.shape(1), c_out = weight.shape(0);
  require(weight.shape(1) == c_in, "weight columns differ from input columns");
  require(!bias || bias->size() == c_out, "bias size differs from weight rows");
  Matrix<T> out = Matrix<T>::from_shape({rows, c_out});
  // Start each row from the bias and let gemm accumulate onto it (beta = 1): no second pass over out.
  if (bias)
    for (std::size_t n = 0; n < rows; ++n) std::copy(bias->data(), bias->data() + c_out, out.data() + n * c_out);
  gemm(Trans::no, Trans::yes, rows, c_out, c_in, T(1), inp.data(), c_in, weight.data(), c_in, bias ? T(1) : T(0),
       out.data(), c_out);
  return out;
}

// dout (N, C_out), inp (N, C_in) -> dinp (N, C_in); dweight (C_out, C_in) += dout^T inp; dbias (C_out) += sum_n dout
template <class T>
Matrix<T> linear_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Matrix<T>& weight, Matrix<T>& dweight,
                          Vector<T>* dbias) {
  const std::size_t rows = inp.shape(0), c_in = inp.shape(1), c_out = weight.shape(0);
  require(weight.shape(1) == c_in, "weight columns differ from input columns");
  require(dout.shape(0) == rows && dout.shape(1) == c_out, "dout is not (N, C_out)");
  require(dweight.shape() == weight.shape(), "dweight shape differs from weight");
  require(!dbias || dbias->size() == c_out, "dbias size differs from weight rows");
  Matrix<T> dinp = Matrix<T>::from_shape({rows, c_in});
  gemm(Trans::no, Trans::no, rows, c_in, c_out, T(1), dout.data(), c_out, weight.data(), c_in, T(0), dinp.data(),
       c_in);
  gemm(Trans::yes, Trans::no, c_out, c_in, rows, T(1), dout.data(), c_out, inp.data(), c_in, T(1), dweight.data(),
       c_in);
  if (dbias) {
    T* db = dbias->data();
    for (std::size_t n = 0; n < rows; ++n) {
      const T* d = dout.data() + n * c_out;
      for (std::size_t j = 0; j < c_out; ++j) db[j] += d[j];
    }
  }
  return dinp;
}

// ids (N), table (V, C) -> out (N, C)
template <class T>
Matrix<T> embedding_forward(const Tokens& ids, const Matrix<T>& table) {
  const std::size_t vocab = table.shape(0), cols = table.shape(1);
  Matrix<T> out = Matrix<T>::from_shape({ids.size(), cols});
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const T* row = table.data() + table_row(ids[n], vocab) * cols;
    std::copy(row, row + cols, out.data() + n * cols);
  }
  return out;
}

// dout (N, C), ids (N) -> dtable (V, C) += dout's rows at their ids
template <class T>
void embedding_backward(const Matrix<T>& dout, const Tokens& ids, Matrix<T>& dtable) {
  const std::size_t vocab = dtable.shape(0), cols = dtable.shape(1);
  require(dout.shape(0) == ids.size() && dout.shape(1) == cols, "embedding dout is not (N, C)");
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const T* d = dout.data() + n * cols;
    T* row = dtable.data() + table_row(ids[n], vocab) * cols;
    for (std::size_t j = 0; j < cols; ++j) row[j] += d[j];
  }
}

// weight (any shape) <- normal(0, std) draws from rng, in storage order
template <class T>
void init_normal(Matrix<T>& weight, double std, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, std);
  T* w = weight.data();
  for (std::size_t i = 0; i < weight.size(); ++i) w[i] = T(normal(rng));
}

#define NN_INSTANTIATE(T)                                                                                     \
  template Matrix<T> linear_forward<T>(const Matrix<T>&, const Matrix<T>&, const Vector<T>*);                 \
  template Matrix<T> linear_backward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&, Matrix<T>&,     \
                                        Vector<T>*);                                                          \
  template Matrix<T> embedding_forward<T>(const Tokens&, const Matrix<T>&);                                   \
  template void embedding_backward<T>(const Matrix<T>&, const Tokens&, Matrix<T>&);                           \
  template void init_normal<T>(Matrix<T>&, double, std::mt19937_64&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
