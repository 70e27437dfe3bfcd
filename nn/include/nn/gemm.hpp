#pragma once
// Matrix products on BLAS. Every matmul in the library goes through here: row-major buffers read in place,
// no temporaries (xtensor's dot copies non-contiguous inputs and has no batched form; see NOTES-xtensor).
// A large product is split by rows of C over the library's threads, one single-threaded sgemm/dgemm per
// slice (nn/parallel.hpp).
#include "nn/tensor.hpp"

namespace nn {

enum class Trans { no, yes };

// C (m, n) = alpha * op(A) op(B) + beta * C, row-major; op(A) is (m, k), op(B) is (k, n).
// lda/ldb/ldc are row strides of the stored matrices.
template <class T>
void gemm(Trans trans_a, Trans trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc);

// a (m, k) b^T where b is (n, k): the product a linear layer needs with a PyTorch-layout weight.
template <class T>
Matrix<T> matmul_nt(const Matrix<T>& a, const Matrix<T>& b);
// a (m, k) b (k, n).
template <class T>
Matrix<T> matmul_nn(const Matrix<T>& a, const Matrix<T>& b);
// a^T b where a is (k, m), b is (k, n): the shape of every weight gradient.
template <class T>
Matrix<T> matmul_tn(const Matrix<T>& a, const Matrix<T>& b);
// c += a^T b (a (k, m), b (k, n), c (m, n)): accumulate a weight gradient in place.
template <class T>
void add_matmul_tn(Matrix<T>& c, const Matrix<T>& a, const Matrix<T>& b);

}  // namespace nn
