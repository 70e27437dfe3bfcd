// The basic layers (linear, embedding, norms, activations, dropout, softmax, cross-entropy): every backward
// against central differences in double precision over random shapes, every forward against a closed form
// or a plain-loop oracle written here, in both precisions where the training path uses float.
#define BOOST_TEST_MODULE nn_layers
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "gradcheck.hpp"
#include "nn/activation.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/norm.hpp"
#include "nn/softmax.hpp"

namespace {

using nn_test::Checked;
using nn_test::Mat;
using nn_test::Vec;
using nn_test::checked;
using nn_test::random_matrix;
using nn_test::random_vector;

using Scalars = std::tuple<float, double>;

// Agreement expected of a forward pass computed two ways: float rounding, or double rounding.
template <class T>
constexpr double value_tolerance = std::is_same_v<T, float> ? 1e-5 : 1e-12;

// A property's dimension: small, so a gradcheck (two forwards per checked element) stays cheap.
std::size_t small_dim(std::size_t lo = 1, std::size_t hi = 6) { return nn_test::draw(lo, hi); }

std::mt19937_64 property_rng() { return std::mt19937_64(nn_test::draw_seed()); }

Mat zeros_like(const Mat& m) { return xt::zeros<double>(m.shape()); }
Vec zeros_like(const Vec& v) { return xt::zeros<double>(v.shape()); }

bool message_contains(const std::exception& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

// Per row of m, the mean of f(m(n, j)) over its columns: what the value tests compare with 0 and 1.
template <class T, class F>
std::vector<double> row_means(const nn::Matrix<T>& m, F f) {
  std::vector<double> means(m.shape(0), 0.0);
  for (std::size_t n = 0; n < m.shape(0); ++n) {
    for (std::size_t j = 0; j < m.shape(1); ++j) means[n] += f(double(m(n, j)));
    means[n] /= double(m.shape(1));
  }
  return means;
}

}  // namespace

// ---- linear and embedding ---------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(linear)

namespace {

// inp (N, C_in) weight^T + bias by the definition: the oracle for the BLAS path.
template <class T>
nn::Matrix<T> plain_linear(const nn::Matrix<T>& inp, const nn::Matrix<T>& weight, const nn::Vector<T>* bias) {
  nn::Matrix<T> out = nn::Matrix<T>::from_shape({inp.shape(0), weight.shape(0)});
  for (std::size_t n = 0; n < inp.shape(0); ++n)
    for (std::size_t o = 0; o < weight.shape(0); ++o) {
      T total = bias ? (*bias)(o) : T(0);
      for (std::size_t i = 0; i < inp.shape(1); ++i) total += inp(n, i) * weight(o, i);
      out(n, o) = total;
    }
  return out;
}

// A linear layer's problem with L = sum(out * r), and the analytic gradients of L from linear_backward.
struct LinearProblem {
  Mat inp, weight, r;
  Vec bias;
  bool with_bias;
  Mat dinp, dweight;
  Vec dbias;

  LinearProblem(std::size_t rows, std::size_t c_in, std::size_t c_out, bool with_bias, std::mt19937_64& rng)
      : inp(random_matrix(rows, c_in, rng)),
        weight(random_matrix(c_out, c_in, rng)),
        r(random_matrix(rows, c_out, rng)),
        bias(random_vector(c_out, rng)),
        with_bias(with_bias),
        dweight(zeros_like(weight)),
        dbias(zeros_like(bias)) {
    dinp = nn::linear_backward(r, inp, weight, dweight, with_bias ? &dbias : nullptr);
  }

  nn_test::GradcheckResult gradcheck() {
    std::vector<Checked> tensors{checked("inp", inp, dinp), checked("weight", weight, dweight)};
    if (with_bias) tensors.push_back(checked("bias", bias, dbias));
    const auto loss = [this] {
      return nn_test::project(nn::linear_forward(inp, weight, with_bias ? &bias : nullptr), r);
    };
    return nn_test::gradcheck(loss, tensors);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences_with_and_without_bias) {
  nn_test::check_property([] {
    const bool with_bias = nn_test::draw(0, 2) == 1;
    auto rng = property_rng();
    LinearProblem problem(small_dim(), small_dim(), small_dim(), with_bias, rng);
    nn_test::require_gradients_match(problem.gradcheck());
  });
}

// The check has teeth: a weight gradient 1 % off is reported, while the true one passes on the same problem.
BOOST_AUTO_TEST_CASE(gradcheck_catches_a_backward_one_percent_off) {
  std::mt19937_64 rng(3);
  LinearProblem problem(4, 3, 5, true, rng);
  BOOST_TEST(problem.gradcheck().max_rel_error <= nn_test::gradcheck_tolerance);
  problem.dweight *= 1.01;
  const auto result = problem.gradcheck();
  BOOST_TEST(result.max_rel_error > nn_test::gradcheck_tolerance, result.worst);
}

BOOST_AUTO_TEST_CASE(backward_adds_to_the_parameter_gradients) {
  std::mt19937_64 rng(5);
  LinearProblem problem(3, 4, 2, true, rng);
  Mat dweight = problem.dweight + 1.0;
  Vec dbias = problem.dbias + 1.0;
  nn::linear_backward(problem.r, problem.inp, problem.weight, dweight, &dbias);
  BOOST_TEST(xt::allclose(dweight, 2.0 * problem.dweight + 1.0, 1e-12, 1e-12));
  BOOST_TEST(xt::allclose(dbias, 2.0 * problem.dbias + 1.0, 1e-12, 1e-12));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(forward_matches_a_triple_loop, T, Scalars) {
  std::mt19937_64 rng(11);
  const nn::Matrix<T> inp = random_matrix(7, 5, rng), weight = random_matrix(4, 5, rng);
  const nn::Vector<T> bias = random_vector(4, rng);
  const double tol = value_tolerance<T>;
  BOOST_TEST(xt::allclose(nn::linear_forward(inp, weight, &bias), plain_linear(inp, weight, &bias), tol, tol));
  BOOST_TEST(xt::allclose(nn::linear_forward<T>(inp, weight, nullptr), plain_linear<T>(inp, weight, nullptr), tol,
                          tol));
}

BOOST_AUTO_TEST_CASE(mismatched_weight_throws) {
  const Mat inp = xt::zeros<double>({2, 3}), weight = xt::zeros<double>({4, 2});
  BOOST_CHECK_THROW(nn::linear_forward<double>(inp, weight, nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(embedding_table_gradient_matches_finite_differences_with_repeated_ids) {
  nn_test::check_property([] {
    const int vocab = int(nn_test::draw(1, 4));
    auto ids = *rc::gen::container<nn::Tokens>(small_dim(1, 8), rc::gen::inRange(0, vocab));
    ids.push_back(ids.front());  // at least one id twice: its row must collect both gradients
    auto rng = property_rng();
    Mat table = random_matrix(std::size_t(vocab), small_dim(), rng);
    const Mat r = random_matrix(ids.size(), table.shape(1), rng);
    Mat dtable = zeros_like(table);
    nn::embedding_backward(r, ids, dtable);
    const auto loss = [&] { return nn_test::project(nn::embedding_forward(ids, table), r); };
    nn_test::require_gradients_match(nn_test::gradcheck(loss, {checked("table", table, dtable)}));
  });
}

BOOST_AUTO_TEST_CASE(embedding_picks_table_rows) {
  const Mat table = {{1, 2}, {3, 4}, {5, 6}};
  const Mat expected = {{5, 6}, {1, 2}, {5, 6}};
  BOOST_TEST(nn::embedding_forward({2, 0, 2}, table) == expected);
}

BOOST_AUTO_TEST_CASE(embedding_id_out_of_range_throws_naming_it) {
  const Mat table = xt::zeros<double>({3, 2});
  BOOST_CHECK_EXCEPTION(nn::embedding_forward({0, 7}, table), std::out_of_range,
                        [](const auto& e) { return message_contains(e, "7"); });
  BOOST_CHECK_EXCEPTION(nn::embedding_forward({-1}, table), std::out_of_range,
                        [](const auto& e) { return message_contains(e, "-1"); });
  Mat dtable = table;
  BOOST_CHECK_THROW(nn::embedding_backward(Mat(xt::zeros<double>({1, 2})), {3}, dtable), std::out_of_range);
}

// Sample mean and standard deviation of 40000 draws within 5 standard errors of 0 and std.
BOOST_AUTO_TEST_CASE(init_normal_draws_normal_weights_repeatably) {
  const double std = 0.02;
  const std::size_t count = 200 * 200;
  nn::Matrix<float> weight = xt::zeros<float>({200, 200}), again = weight;
  std::mt19937_64 rng(17), same_rng(17);
  nn::init_normal(weight, std, rng);
  nn::init_normal(again, std, same_rng);
  BOOST_TEST((weight == again));
  const double mean = xt::mean(nn::Matrix<double>(weight))();
  const double sample_std = xt::stddev(nn::Matrix<double>(weight))();
  BOOST_TEST(std::abs(mean) <= 5 * std / std::sqrt(double(count)));
  BOOST_TEST(std::abs(sample_std - std) <= 5 * std / std::sqrt(2.0 * double(count)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- LayerNorm and RMSNorm --------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(norm)

BOOST_AUTO_TEST_CASE(layernorm_gradients_match_finite_differences) {
  nn_test::check_property([] {
    auto rng = property_rng();
    // At least 3 columns: with 2 the normalised row is (-1, 1) whatever the input, its input gradient is ~eps
    // and the finite differences' rounding noise dominates the relative error.
    const std::size_t rows = small_dim(), cols = small_dim(3, 8);
    Mat inp = random_matrix(rows, cols, rng);
    Vec weight = random_vector(cols, rng), bias = random_vector(cols, rng);
    const Mat r = random_matrix(rows, cols, rng);
    const double eps = 1e-5;
    nn::NormCache<double> cache;
    nn::layernorm_forward(inp, weight, bias, eps, cache);
    Vec dweight = zeros_like(weight), dbias = zeros_like(bias);
    const Mat dinp = nn::layernorm_backward(r, inp, weight, cache, dweight, dbias);
    const auto loss = [&] {
      nn::NormCache<double> scratch;
      return nn_test::project(nn::layernorm_forward(inp, weight, bias, eps, scratch), r);
    };
    nn_test::require_gradients_match(nn_test::gradcheck(
        loss, {checked("inp", inp, dinp), checked("weight", weight, dweight), checked("bias", bias, dbias)}));
  });
}

BOOST_AUTO_TEST_CASE(rmsnorm_gradients_match_finite_differences) {
  nn_test::check_property([] {
    auto rng = property_rng();
    // At least 2 columns: a single one normalises to sign(x) with an input gradient of ~eps (see LayerNorm).
    const std::size_t rows = small_dim(), cols = small_dim(2, 8);
    Mat inp = random_matrix(rows, cols, rng);
    Vec weight = random_vector(cols, rng);
    const Mat r = random_matrix(rows, cols, rng);
    const double eps = 1e-5;
    nn::NormCache<double> cache;
    nn::rmsnorm_forward(inp, weight, eps, cache);
    Vec dweight = zeros_like(weight);
    const Mat dinp = nn::rmsnorm_backward(r, inp, weight, cache, dweight);
    const auto loss = [&] {
      nn::NormCache<double> scratch;
      return nn_test::project(nn::rmsnorm_forward(inp, weight, eps, scratch), r);
    };
    nn_test::require_gradients_match(
        nn_test::gradcheck(loss, {checked("inp", inp, dinp), checked("weight", weight, dweight)}));
  });
}

// The classic mistake, treating mean and rstd as constants (dinp = dout * weight * rstd), is caught.
BOOST_AUTO_TEST_CASE(gradcheck_catches_a_layernorm_backward_that_ignores_the_statistics) {
  std::mt19937_64 rng(23);
  Mat inp = random_matrix(3, 5, rng);
  Vec weight = random_vector(5, rng), bias = random_vector(5, rng);
  const Mat r = random_matrix(3, 5, rng);
  nn::NormCache<double> cache;
  nn::layernorm_forward(inp, weight, bias, 1e-5, cache);
  Mat wrong_dinp = zeros_like(inp);
  for (std::size_t n = 0; n < 3; ++n)
    for (std::size_t j = 0; j < 5; ++j) wrong_dinp(n, j) = r(n, j) * weight(j) * cache.rstd(n);
  const auto loss = [&] {
    nn::NormCache<double> scratch;
    return nn_test::project(nn::layernorm_forward(inp, weight, bias, 1e-5, scratch), r);
  };
  const auto result = nn_test::gradcheck(loss, {checked("inp", inp, wrong_dinp)});
  BOOST_TEST(result.max_rel_error > nn_test::gradcheck_tolerance, result.worst);
}

BOOST_AUTO_TEST_CASE(layernorm_backward_adds_to_the_parameter_gradients) {
  std::mt19937_64 rng(29);
  const Mat inp = random_matrix(3, 4, rng), r = random_matrix(3, 4, rng);
  const Vec weight = random_vector(4, rng), bias = random_vector(4, rng);
  nn::NormCache<double> cache;
  nn::layernorm_forward(inp, weight, bias, 1e-5, cache);
  Vec dweight = zeros_like(weight), dbias = zeros_like(bias);
  nn::layernorm_backward(r, inp, weight, cache, dweight, dbias);
  Vec dweight_twice = dweight, dbias_twice = dbias;
  nn::layernorm_backward(r, inp, weight, cache, dweight_twice, dbias_twice);
  BOOST_TEST(xt::allclose(dweight_twice, 2.0 * dweight, 1e-12, 1e-12));
  BOOST_TEST(xt::allclose(dbias_twice, 2.0 * dbias, 1e-12, 1e-12));
}

// With weight 1, bias 0, eps 0 every output row has mean 0 and (biased) variance 1. The input is shifted
// and scaled so that the normalisation has work to do.
BOOST_AUTO_TEST_CASE_TEMPLATE(layernorm_rows_have_mean_zero_and_variance_one, T, Scalars) {
  std::mt19937_64 rng(31);
  const nn::Matrix<T> inp = random_matrix(6, 64, rng, 2.0) + 3.0;
  const nn::Vector<T> weight = xt::ones<T>({64}), bias = xt::zeros<T>({64});
  nn::NormCache<T> cache;
  const nn::Matrix<T> out = nn::layernorm_forward(inp, weight, bias, T(0), cache);
  const auto means = row_means(out, [](double x) { return x; });
  const auto variances = row_means(out, [](double x) { return x * x; });  // mean 0, so E[x^2] is the variance
  for (std::size_t n = 0; n < out.shape(0); ++n) {
    BOOST_TEST(std::abs(means[n]) <= value_tolerance<T>);
    BOOST_TEST(std::abs(variances[n] - 1) <= value_tolerance<T>);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rmsnorm_rows_have_mean_square_one, T, Scalars) {
  std::mt19937_64 rng(37);
  const nn::Matrix<T> inp = random_matrix(6, 64, rng, 2.0) + 3.0;
  const nn::Vector<T> weight = xt::ones<T>({64});
  nn::NormCache<T> cache;
  const nn::Matrix<T> out = nn::rmsnorm_forward(inp, weight, T(0), cache);
  const auto mean_squares = row_means(out, [](double x) { return x * x; });
  for (double mean_square : mean_squares) BOOST_TEST(std::abs(mean_square - 1) <= value_tolerance<T>);
  BOOST_TEST(cache.mean.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- activations ------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(activation)

namespace {

// Gradcheck of an elementwise layer on a random input that `shape_input` may move (ReLU: away from its kink).
template <class Forward, class Backward, class ShapeInput>
void check_elementwise_gradient(Forward forward, Backward backward, ShapeInput shape_input) {
  auto rng = property_rng();
  const std::size_t rows = small_dim(), cols = small_dim();
  Mat inp = random_matrix(rows, cols, rng);
  for (auto& x : inp) x = shape_input(x);
  const Mat r = random_matrix(rows, cols, rng);
  const Mat dinp = backward(r, inp);
  const auto loss = [&] { return nn_test::project(forward(inp), r); };
  nn_test::require_gradients_match(nn_test::gradcheck(loss, {checked("inp", inp, dinp)}));
}

double unchanged(double x) { return x; }
// |x| >= 0.1: the finite difference (step 1e-6) never straddles ReLU's kink at 0.
double away_from_zero(double x) { return std::copysign(0.1 + std::abs(x), x); }

}  // namespace

BOOST_AUTO_TEST_CASE(gelu_gradient_matches_finite_differences) {
  nn_test::check_property(
      [] { check_elementwise_gradient(nn::gelu_forward<double>, nn::gelu_backward<double>, unchanged); });
}

BOOST_AUTO_TEST_CASE(relu_gradient_matches_finite_differences) {
  nn_test::check_property(
      [] { check_elementwise_gradient(nn::relu_forward<double>, nn::relu_backward<double>, away_from_zero); });
}

BOOST_AUTO_TEST_CASE(swiglu_gradients_match_finite_differences) {
  nn_test::check_property([] {
    auto rng = property_rng();
    const std::size_t rows = small_dim(), cols = small_dim();
    Mat gate = random_matrix(rows, cols, rng), up = random_matrix(rows, cols, rng);
    const Mat r = random_matrix(rows, cols, rng);
    const auto grads = nn::swiglu_backward(r, gate, up);
    const auto loss = [&] { return nn_test::project(nn::swiglu_forward(gate, up), r); };
    nn_test::require_gradients_match(
        nn_test::gradcheck(loss, {checked("gate", gate, grads.dgate), checked("up", up, grads.dup)}));
  });
}

// gelu(1) by hand: u = sqrt(2/pi) * 1.044715 = 0.8335619689..., tanh(u) = 0.6823839812...,
// 0.5 * (1 + tanh(u)) = 0.8411919906...
BOOST_AUTO_TEST_CASE_TEMPLATE(gelu_closed_form_values, T, Scalars) {
  const nn::Matrix<T> inp = {{0, 1, 10, -10}};
  const nn::Matrix<T> out = nn::gelu_forward(inp);
  const double tol = value_tolerance<T>;
  BOOST_TEST(out(0, 0) == T(0));
  BOOST_TEST(std::abs(out(0, 1) - 0.8411919906082768) <= tol);
  BOOST_TEST(std::abs(out(0, 2) - 10.0) <= tol);  // gelu(x) -> x for large x
  BOOST_TEST(std::abs(out(0, 3)) <= tol);         // and -> 0 for large -x
}

// The library evaluates GELU in another form (x sigmoid(2u)); the header's tanh formula is the oracle.
BOOST_AUTO_TEST_CASE_TEMPLATE(gelu_matches_the_tanh_formula, T, Scalars) {
  nn::Matrix<T> inp = nn::Matrix<T>::from_shape({1, 241});
  for (std::size_t i = 0; i < inp.size(); ++i) inp(0, i) = T(-6.0 + 0.05 * double(i));
  const nn::Matrix<T> out = nn::gelu_forward(inp);
  for (std::size_t i = 0; i < inp.size(); ++i) {
    const double x = inp(0, i);
    const double expected = 0.5 * x * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
    BOOST_TEST(std::abs(out(0, i) - expected) <= value_tolerance<T>, "x = " << x);
  }
}

// Float GELU runs sixteen lanes at a time with its own exponential; 3 x 37 values cover full vectors and a
// partial tail. Its backward must agree with the double one that the finite differences check.
BOOST_AUTO_TEST_CASE(float_gelu_backward_agrees_with_double) {
  std::mt19937_64 rng(17);
  Mat inp = random_matrix(3, 37, rng);
  inp *= 3.0;  // reach the tails, where the sigmoid saturates
  const Mat dout = random_matrix(3, 37, rng);
  const nn::Matrix<float> inp_f = inp, dout_f = dout;
  const nn::Matrix<float> dinp_f = nn::gelu_backward(dout_f, inp_f);
  const Mat dinp = nn::gelu_backward(Mat(dout_f), Mat(inp_f));
  for (std::size_t i = 0; i < dinp.size(); ++i)
    BOOST_TEST(std::abs(double(dinp_f.data()[i]) - dinp.data()[i]) <= value_tolerance<float>, "element " << i);
}

BOOST_AUTO_TEST_CASE(relu_values_and_zero_derivative_at_zero) {
  const Mat inp = {{-2, 0, 3}}, dout = {{5, 5, 5}};
  const Mat expected_out = {{0, 0, 3}}, expected_dinp = {{0, 0, 5}};
  BOOST_TEST(nn::relu_forward(inp) == expected_out);
  BOOST_TEST(nn::relu_backward(dout, inp) == expected_dinp);
}

// silu(g) * up with silu(1) = 1 / (1 + e^-1) = 0.7310585786...; silu(0) = 0; silu(g) -> g for large g.
BOOST_AUTO_TEST_CASE(swiglu_closed_form_values) {
  const Mat gate = {{1, 0, 40}}, up = {{2, 3, 0.5}};
  const Mat out = nn::swiglu_forward(gate, up);
  BOOST_TEST(std::abs(out(0, 0) - 1.4621171572600098) <= 1e-12);
  BOOST_TEST(out(0, 1) == 0.0);
  BOOST_TEST(std::abs(out(0, 2) - 20.0) <= 1e-12);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- dropout ----------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(dropout)

namespace {

// A matrix of ones the size the fraction tests need: one million draws, a standard error of 5e-4 at p = 1/2.
nn::Matrix<float> large_ones() { return xt::ones<float>({1000, 1000}); }

double zero_fraction(const nn::Matrix<float>& m) {
  std::size_t zeros = 0;
  for (float x : m) zeros += x == 0.0f;
  return double(zeros) / double(m.size());
}

}  // namespace

// The mask comes from a fixed seed, so every forward inside the check drops the same elements.
BOOST_AUTO_TEST_CASE(backward_matches_finite_differences_with_the_mask_fixed) {
  nn_test::check_property([] {
    auto rng = property_rng();
    const std::uint64_t seed = rng();
    const double p = *rc::gen::element(0.1, 0.5, 0.9);
    Mat inp = random_matrix(small_dim(), small_dim(), rng);
    const Mat r = random_matrix(inp.shape(0), inp.shape(1), rng);
    const auto forward = [&] {
      std::mt19937_64 mask_rng(seed);
      Mat mask;
      return nn::dropout_forward(inp, p, mask_rng, mask);
    };
    std::mt19937_64 mask_rng(seed);
    Mat mask;
    nn::dropout_forward(inp, p, mask_rng, mask);
    const Mat dinp = nn::dropout_backward(r, mask);
    const auto loss = [&] { return nn_test::project(forward(), r); };
    nn_test::require_gradients_match(nn_test::gradcheck(loss, {checked("inp", inp, dinp)}));
  });
}

BOOST_AUTO_TEST_CASE(p_zero_is_the_identity_with_a_mask_of_ones_and_draws_nothing) {
  std::mt19937_64 rng(41), untouched(41);
  const Mat inp = random_matrix(4, 3, rng);
  rng = untouched;
  Mat mask;
  BOOST_TEST((nn::dropout_forward(inp, 0.0, rng, mask) == inp));
  BOOST_TEST((mask == Mat(xt::ones<double>({4, 3}))));
  BOOST_TEST((rng == untouched));
}

BOOST_AUTO_TEST_CASE(same_seed_same_mask_other_seed_other_mask) {
  const auto inp = large_ones();
  nn::Matrix<float> mask_a, mask_b, mask_c;
  std::mt19937_64 rng_a(43), rng_b(43), rng_c(44);
  nn::dropout_forward(inp, 0.5, rng_a, mask_a);
  nn::dropout_forward(inp, 0.5, rng_b, mask_b);
  nn::dropout_forward(inp, 0.5, rng_c, mask_c);
  BOOST_TEST((mask_a == mask_b));
  BOOST_TEST(!(mask_a == mask_c));
}

// The number of zeros is Binomial(n, p): its fraction lies within 5 standard deviations of p.
BOOST_AUTO_TEST_CASE(fraction_of_zeros_is_close_to_p) {
  const auto inp = large_ones();
  for (double p : {0.1, 0.5, 0.8}) {
    std::mt19937_64 rng(47);
    nn::Matrix<float> mask;
    const auto out = nn::dropout_forward(inp, p, rng, mask);
    const double sigma = std::sqrt(p * (1 - p) / double(inp.size()));
    BOOST_TEST(std::abs(zero_fraction(out) - p) <= 5 * sigma, "p = " << p);
  }
}

BOOST_AUTO_TEST_CASE(survivors_are_scaled_by_one_over_keep_probability) {
  std::mt19937_64 rng(53);
  const double p = 0.25;
  const Mat inp = random_matrix(20, 30, rng);
  Mat mask;
  const Mat out = nn::dropout_forward(inp, p, rng, mask);
  std::size_t survivors = 0;
  for (std::size_t i = 0; i < inp.size(); ++i) {
    const double x = inp.data()[i], y = out.data()[i], m = mask.data()[i];
    BOOST_TEST((m == 0.0 || std::abs(m - 1 / (1 - p)) <= 1e-15));
    BOOST_TEST(y == (m == 0.0 ? 0.0 : x / (1 - p)), boost::test_tools::tolerance(1e-14));
    survivors += m != 0.0;
  }
  BOOST_TEST(survivors > 0u);
  BOOST_TEST(survivors < inp.size());
}

BOOST_AUTO_TEST_CASE(p_outside_zero_one_throws) {
  const Mat inp = xt::ones<double>({2, 2});
  Mat mask;
  std::mt19937_64 rng(59);
  for (double p : {-0.1, 1.0, 1.5, std::numeric_limits<double>::quiet_NaN()})
    BOOST_CHECK_THROW(nn::dropout_forward(inp, p, rng, mask), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- softmax and cross-entropy ----------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(softmax)

BOOST_AUTO_TEST_CASE(softmax_gradient_matches_finite_differences_at_several_temperatures) {
  nn_test::check_property([] {
    auto rng = property_rng();
    const double temperature = *rc::gen::element(0.25, 0.5, 1.0, 2.0, 5.0);
    // Logits spread like T keep the softmax unsaturated: a saturated row's gradient (~1e-10) is below the
    // finite differences' rounding noise.
    Mat logits = random_matrix(small_dim(), small_dim(), rng, temperature);
    const Mat r = random_matrix(logits.shape(0), logits.shape(1), rng);
    const Mat probs = nn::softmax_forward(logits, temperature);
    const Mat dlogits = nn::softmax_backward(r, probs, temperature);
    const auto loss = [&] { return nn_test::project(nn::softmax_forward(logits, temperature), r); };
    nn_test::require_gradients_match(nn_test::gradcheck(loss, {checked("logits", logits, dlogits)}));
  });
}

// L = dloss * cross_entropy, with about a third of the rows ignored.
BOOST_AUTO_TEST_CASE(cross_entropy_gradient_matches_finite_differences_with_ignored_rows) {
  nn_test::check_property([] {
    auto rng = property_rng();
    const std::size_t rows = small_dim(1, 8), vocab = small_dim(1, 7);
    Mat logits = random_matrix(rows, vocab, rng);
    nn::Tokens targets(rows);
    for (auto& t : targets)
      t = *rc::gen::inRange(0, 3) == 0 ? nn::ignore_index : *rc::gen::inRange(0, int(vocab));
    const double dloss = 0.7;
    Mat probs;
    nn::cross_entropy_forward(logits, targets, probs);
    const Mat dlogits = nn::cross_entropy_backward(probs, targets, dloss);
    const auto loss = [&] {
      Mat scratch;
      return dloss * nn::cross_entropy_forward(logits, targets, scratch);
    };
    nn_test::require_gradients_match(nn_test::gradcheck(loss, {checked("logits", logits, dlogits)}));
  });
}

BOOST_AUTO_TEST_CASE(rows_sum_to_one) {
  std::mt19937_64 rng(61);
  const Mat probs = nn::softmax_forward(random_matrix(5, 9, rng, 10.0), 0.7);
  for (double sum : row_means(probs, [](double p) { return p; })) BOOST_TEST(std::abs(sum * 9 - 1) <= 1e-12);
}

// T -> 0 concentrates all mass on the row's largest logit; T -> inf spreads it evenly. Logits are 0.1 apart
// at least, so at T = 1e-3 the runner-up keeps exp(-100) of the mass; at T = 1e15 every p is 1/V to ~1e-15.
BOOST_AUTO_TEST_CASE_TEMPLATE(temperature_limits_are_argmax_and_uniform, T, Scalars) {
  const nn::Matrix<T> logits = {{0.3, 2.0, -1.0, 1.9}, {5.0, -5.0, 0.0, 4.9}};
  const nn::Matrix<T> cold = nn::softmax_forward(logits, T(1e-3));
  const nn::Matrix<T> one_hot = {{0, 1, 0, 0}, {1, 0, 0, 0}};
  BOOST_TEST(xt::allclose(cold, one_hot, 0.0, value_tolerance<T>));
  const nn::Matrix<T> hot = nn::softmax_forward(logits, T(1e15));
  BOOST_TEST(xt::allclose(hot, nn::Matrix<T>(xt::ones<T>(logits.shape()) * T(0.25)), 0.0, value_tolerance<T>));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cross_entropy_of_equal_logits_is_log_v, T, Scalars) {
  for (std::size_t vocab : {1u, 2u, 65u, 512u}) {
    const nn::Matrix<T> logits = xt::ones<T>({std::size_t(3), vocab}) * T(4.5);
    nn::Matrix<T> probs;
    const T loss = nn::cross_entropy_forward(logits, {0, int(vocab) - 1, nn::ignore_index}, probs);
    BOOST_TEST(std::abs(double(loss) - std::log(double(vocab))) <= value_tolerance<T>, "V = " << vocab);
  }
}

// The mean is over counted rows only: (ln 2 + ln(4/3)) / 2 for the rows [0, 0] -> 0 and [ln 3, 0] -> 0
// (p = 3/4), whatever the ignored row holds.
BOOST_AUTO_TEST_CASE(cross_entropy_averages_over_counted_rows) {
  const Mat logits = {{0, 0}, {std::log(3.0), 0}, {100, -100}};
  Mat probs;
  const double loss = nn::cross_entropy_forward(logits, {0, 0, nn::ignore_index}, probs);
  BOOST_TEST(std::abs(loss - (std::log(2.0) + std::log(4.0 / 3.0)) / 2) <= 1e-12);
  const Mat dlogits = nn::cross_entropy_backward(probs, {0, 0, nn::ignore_index});
  const Mat expected = {{-0.25, 0.25}, {-0.125, 0.125}, {0, 0}};
  BOOST_TEST(xt::allclose(dlogits, expected, 1e-12, 1e-12));
}

BOOST_AUTO_TEST_CASE(cross_entropy_without_counted_rows_is_zero) {
  const Mat logits = {{1, 2}, {3, 4}};
  Mat probs;
  BOOST_TEST(nn::cross_entropy_forward(logits, {nn::ignore_index, nn::ignore_index}, probs) == 0.0);
  BOOST_TEST((nn::cross_entropy_backward(probs, {nn::ignore_index, nn::ignore_index}) ==
              Mat(xt::zeros<double>({2, 2}))));
}

BOOST_AUTO_TEST_CASE(cross_entropy_target_out_of_range_throws) {
  const Mat logits = xt::zeros<double>({2, 3});
  Mat probs;
  BOOST_CHECK_EXCEPTION(nn::cross_entropy_forward(logits, {0, 3}, probs), std::out_of_range,
                        [](const auto& e) { return message_contains(e, "3"); });
  BOOST_CHECK_THROW(nn::cross_entropy_forward(logits, {-2, 0}, probs), std::out_of_range);
  nn::cross_entropy_forward(logits, {0, 1}, probs);
  BOOST_CHECK_THROW(nn::cross_entropy_backward(probs, {0, 5}), std::out_of_range);
}

BOOST_AUTO_TEST_SUITE_END()
