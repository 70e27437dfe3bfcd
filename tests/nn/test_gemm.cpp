// The BLAS wrapper against a plain triple loop, in both precisions and all transpositions.
#define BOOST_TEST_MODULE nn_gemm
#include <boost/test/unit_test.hpp>

#include "gradcheck.hpp"
#include "threads.hpp"
#include "nn/gemm.hpp"

namespace {

nn_test::Mat plain_product(const nn_test::Mat& a, const nn_test::Mat& b) {  // a (m, k) b (k, n)
  nn_test::Mat c = xt::zeros<double>({a.shape(0), b.shape(1)});
  for (std::size_t i = 0; i < a.shape(0); ++i)
    for (std::size_t j = 0; j < b.shape(1); ++j)
      for (std::size_t p = 0; p < a.shape(1); ++p) c(i, j) += a(i, p) * b(p, j);
  return c;
}

// a b, a (b^T)^T and (a^T)^T b through the three wrappers, each against the triple loop.
void check_every_transposition(const nn_test::Mat& a, const nn_test::Mat& b) {
  const nn_test::Mat expected = plain_product(a, b);
  const nn_test::Mat bt = xt::transpose(b), at = xt::transpose(a);
  BOOST_TEST(xt::allclose(nn::matmul_nn(a, b), expected, 1e-12, 1e-12));
  BOOST_TEST(xt::allclose(nn::matmul_nt(a, bt), expected, 1e-12, 1e-12));
  BOOST_TEST(xt::allclose(nn::matmul_tn(at, b), expected, 1e-12, 1e-12));
}

}  // namespace

BOOST_AUTO_TEST_CASE(products_match_a_triple_loop) {
  std::mt19937_64 rng(7);
  const auto a = nn_test::random_matrix(5, 3, rng);
  const auto b = nn_test::random_matrix(3, 4, rng);
  check_every_transposition(a, b);
  const nn::Matrix<float> af = a, bf = b;
  const nn::Matrix<double> product_f = nn::matmul_nn(af, bf);
  BOOST_TEST(xt::allclose(product_f, plain_product(a, b), 1e-5, 1e-5));
}

// 97 x 64 x 80 is past nn::parallel_threshold: two threads take 48 and 49 rows of C each, and for a^T b the
// slices start at columns of the stored a.
BOOST_AUTO_TEST_CASE(products_split_over_two_threads_match_a_triple_loop) {
  const nn_test::LibraryThreads two(2);
  std::mt19937_64 rng(11);
  const auto a = nn_test::random_matrix(97, 64, rng);
  const auto b = nn_test::random_matrix(64, 80, rng);
  check_every_transposition(a, b);
}

BOOST_AUTO_TEST_CASE(mismatched_shapes_throw) {
  const nn_test::Mat a = xt::zeros<double>({2, 3}), b = xt::zeros<double>({2, 3});
  BOOST_CHECK_THROW(nn::matmul_nn(a, b), std::invalid_argument);
}
