// Positional encodings: the sinusoidal table against its closed form, rotary embeddings against hand-computed
// rotations and the properties that make them useful (norm kept, scores depend on relative position only), and
// rope_backward by finite differences.
#define BOOST_TEST_MODULE nn_position
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>

#include "gradcheck.hpp"
#include "nn/position.hpp"

namespace {

using nn_test::Mat;

using nn_test::draw;
using nn_test::draw_many;
using nn_test::draw_seed;

// Sum over the columns of head h in row r of a (rows, n_head*head_dim) matrix of a[.] * b[.].
double head_dot(const Mat& a, const Mat& b, std::size_t r, std::size_t h, std::size_t head_dim) {
  double total = 0;
  for (std::size_t d = 0; d < head_dim; ++d) total += a(r, h * head_dim + d) * b(r, h * head_dim + d);
  return total;
}

std::vector<std::size_t> random_positions(std::size_t rows) { return draw_many(rows, 0, 200); }

// sum(rope_forward(x) * r) against rope_backward(r) by finite differences; backward_scale spoils the backward.
nn_test::GradcheckResult rope_gradcheck(std::size_t rows, std::size_t n_head, std::size_t head_dim,
                                        const std::vector<std::size_t>& positions, std::uint64_t seed,
                                        double backward_scale = 1.0) {
  std::mt19937_64 rng(seed);
  Mat x = nn_test::random_matrix(rows, n_head * head_dim, rng);
  const Mat r = nn_test::random_matrix(rows, n_head * head_dim, rng);
  const Mat dx = backward_scale * nn::rope_backward(r, positions, n_head, head_dim);
  const auto loss = [&] { return nn_test::project(nn::rope_forward(x, positions, n_head, head_dim), r); };
  return nn_test::gradcheck(loss, {nn_test::checked("x", x, dx)});
}

}  // namespace

// ---- sinusoidal ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sinusoidal_table_matches_its_closed_form) {
  const Mat pe = nn::sinusoidal_positions<double>(6, 8);
  BOOST_TEST(pe.shape(0) == 6u);
  BOOST_TEST(pe.shape(1) == 8u);
  for (std::size_t i = 0; i < 8; i += 2) {
    BOOST_TEST(pe(0, i) == 0.0);
    BOOST_TEST(pe(0, i + 1) == 1.0);
  }
  for (std::size_t t = 0; t < 6; ++t) {
    BOOST_TEST(pe(t, 0) == std::sin(double(t)), boost::test_tools::tolerance(1e-15));
    BOOST_TEST(pe(t, 1) == std::cos(double(t)), boost::test_tools::tolerance(1e-15));
  }
}

BOOST_AUTO_TEST_CASE(sinusoidal_table_hand_value) {
  // dim 4, pair 1: wavelength factor 10000^(2/4) = 100, so row 3 holds sin(0.03) and cos(0.03) (Taylor series).
  const Mat pe = nn::sinusoidal_positions<double>(4, 4);
  BOOST_TEST(pe(3, 2) == 0.0299955002024957, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(pe(3, 3) == 0.9995500337489875, boost::test_tools::tolerance(1e-12));
  const auto pe_float = nn::sinusoidal_positions<float>(4, 4);
  BOOST_TEST(pe_float(3, 2) == 0.0299955f, boost::test_tools::tolerance(1e-5f));
}

BOOST_AUTO_TEST_CASE(sinusoidal_table_rejects_odd_dim) {
  BOOST_CHECK_THROW(nn::sinusoidal_positions<double>(3, 5), std::invalid_argument);
}

// ---- rope ----------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(rope_with_head_dim_2_rotates_by_the_position_in_radians) {
  // Row 0 at position 1, row 1 at position 3; two heads each a plain 2-D vector.
  const Mat x = {{1.0, 0.0, 2.0, -1.0}, {0.0, 1.0, 1.0, 1.0}};
  const Mat out = nn::rope_forward(x, {1, 3}, 2, 2);
  const double c1 = 0.5403023058681398, s1 = 0.8414709848078965;   // cos 1, sin 1
  const double c3 = -0.9899924966004454, s3 = 0.1411200080598672;  // cos 3, sin 3
  const Mat expected = {{c1, s1, 2 * c1 + s1, 2 * s1 - c1}, {-s3, c3, c3 - s3, s3 + c3}};
  BOOST_TEST(xt::allclose(out, expected, 1e-14, 1e-14));
}

BOOST_AUTO_TEST_CASE(rope_pairs_d_with_d_plus_half_at_its_own_frequency) {
  // head_dim 4, base 100: pair (0, 2) turns by pos, pair (1, 3) by pos * 100^(-1/2) = pos / 10.
  const Mat x = {{0.0, 1.0, 0.0, 0.0}};
  const Mat out = nn::rope_forward(x, {5}, 1, 4, 100.0);
  const Mat expected = {{0.0, 0.8775825618903728, 0.0, 0.479425538604203}};  // cos 0.5, sin 0.5
  BOOST_TEST(xt::allclose(out, expected, 1e-14, 1e-14));
}

BOOST_AUTO_TEST_CASE(rope_at_position_0_is_the_identity) {
  std::mt19937_64 rng(3);
  const Mat x = nn_test::random_matrix(3, 12, rng);
  BOOST_TEST(xt::allclose(nn::rope_forward(x, {0, 0, 0}, 2, 6), x, 0.0, 0.0));
}

BOOST_AUTO_TEST_CASE(rope_keeps_the_norm_of_every_head) {
  nn_test::check_property([] {
    const std::size_t rows = draw(1, 5), n_head = draw(1, 4);
    const std::size_t head_dim = 2 * draw(1, 5);
    std::mt19937_64 rng(draw_seed());
    const Mat x = nn_test::random_matrix(rows, n_head * head_dim, rng);
    const Mat out = nn::rope_forward(x, random_positions(rows), n_head, head_dim);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t h = 0; h < n_head; ++h) {
        const double norm_before = head_dot(x, x, r, h, head_dim), norm_after = head_dot(out, out, r, h, head_dim);
        RC_ASSERT(std::abs(norm_after - norm_before) < 1e-12 * (1 + norm_before));
      }
  });
}

BOOST_AUTO_TEST_CASE(rope_scores_depend_only_on_the_relative_position) {
  nn_test::check_property([] {
    const std::size_t n_head = draw(1, 4), head_dim = 2 * draw(1, 5);
    const std::size_t m = draw(0, 100), n = draw(0, 100), shift = draw(1, 100);
    std::mt19937_64 rng(draw_seed());
    const Mat q = nn_test::random_matrix(1, n_head * head_dim, rng),
              k = nn_test::random_matrix(1, n_head * head_dim, rng);
    const Mat q_m = nn::rope_forward(q, {m}, n_head, head_dim), k_n = nn::rope_forward(k, {n}, n_head, head_dim);
    const Mat q_shifted = nn::rope_forward(q, {m + shift}, n_head, head_dim);
    const Mat k_shifted = nn::rope_forward(k, {n + shift}, n_head, head_dim);
    for (std::size_t h = 0; h < n_head; ++h)
      RC_ASSERT(std::abs(head_dot(q_m, k_n, 0, h, head_dim) - head_dot(q_shifted, k_shifted, 0, h, head_dim)) < 1e-10);
  });
}

BOOST_AUTO_TEST_CASE(rope_float_agrees_with_double) {
  std::mt19937_64 rng(5);
  const Mat x = nn_test::random_matrix(4, 16, rng);
  const nn::Matrix<float> x_float = x;
  const Mat out_float = nn::rope_forward(x_float, {0, 7, 30, 99}, 2, 8);
  BOOST_TEST(xt::allclose(out_float, nn::rope_forward(x, {0, 7, 30, 99}, 2, 8), 1e-5, 1e-5));
}

BOOST_AUTO_TEST_CASE(rope_backward_passes_gradcheck) {
  nn_test::check_property([] {
    const std::size_t rows = draw(1, 5), n_head = draw(1, 4);
    const std::size_t head_dim = 2 * draw(1, 4);
    const auto result = rope_gradcheck(rows, n_head, head_dim, random_positions(rows), draw_seed());
    nn_test::require_gradients_match(result);
  });
}

BOOST_AUTO_TEST_CASE(a_wrong_rope_backward_fails_gradcheck) {
  BOOST_TEST(rope_gradcheck(3, 2, 4, {1, 5, 9}, 11, 1.01).max_rel_error > nn_test::gradcheck_tolerance);
  // Rotating the gradient forward instead of back is wrong as soon as a position is not 0.
  std::mt19937_64 rng(13);
  Mat x = nn_test::random_matrix(2, 4, rng);
  const Mat r = nn_test::random_matrix(2, 4, rng);
  const Mat rotated_the_wrong_way = nn::rope_forward(r, {0, 2}, 1, 4);
  const auto loss = [&] { return nn_test::project(nn::rope_forward(x, {0, 2}, 1, 4), r); };
  BOOST_TEST(nn_test::gradcheck(loss, {nn_test::checked("x", x, rotated_the_wrong_way)}).max_rel_error >
             nn_test::gradcheck_tolerance);
}

BOOST_AUTO_TEST_CASE(rope_rejects_bad_shapes) {
  const Mat x = xt::zeros<double>({2, 6});
  BOOST_CHECK_THROW(nn::rope_forward(x, {0, 1}, 2, 3), std::invalid_argument);  // odd head_dim
  BOOST_CHECK_THROW(nn::rope_forward(x, {0, 1}, 2, 4), std::invalid_argument);  // 8 columns expected
  BOOST_CHECK_THROW(nn::rope_forward(x, {0}, 3, 2), std::invalid_argument);     // one position for two rows
  BOOST_CHECK_THROW(nn::rope_backward(x, {0}, 3, 2), std::invalid_argument);
}
