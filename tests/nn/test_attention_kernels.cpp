// The two attention forward kernels against plain loops in double precision: random shapes and tile
// sizes (n below, at and off multiples of a tile), with and without the causal mask, on 1 and 2 threads.
#define BOOST_TEST_MODULE nn_attention_kernels
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gradcheck.hpp"
#include "nn/attention_kernels.hpp"

namespace {

using Buffer = std::vector<float>;
using Oracle = std::vector<double>;

// The comparison every kernel answer goes through: max |out - expected| / max |expected|.
constexpr double tolerance = 1e-5;

struct Inputs {
  nn::AttentionDims dims;
  Buffer q, k, v;
};

Buffer random_buffer(std::size_t size, std::mt19937_64& rng, double scale) {
  std::normal_distribution<float> normal(0.f, float(scale));
  Buffer b(size);
  for (auto& x : b) x = normal(rng);
  return b;
}

// q and k scaled by `score_scale` make the scores larger (sharper softmax, larger row maxima).
Inputs random_inputs(const nn::AttentionDims& dims, std::uint64_t seed, double score_scale = 1.0) {
  std::mt19937_64 rng(seed);
  const std::size_t size = dims.batch * dims.n * dims.d;
  Buffer q = random_buffer(size, rng, score_scale), k = random_buffer(size, rng, score_scale);
  return {dims, std::move(q), std::move(k), random_buffer(size, rng, 1.0)};
}

// The definition, one query at a time: softmax over the visible keys of q.k / sqrt(d), then weights on v.
Oracle plain_attention(const Inputs& in) {
  const auto [batch, n, d, causal] = in.dims;
  Oracle out(batch * n * d, 0.0);
  std::vector<double> weight(n);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = b * n + i, visible = causal ? i + 1 : n;
      for (std::size_t j = 0; j < visible; ++j) {
        double dot = 0;
        for (std::size_t c = 0; c < d; ++c) dot += double(in.q[row * d + c]) * in.k[(b * n + j) * d + c];
        weight[j] = dot / std::sqrt(double(d));
      }
      const double max = *std::max_element(weight.begin(), weight.begin() + visible);
      double sum = 0;
      for (std::size_t j = 0; j < visible; ++j) sum += weight[j] = std::exp(weight[j] - max);
      for (std::size_t j = 0; j < visible; ++j)
        for (std::size_t c = 0; c < d; ++c) out[row * d + c] += weight[j] / sum * in.v[(b * n + j) * d + c];
    }
  return out;
}

// A flash-style loop that forgets to shrink the earlier terms when a later key tile raises the row max:
// the bug the comparison must catch.
Oracle attention_without_rescale(const Inputs& in, std::size_t key_rows) {
  const auto [batch, n, d, causal] = in.dims;
  Oracle out(batch * n * d, 0.0);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = b * n + i, visible = causal ? i + 1 : n;
      double max = -std::numeric_limits<double>::infinity(), sum = 0;
      for (std::size_t j = 0; j < visible; ++j) {
        if (j % key_rows == 0)  // a new tile: its max, from its own scores only
          for (std::size_t t = j; t < std::min(j + key_rows, visible); ++t) {
            double dot = 0;
            for (std::size_t c = 0; c < d; ++c) dot += double(in.q[row * d + c]) * in.k[(b * n + t) * d + c];
            max = std::max(max, dot / std::sqrt(double(d)));
          }
        double dot = 0;
        for (std::size_t c = 0; c < d; ++c) dot += double(in.q[row * d + c]) * in.k[(b * n + j) * d + c];
        const double p = std::exp(dot / std::sqrt(double(d)) - max);
        sum += p;
        for (std::size_t c = 0; c < d; ++c) out[row * d + c] += p * in.v[(b * n + j) * d + c];
      }
      for (std::size_t c = 0; c < d; ++c) out[row * d + c] /= sum;
    }
  return out;
}

template <class Values>
double relative_error(const Values& out, const Oracle& expected) {
  double worst = 0, scale = 1e-30;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(double(out[i]) - expected[i]));
    scale = std::max(scale, std::abs(expected[i]));
  }
  return worst / scale;
}

Buffer run_naive(const Inputs& in, std::size_t threads) {
  Buffer out(in.q.size());
  nn::attention_naive(in.q.data(), in.k.data(), in.v.data(), out.data(), in.dims, threads);
  return out;
}

Buffer run_tiled(const Inputs& in, std::size_t threads, const nn::AttentionTiles& tiles) {
  Buffer out(in.q.size());
  nn::attention_tiled(in.q.data(), in.k.data(), in.v.data(), out.data(), in.dims, threads, tiles);
  return out;
}

nn::AttentionDims random_dims() {
  return {std::size_t(*rc::gen::inRange(1, 4)), std::size_t(*rc::gen::inRange(1, 40)),
          std::size_t(*rc::gen::inRange(1, 20)), *rc::gen::arbitrary<bool>()};
}

std::size_t random_threads() { return std::size_t(*rc::gen::inRange(1, 3)); }

}  // namespace

BOOST_AUTO_TEST_CASE(naive_matches_plain_loops) {
  nn_test::check_property([] {
    const Inputs in = random_inputs(random_dims(), *rc::gen::arbitrary<std::uint64_t>());
    RC_ASSERT(relative_error(run_naive(in, random_threads()), plain_attention(in)) <= tolerance);
  });
}

// Tiles from 1 row up to past n: several query and key blocks, ragged last blocks, a single block.
BOOST_AUTO_TEST_CASE(tiled_matches_plain_loops_for_any_tile_size) {
  nn_test::check_property([] {
    const Inputs in = random_inputs(random_dims(), *rc::gen::arbitrary<std::uint64_t>());
    const nn::AttentionTiles tiles{std::size_t(*rc::gen::inRange(1, 48)), std::size_t(*rc::gen::inRange(1, 48))};
    RC_ASSERT(relative_error(run_tiled(in, random_threads(), tiles), plain_attention(in)) <= tolerance);
  });
}

// The default tiles (n smaller than one tile, and n = 300 over several of them, not a multiple of either).
BOOST_AUTO_TEST_CASE(tiled_with_default_tiles_matches_plain_loops) {
  for (const std::size_t n : {5, 300})
    for (const bool causal : {false, true}) {
      const Inputs in = random_inputs({2, n, 16, causal}, 11 + n);
      BOOST_TEST(relative_error(run_tiled(in, 2, {}), plain_attention(in)) <= tolerance,
                 "n = " << n << (causal ? ", causal" : ""));
    }
}

// Scores of several hundred: exp without the row max subtracted would overflow float.
BOOST_AUTO_TEST_CASE(large_scores_stay_finite_and_correct) {
  const Inputs in = random_inputs({1, 64, 16, false}, 3, 8.0);
  const Oracle expected = plain_attention(in);
  BOOST_TEST(relative_error(run_naive(in, 1), expected) <= tolerance);
  BOOST_TEST(relative_error(run_tiled(in, 1, {8, 16}), expected) <= tolerance);
}

// Splitting the batch over threads changes no arithmetic: the answers are identical.
BOOST_AUTO_TEST_CASE(two_threads_give_the_same_bits_as_one) {
  const Inputs in = random_inputs({5, 70, 8, true}, 5);
  BOOST_TEST(run_tiled(in, 1, {16, 32}) == run_tiled(in, 2, {16, 32}));
  BOOST_TEST(run_naive(in, 1) == run_naive(in, 2));
}

// The comparison can fail: the missing rescale, and an answer off by 1e-4.
BOOST_AUTO_TEST_CASE(the_comparison_catches_a_wrong_kernel) {
  const Inputs in = random_inputs({2, 50, 8, false}, 9, 2.0);
  const Oracle expected = plain_attention(in);
  const double without_rescale = relative_error(attention_without_rescale(in, 16), expected);
  BOOST_TEST(without_rescale > 100 * tolerance, "error without the rescale: " << without_rescale);
  Buffer off = run_tiled(in, 1, {16, 16});
  for (auto& x : off) x *= 1.f + 1e-4f;
  BOOST_TEST(relative_error(off, expected) > tolerance);
}
