// conv2d against a direct loop over every output and kernel tap, max pooling against hand-worked
// windows, and both backwards against finite differences.
#define BOOST_TEST_MODULE nn_conv
#include <boost/test/unit_test.hpp>

#include "gradcheck.hpp"
#include "nn/conv.hpp"

namespace {

using nn_test::Mat;
using nn_test::Vec;

using nn_test::draw;
using nn_test::draw_seed;

// The definition: out[n, co, y, x] = bias[co] + sum over ci, ky, kx of
// weight[co, ci, ky, kx] * inp[n, ci, y + ky - p, x + kx - p], zero outside the image.
Mat conv_oracle(const Mat& inp, const Mat& weight, const Vec& bias, const nn::Conv2dShape& s) {
  const std::size_t c_in = s.input.channels, h = s.input.height, w = s.input.width, k = s.kernel;
  const std::size_t out_h = s.out_height(), out_w = s.out_width(), c_out = weight.shape(0);
  Mat out = Mat::from_shape({inp.shape(0), c_out * out_h * out_w});
  for (std::size_t n = 0; n < inp.shape(0); ++n)
    for (std::size_t co = 0; co < c_out; ++co)
      for (std::size_t y = 0; y < out_h; ++y)
        for (std::size_t x = 0; x < out_w; ++x) {
          double sum = bias(co);
          for (std::size_t ci = 0; ci < c_in; ++ci)
            for (std::size_t ky = 0; ky < k; ++ky)
              for (std::size_t kx = 0; kx < k; ++kx) {
                const long iy = long(y + ky) - long(s.padding), ix = long(x + kx) - long(s.padding);
                if (iy < 0 || ix < 0 || iy >= long(h) || ix >= long(w)) continue;
                sum += weight(co, (ci * k + ky) * k + kx) * inp(n, (ci * h + std::size_t(iy)) * w + std::size_t(ix));
              }
          out(n, (co * out_h + y) * out_w + x) = sum;
        }
  return out;
}

// A random convolution with kernel 1 or 3 and padding 0 or 1, its input and a projection R of its output.
struct ConvProblem {
  nn::Conv2dShape shape;
  Mat inp, weight, r;
  Vec bias;

  double loss() const { return nn_test::project(nn::conv2d_forward(inp, weight, bias, shape), r); }

  nn_test::GradcheckResult check(double grad_scale = 1.0) {
    Mat dweight = xt::zeros<double>(weight.shape());
    Vec dbias = xt::zeros<double>(bias.shape());
    Mat dinp = nn::conv2d_backward(r, inp, weight, shape, dweight, dbias);
    dweight *= grad_scale;
    return nn_test::gradcheck([this] { return loss(); }, {nn_test::checked("inp", inp, dinp),
                                                          nn_test::checked("weight", weight, dweight),
                                                          nn_test::checked("bias", bias, dbias)});
  }
};

ConvProblem make_conv_problem(std::size_t batch, std::size_t c_out, const nn::Conv2dShape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::size_t patch = shape.input.channels * shape.kernel * shape.kernel;
  return {shape, nn_test::random_matrix(batch, shape.input.size(), rng), nn_test::random_matrix(c_out, patch, rng),
          nn_test::random_matrix(batch, c_out * shape.out_height() * shape.out_width(), rng),
          nn_test::random_vector(c_out, rng)};
}

ConvProblem random_conv_problem() {
  const std::size_t kernel = 2 * draw(0, 2) + 1;
  const std::size_t padding = draw(0, 2);
  const std::size_t min_side = kernel > 2 * padding ? kernel - 2 * padding : 1;  // the padded image fits a kernel
  nn::Conv2dShape shape{{draw(1, 4), draw(min_side, min_side + 5), draw(min_side, min_side + 5)},
                        kernel,
                        padding};
  const auto batch = draw(1, 3);
  const auto c_out = draw(1, 4);
  return make_conv_problem(batch, c_out, shape, draw_seed());
}

// A random pooling input of odd or even sides and a projection R of its output.
struct PoolProblem {
  nn::ImageShape shape;
  Mat inp, r;

  double loss() const {
    nn::MaxPoolCache cache;
    return nn_test::project(nn::max_pool2x2_forward(inp, shape, cache), r);
  }

  nn_test::GradcheckResult check() {
    nn::MaxPoolCache cache;
    nn::max_pool2x2_forward(inp, shape, cache);
    const Mat dinp = nn::max_pool2x2_backward(r, shape, cache);
    return nn_test::gradcheck([this] { return loss(); }, {nn_test::checked("inp", inp, dinp)});
  }
};

PoolProblem random_pool_problem() {
  const nn::ImageShape shape{draw(1, 4), draw(2, 8), draw(2, 8)};
  const auto batch = draw(1, 3);
  std::mt19937_64 rng(draw_seed());
  Mat inp = nn_test::random_matrix(batch, shape.size(), rng);
  Mat r = nn_test::random_matrix(batch, nn::max_pool2x2_output(shape).size(), rng);
  return {shape, std::move(inp), std::move(r)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(conv_forward_matches_the_direct_loop) {
  nn_test::check_property([] {
    const ConvProblem p = random_conv_problem();
    const Mat out = nn::conv2d_forward(p.inp, p.weight, p.bias, p.shape);
    RC_ASSERT(xt::allclose(out, conv_oracle(p.inp, p.weight, p.bias, p.shape), 1e-12, 1e-12));
  });
}

// A 3x3 image 1..9 and an all-ones 3x3 kernel with padding 1: each output is the sum of the pixel's
// neighbourhood (corner 1+2+4+5 = 12, centre 45), plus the bias 0.5.
BOOST_AUTO_TEST_CASE(conv_box_filter_by_hand) {
  const Mat image = {{1, 2, 3, 4, 5, 6, 7, 8, 9}};
  const Mat ones = xt::ones<double>({std::size_t(1), std::size_t(9)});
  const Vec bias = {0.5};
  const Mat out = nn::conv2d_forward(image, ones, bias, nn::Conv2dShape{{1, 3, 3}, 3, 1});
  const Mat expected = {{12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5}};
  BOOST_TEST(xt::allclose(out, expected, 1e-14, 1e-14));
  const Mat valid = nn::conv2d_forward(image, ones, bias, nn::Conv2dShape{{1, 3, 3}, 3, 0});
  BOOST_TEST(valid.shape(1) == 1u);
  BOOST_TEST(valid(0, 0) == 45.5);
}

BOOST_AUTO_TEST_CASE(conv_float_forward_agrees_with_double) {
  const ConvProblem p = make_conv_problem(2, 3, nn::Conv2dShape{{2, 5, 4}, 3, 1}, 17);
  const nn::Matrix<float> inp_f = p.inp, weight_f = p.weight;
  const nn::Vector<float> bias_f = p.bias;
  const Mat out_f = nn::conv2d_forward(inp_f, weight_f, bias_f, p.shape);
  BOOST_TEST(xt::allclose(out_f, conv_oracle(p.inp, p.weight, p.bias, p.shape), 1e-5, 1e-5));
}

BOOST_AUTO_TEST_CASE(conv_backward_matches_finite_differences) {
  nn_test::check_property([] {
    ConvProblem p = random_conv_problem();
    nn_test::require_gradients_match(p.check());
  });
}

BOOST_AUTO_TEST_CASE(conv_a_wrong_backward_fails_the_gradcheck) {
  ConvProblem p = make_conv_problem(2, 2, nn::Conv2dShape{{2, 4, 4}, 3, 1}, 23);
  const auto wrong = p.check(1.01);
  BOOST_TEST(wrong.max_rel_error > nn_test::gradcheck_tolerance, wrong.worst);
  BOOST_TEST(p.check().max_rel_error <= nn_test::gradcheck_tolerance);
}

BOOST_AUTO_TEST_CASE(conv_mismatched_shapes_throw) {
  const Mat inp = xt::zeros<double>({std::size_t(1), std::size_t(9)}), weight = xt::zeros<double>({2, 9});
  const Vec bias = xt::zeros<double>({2});
  BOOST_CHECK_THROW(nn::conv2d_forward(inp, weight, bias, nn::Conv2dShape{{1, 3, 2}, 3, 1}), std::invalid_argument);
  BOOST_CHECK_THROW(nn::conv2d_forward(inp, weight, bias, nn::Conv2dShape{{1, 3, 3}, 1, 0}), std::invalid_argument);
  BOOST_CHECK_THROW(nn::conv2d_forward(inp, weight, Vec(xt::zeros<double>({3})), nn::Conv2dShape{{1, 3, 3}, 3, 1}),
                    std::invalid_argument);
}

// One 4x5 channel: the last column is dropped (floor mode); the maxima, their positions and the
// routed gradient worked out by hand.
BOOST_AUTO_TEST_CASE(max_pool_by_hand) {
  const Mat image = {{1, 5, 2, 0, 9,  //
                      3, 4, 8, 1, 9,  //
                      7, 0, 2, 2, 9,  //
                      6, 1, 3, 6, 9}};
  const nn::ImageShape shape{1, 4, 5};
  nn::MaxPoolCache cache;
  const Mat out = nn::max_pool2x2_forward(image, shape, cache);
  BOOST_TEST((out == Mat{{5, 8, 7, 6}}));
  const Mat dinp = nn::max_pool2x2_backward(Mat{{1, 2, 3, 4}}, shape, cache);
  const Mat expected = {{0, 1, 0, 0, 0,  //
                         0, 0, 2, 0, 0,  //
                         3, 0, 0, 0, 0,  //
                         0, 0, 0, 4, 0}};
  BOOST_TEST((dinp == expected));
}

BOOST_AUTO_TEST_CASE(max_pool_keeps_channels_and_images_apart) {
  // two images of two 2x2 channels: each window is a whole channel
  const Mat images = {{1, 2, 3, 4, -1, -2, -3, -4}, {0, 9, 0, 0, 5, 5, 6, 5}};
  nn::MaxPoolCache cache;
  const Mat out = nn::max_pool2x2_forward(images, nn::ImageShape{2, 2, 2}, cache);
  BOOST_TEST((out == Mat{{4, -1}, {9, 6}}));
}

BOOST_AUTO_TEST_CASE(max_pool_backward_matches_finite_differences) {
  nn_test::check_property([] {
    PoolProblem p = random_pool_problem();
    nn_test::require_gradients_match(p.check());
  });
}

BOOST_AUTO_TEST_CASE(max_pool_a_wrong_route_fails_the_gradcheck) {
  std::mt19937_64 rng(29);
  PoolProblem p{{1, 4, 4}, nn_test::random_matrix(1, 16, rng), nn_test::random_matrix(1, 4, rng)};
  nn::MaxPoolCache cache;
  nn::max_pool2x2_forward(p.inp, p.shape, cache);
  for (auto& index : cache.argmax) index ^= 1;  // the maximum's horizontal neighbour instead
  const Mat dinp = nn::max_pool2x2_backward(p.r, p.shape, cache);
  const auto wrong = nn_test::gradcheck([&p] { return p.loss(); }, {nn_test::checked("inp", p.inp, dinp)});
  BOOST_TEST(wrong.max_rel_error > nn_test::gradcheck_tolerance, wrong.worst);
  BOOST_TEST(p.check().max_rel_error <= nn_test::gradcheck_tolerance);
}
