// The LSTM layer against an explicit per-step cell loop and a closed form, and its backpropagation
// through time against finite differences.
#define BOOST_TEST_MODULE nn_lstm
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "gradcheck.hpp"
#include "nn/lstm.hpp"

namespace {

using nn_test::Mat;
using Params = nn::LstmParams<double>;

using nn_test::draw;
using nn_test::draw_seed;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

Params random_params(std::size_t input, std::size_t hidden, std::mt19937_64& rng) {
  return {nn_test::random_matrix(4 * hidden, input, rng, 0.5), nn_test::random_matrix(4 * hidden, hidden, rng, 0.5),
          nn_test::random_vector(4 * hidden, rng, 0.5), nn_test::random_vector(4 * hidden, rng, 0.5)};
}

// The textbook cell, one sequence and one step at a time, every product a plain sum.
Mat lstm_oracle(const Mat& x, const Params& p, std::size_t batch) {
  const std::size_t hidden = p.weight_hh.shape(1), time = x.shape(0) / batch;
  Mat out = Mat::from_shape({x.shape(0), hidden});
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<double> h(hidden, 0.0), c(hidden, 0.0);
    for (std::size_t t = 0; t < time; ++t) {
      const std::size_t row = b * time + t;
      std::vector<double> pre(4 * hidden);
      for (std::size_t q = 0; q < 4 * hidden; ++q) {
        pre[q] = p.bias_ih(q) + p.bias_hh(q);
        for (std::size_t i = 0; i < x.shape(1); ++i) pre[q] += p.weight_ih(q, i) * x(row, i);
        for (std::size_t j = 0; j < hidden; ++j) pre[q] += p.weight_hh(q, j) * h[j];
      }
      for (std::size_t j = 0; j < hidden; ++j) {
        const double in_gate = sigmoid(pre[j]), forget = sigmoid(pre[hidden + j]);
        const double candidate = std::tanh(pre[2 * hidden + j]), out_gate = sigmoid(pre[3 * hidden + j]);
        c[j] = forget * c[j] + in_gate * candidate;
        h[j] = out_gate * std::tanh(c[j]);
        out(row, j) = h[j];
      }
    }
  }
  return out;
}

// A random layer, input and projection R: the scalar L = sum(lstm(inp) * R) and its analytic gradients.
struct LstmProblem {
  std::size_t batch;
  Mat inp;
  Params params;
  Mat r;

  LstmProblem(std::size_t batch, std::size_t time, std::size_t input, std::size_t hidden, std::mt19937_64& rng)
      : batch(batch),
        inp(nn_test::random_matrix(batch * time, input, rng)),
        params(random_params(input, hidden, rng)),
        r(nn_test::random_matrix(batch * time, hidden, rng)) {}

  double loss() {
    nn::LstmCache<double> cache;
    return nn_test::project(nn::lstm_forward(inp, params, batch, cache), r);
  }

  // Gradients from the layer's backward, each scaled by grad_scale (1 is the real backward).
  nn_test::GradcheckResult check(double grad_scale = 1.0) {
    nn::LstmCache<double> cache;
    nn::lstm_forward(inp, params, batch, cache);
    Params grads = nn::lstm_zeros<double>(inp.shape(1), params.weight_hh.shape(1));
    Mat dinp = nn::lstm_backward(r, inp, params, batch, cache, grads);
    for (auto* g : {&grads.weight_ih, &grads.weight_hh, &dinp}) *g *= grad_scale;
    grads.bias_ih *= grad_scale;
    grads.bias_hh *= grad_scale;
    return nn_test::gradcheck([this] { return loss(); },
                              {nn_test::checked("inp", inp, dinp),
                               nn_test::checked("weight_ih", params.weight_ih, grads.weight_ih),
                               nn_test::checked("weight_hh", params.weight_hh, grads.weight_hh),
                               nn_test::checked("bias_ih", params.bias_ih, grads.bias_ih),
                               nn_test::checked("bias_hh", params.bias_hh, grads.bias_hh)});
  }
};

LstmProblem random_problem() {
  const auto batch = draw(1, 4);
  const auto time = draw(1, 5);
  const auto input = draw(1, 5);
  const auto hidden = draw(1, 5);
  std::mt19937_64 rng(draw_seed());
  return LstmProblem(batch, time, input, hidden, rng);
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_matches_a_per_step_cell_loop) {
  nn_test::check_property([] {
    const LstmProblem p = random_problem();
    nn::LstmCache<double> cache;
    const Mat out = nn::lstm_forward(p.inp, p.params, p.batch, cache);
    RC_ASSERT(xt::allclose(out, lstm_oracle(p.inp, p.params, p.batch), 1e-12, 1e-12));
  });
}

// With zero weights every step sees the same gates i, f, g, o = gates of the biases, so
// c_t = i g (1 + f + ... + f^t) = i g (1 - f^(t+1)) / (1 - f) and h_t = o tanh(c_t).
BOOST_AUTO_TEST_CASE(zero_weights_give_a_geometric_cell) {
  const std::size_t time = 5;
  Params p = nn::lstm_zeros<double>(2, 1);
  p.bias_ih = {0.3, 1.2, -0.4, 0.5};  // i, f, g, o
  p.bias_hh = {0.1, -0.2, 0.9, 0.0};
  const double i = sigmoid(0.4), f = sigmoid(1.0), g = std::tanh(0.5), o = sigmoid(0.5);
  nn::LstmCache<double> cache;
  const Mat out = nn::lstm_forward(Mat(xt::ones<double>({time, std::size_t(2)})), p, 1, cache);
  for (std::size_t t = 0; t < time; ++t) {
    const double c = i * g * (1 - std::pow(f, double(t + 1))) / (1 - f);
    BOOST_TEST(out(t, 0) == o * std::tanh(c), boost::test_tools::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(float_forward_agrees_with_double) {
  std::mt19937_64 rng(3);
  const LstmProblem p(2, 4, 3, 5, rng);
  const nn::LstmParams<float> pf{p.params.weight_ih, p.params.weight_hh, p.params.bias_ih, p.params.bias_hh};
  nn::LstmCache<float> cache_f;
  nn::LstmCache<double> cache_d;
  const Mat out_f = nn::lstm_forward(nn::Matrix<float>(p.inp), pf, 2, cache_f);
  BOOST_TEST(xt::allclose(out_f, nn::lstm_forward(p.inp, p.params, 2, cache_d), 1e-5, 1e-6));
}

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  nn_test::check_property([] {
    LstmProblem p = random_problem();
    nn_test::require_gradients_match(p.check());
  });
}

BOOST_AUTO_TEST_CASE(backward_accumulates_into_the_gradients) {
  std::mt19937_64 rng(5);
  const LstmProblem p(2, 3, 2, 3, rng);
  nn::LstmCache<double> cache;
  nn::lstm_forward(p.inp, p.params, p.batch, cache);
  Params once = nn::lstm_zeros<double>(2, 3), twice = nn::lstm_zeros<double>(2, 3);
  nn::lstm_backward(p.r, p.inp, p.params, p.batch, cache, once);
  nn::lstm_backward(p.r, p.inp, p.params, p.batch, cache, twice);
  nn::lstm_backward(p.r, p.inp, p.params, p.batch, cache, twice);
  BOOST_TEST(xt::allclose(twice.weight_hh, 2.0 * once.weight_hh, 1e-12, 1e-14));
  BOOST_TEST(xt::allclose(twice.bias_ih, 2.0 * once.bias_ih, 1e-12, 1e-14));
}

BOOST_AUTO_TEST_CASE(a_wrong_backward_fails_the_gradcheck) {
  std::mt19937_64 rng(11);
  LstmProblem p(2, 4, 3, 3, rng);
  const auto wrong = p.check(1.01);
  BOOST_TEST(wrong.max_rel_error > nn_test::gradcheck_tolerance, wrong.worst);
  BOOST_TEST(p.check().max_rel_error <= nn_test::gradcheck_tolerance);
}

BOOST_AUTO_TEST_CASE(mismatched_shapes_throw) {
  const Params p = nn::lstm_zeros<double>(3, 2);
  nn::LstmCache<double> cache;
  BOOST_CHECK_THROW(nn::lstm_forward(Mat(xt::zeros<double>({4, 2})), p, 2, cache), std::invalid_argument);
  BOOST_CHECK_THROW(nn::lstm_forward(Mat(xt::zeros<double>({5, 3})), p, 2, cache), std::invalid_argument);
}
