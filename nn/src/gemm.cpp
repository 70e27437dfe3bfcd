#include "nn/gemm.hpp"

#include <stdexcept>

#include <xtensor-blas/xlinalg.hpp>  // declares cblas_sgemm/dgemm (including <cblas.h> too would clash)

#include "nn/parallel.hpp"

// OpenBLAS's own thread control; <cblas.h> declares it too, but clashes with xtensor-blas's declarations.
extern "C" void openblas_set_num_threads(int threads);

namespace nn {

namespace {
CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::yes ? CblasTrans : CblasNoTrans; }

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float* a, int lda,
               const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha, const double* a, int lda,
               const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("matmul: ") + what);
}
}  // namespace

template <class T>
void gemm(Trans trans_a, Trans trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // BLAS may skip the beta scaling when k = 0; do it here
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  static const bool blas_single_threaded = (openblas_set_num_threads(1), true);  // nn/parallel.hpp says why
  (void)blas_single_threaded;
  // Rows of C in slices, one product each: row i of op(A) starts at a + i lda, or at a + i when A is transposed.
  parallel_slices(m, m * n * k, [&](std::size_t begin, std::size_t end) {
    const T* a_rows = trans_a == Trans::yes ? a + begin : a + begin * lda;
    blas_gemm(to_cblas(trans_a), to_cblas(trans_b), int(end - begin), int(n), int(k), alpha, a_rows, int(lda), b,
              int(ldb), beta, c + begin * ldc, int(ldc));
  });
}

template <class T>
Matrix<T> matmul_nt(const Matrix<T>& a, const Matrix<T>& b) {
  require(a.shape(1) == b.shape(1), "inner dimensions of a b^T differ");
  Matrix<T> c = Matrix<T>::from_shape({a.shape(0), b.shape(0)});
  gemm(Trans::no, Trans::yes, a.shape(0), b.shape(0), a.shape(1), T(1), a.data(), a.shape(1), b.data(), b.shape(1),
       T(0), c.data(), c.shape(1));
  return c;
}

template <class T>
Matrix<T> matmul_nn(const Matrix<T>& a, const Matrix<T>& b) {
  require(a.shape(1) == b.shape(0), "inner dimensions of a b differ");
  Matrix<T> c = Matrix<T>::from_shape({a.shape(0), b.shape(1)});
  gemm(Trans::no, Trans::no, a.shape(0), b.shape(1), a.shape(1), T(1), a.data(), a.shape(1), b.data(), b.shape(1),
       T(0), c.data(), c.shape(1));
  return c;
}

template <class T>
Matrix<T> matmul_tn(const Matrix<T>& a, const Matrix<T>& b) {
  Matrix<T> c = xt::zeros<T>({a.shape(1), b.shape(1)});
  add_matmul_tn(c, a, b);
  return c;
}

template <class T>
void add_matmul_tn(Matrix<T>& c, const Matrix<T>& a, const Matrix<T>& b) {
  require(a.shape(0) == b.shape(0), "inner dimensions of a^T b differ");
  require(c.shape(0) == a.shape(1) && c.shape(1) == b.shape(1), "a^T b does not fit the output");
  gemm(Trans::yes, Trans::no, a.shape(1), b.shape(1), a.shape(0), T(1), a.data(), a.shape(1), b.data(), b.shape(1),
       T(1), c.data(), c.shape(1));
}

#define NN_INSTANTIATE(T)                                                                                      \
  template void gemm<T>(Trans, Trans, std::size_t, std::size_t, std::size_t, T, const T*, std::size_t, const T*, \
                        std::size_t, T, T*, std::size_t);                                                       \
  template Matrix<T> matmul_nt<T>(const Matrix<T>&, const Matrix<T>&);                                         \
  template Matrix<T> matmul_nn<T>(const Matrix<T>&, const Matrix<T>&);                                         \
  template Matrix<T> matmul_tn<T>(const Matrix<T>&, const Matrix<T>&);                                         \
  template void add_matmul_tn<T>(Matrix<T>&, const Matrix<T>&, const Matrix<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
