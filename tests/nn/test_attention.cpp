// Attention against an independent plain-loop oracle (every mask kind, padding, cross-attention, multi-head,
// grouped- and multi-query heads, relative bias), masks against truth tables written by hand, the KV-cache and
// causality properties, and the backward by finite differences.
#define BOOST_TEST_MODULE nn_attention
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "gradcheck.hpp"
#include "threads.hpp"
#include "nn/attention.hpp"

namespace {

using nn_test::Mat;

using nn_test::draw;
using nn_test::draw_many;
using nn_test::draw_seed;
bool draw_bool() { return draw(0, 2) == 1; }

// One attention problem: shapes, mask, inputs and (when has_bias) a relative bias table.
struct Problem {
  nn::AttentionShape shape;
  nn::AttentionMask mask;
  Mat q, k, v;
  Mat bias_table;
  bool has_bias = false;
};

// Inputs drawn from seed; max_distance set: a (n_head, 2 * max_distance + 1) bias table too.
Problem make_problem(const nn::AttentionShape& shape, nn::AttentionMask mask, std::optional<std::size_t> max_distance,
                     std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Problem p{shape, std::move(mask), {}, {}, {}, {}, max_distance.has_value()};
  p.q = nn_test::random_matrix(shape.batch * shape.q_len, shape.n_head * shape.head_dim, rng);
  p.k = nn_test::random_matrix(shape.batch * shape.kv_len, shape.n_kv_head * shape.head_dim, rng);
  p.v = nn_test::random_matrix(shape.batch * shape.kv_len, shape.n_kv_head * shape.head_dim, rng);
  if (max_distance) p.bias_table = nn_test::random_matrix(shape.n_head, 2 * *max_distance + 1, rng);
  return p;
}

nn::RelativeBias<double> bias_of(Problem& p, Mat* grad = nullptr) {
  return {p.has_bias ? &p.bias_table : nullptr, p.has_bias ? grad : nullptr};
}

Mat forward(Problem& p) {
  nn::AttentionCache<double> cache;
  return nn::attention_forward(p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
}

// ---- the oracle: the header's definitions as plain loops -------------------------------------------------

bool oracle_allows(const nn::AttentionMask& m, std::size_t b, std::size_t query_pos, std::size_t key_pos) {
  if (!m.key_lengths.empty() && key_pos >= m.key_lengths[b]) return false;
  const long p = long(query_pos), j = long(key_pos);
  switch (m.kind) {
    case nn::MaskKind::bidirectional:
      return true;
    case nn::MaskKind::causal:
      return j <= p;
    case nn::MaskKind::prefix_lm:
      return j < long(m.prefix) || j <= p;
    case nn::MaskKind::sliding_window:
      return p - long(m.window) < j && j <= p;
    case nn::MaskKind::key_ranges:
      return long(m.key_ranges.at(query_pos).begin) <= j && j < long(m.key_ranges.at(query_pos).end);
  }
  return false;
}

// Column of the bias table for a query at query_pos and a key at key_pos: clamp(key - query, -M, M) + M.
std::size_t bias_column(const Problem& p, std::size_t query_pos, std::size_t key_pos) {
  const long m = long(p.bias_table.shape(1) - 1) / 2;
  return std::size_t(std::clamp(long(key_pos) - long(query_pos), -m, m) + m);
}

// Row i of head h in batch b: softmax over the allowed keys of q.k / sqrt(D) + bias, then the weighted sum of v.
void oracle_row(const Problem& p, std::size_t b, std::size_t h, std::size_t i, Mat& out) {
  const auto& s = p.shape;
  const std::size_t g = h / (s.n_head / s.n_kv_head), query_pos = s.q_offset + i, row = b * s.q_len + i;
  std::vector<double> weight(s.kv_len, 0.0);
  double max_score = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < s.kv_len; ++j) {
    if (!oracle_allows(p.mask, b, query_pos, j)) continue;
    double score = 0;
    for (std::size_t d = 0; d < s.head_dim; ++d)
      score += p.q(row, h * s.head_dim + d) * p.k(b * s.kv_len + j, g * s.head_dim + d);
    score /= std::sqrt(double(s.head_dim));
    if (p.has_bias) score += p.bias_table(h, bias_column(p, query_pos, j));
    weight[j] = score;
    max_score = std::max(max_score, score);
  }
  double total = 0;
  for (std::size_t j = 0; j < s.kv_len; ++j) {
    weight[j] = oracle_allows(p.mask, b, query_pos, j) ? std::exp(weight[j] - max_score) : 0.0;
    total += weight[j];
  }
  for (std::size_t d = 0; d < s.head_dim; ++d) {
    double value = 0;
    for (std::size_t j = 0; j < s.kv_len; ++j) value += weight[j] * p.v(b * s.kv_len + j, g * s.head_dim + d);
    out(row, h * s.head_dim + d) = total > 0 ? value / total : 0.0;
  }
}

Mat oracle_attention(const Problem& p) {
  Mat out = xt::zeros<double>(p.q.shape());
  for (std::size_t b = 0; b < p.shape.batch; ++b)
    for (std::size_t h = 0; h < p.shape.n_head; ++h)
      for (std::size_t i = 0; i < p.shape.q_len; ++i) oracle_row(p, b, h, i, out);
  return out;
}

// ---- random problems -----------------------------------------------------------------------------------

nn::AttentionMask random_mask(const nn::AttentionShape& s) {
  nn::AttentionMask mask;
  mask.kind = nn::MaskKind(draw(0, 4));  // the four kinds in declaration order
  mask.prefix = draw(0, s.kv_len + 2);
  mask.window = draw(1, s.kv_len + 2);
  if (draw_bool()) mask.key_lengths = draw_many(s.batch, 0, s.kv_len + 1);
  return mask;
}

// Self-attention (kv_len = q_len, offset 0) or cross-attention/decoding (any kv_len and offset); 1-2 query heads
// per key/value head; a bias table half of the time.
Problem random_problem() {
  nn::AttentionShape s;
  s.batch = draw(1, 3);
  s.q_len = draw(1, 5);
  const bool cross = draw_bool();
  s.kv_len = cross ? draw(1, 6) : s.q_len;
  s.q_offset = cross ? draw(0, 6) : 0;
  s.n_kv_head = draw(1, 3);
  s.n_head = s.n_kv_head * draw(1, 3);
  s.head_dim = draw(1, 4);
  std::optional<std::size_t> max_distance;
  if (draw_bool()) max_distance = draw(0, 4);
  return make_problem(s, random_mask(s), max_distance, draw_seed());
}

nn::AttentionShape shape_of(std::size_t batch, std::size_t q_len, std::size_t kv_len, std::size_t n_head,
                            std::size_t n_kv_head, std::size_t head_dim, std::size_t q_offset = 0) {
  return {batch, q_len, kv_len, n_head, n_kv_head, head_dim, q_offset};
}

nn::AttentionMask mask_of(nn::MaskKind kind, std::size_t prefix = 0, std::size_t window = 0,
                          std::vector<std::size_t> key_lengths = {}) {
  return {kind, prefix, window, std::move(key_lengths)};
}

// ---- gradient check ------------------------------------------------------------------------------------

// Whether some query sees keys in two different bias columns. If none does, a bias entry shifts all of a row's
// scores alike, softmax ignores it, the bias gradient is exactly 0 and its finite differences are rounding noise
// (~1e-13) that gradcheck, relative to the largest numerical gradient floored at 1e-4, would report as an error.
bool bias_gradient_is_nonzero(const Problem& p) {
  const auto& s = p.shape;
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t i = 0; i < s.q_len; ++i) {
      std::optional<std::size_t> first_column;
      for (std::size_t j = 0; j < s.kv_len; ++j) {
        if (!oracle_allows(p.mask, b, s.q_offset + i, j)) continue;
        const std::size_t column = bias_column(p, s.q_offset + i, j);
        if (first_column && *first_column != column) return true;
        first_column = column;
      }
    }
  return false;
}

// sum(attention(q, k, v, bias) * r) against attention_backward(r); dq_scale spoils the backward.
nn_test::GradcheckResult attention_gradcheck(Problem p, std::uint64_t seed, double dq_scale = 1.0) {
  std::mt19937_64 rng(seed);
  const Mat r = nn_test::random_matrix(p.q.shape(0), p.q.shape(1), rng);
  Mat bias_grad = xt::zeros<double>(p.bias_table.shape());
  nn::AttentionCache<double> cache;
  nn::attention_forward(p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
  auto grads = nn::attention_backward(r, p.q, p.k, p.v, p.shape, p.mask, bias_of(p, &bias_grad), cache);
  grads.dq *= dq_scale;
  std::vector<nn_test::Checked> tensors = {nn_test::checked("dq", p.q, grads.dq), nn_test::checked("dk", p.k, grads.dk),
                                           nn_test::checked("dv", p.v, grads.dv)};
  if (p.has_bias && bias_gradient_is_nonzero(p)) tensors.push_back(nn_test::checked("dbias", p.bias_table, bias_grad));
  return nn_test::gradcheck([&] { return nn_test::project(forward(p), r); }, tensors);
}

// "1" where the mask lets query row i (at q_offset + i) of batch b see key j, else "0"; one string per row.
std::vector<std::string> truth_table(const nn::AttentionMask& mask, std::size_t b, std::size_t q_len,
                                     std::size_t kv_len, std::size_t q_offset = 0) {
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < q_len; ++i) {
    std::string row;
    for (std::size_t j = 0; j < kv_len; ++j) row += mask.allows(b, q_offset + i, j) ? '1' : '0';
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

// ---- masks ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(mask_truth_tables) {
  using T = std::vector<std::string>;
  using nn::MaskKind;
  BOOST_TEST(truth_table(mask_of(MaskKind::causal), 0, 4, 4) == (T{"1000", "1100", "1110", "1111"}),
             boost::test_tools::per_element());
  BOOST_TEST(truth_table(mask_of(MaskKind::bidirectional), 0, 2, 3) == (T{"111", "111"}),
             boost::test_tools::per_element());
  BOOST_TEST(truth_table(mask_of(MaskKind::prefix_lm, 2), 0, 4, 4) == (T{"1100", "1100", "1110", "1111"}),
             boost::test_tools::per_element());
  BOOST_TEST(truth_table(mask_of(MaskKind::prefix_lm, 0), 0, 3, 3) == (T{"100", "110", "111"}),
             boost::test_tools::per_element());
  BOOST_TEST(truth_table(mask_of(MaskKind::sliding_window, 0, 2), 0, 4, 4) == (T{"1000", "1100", "0110", "0011"}),
             boost::test_tools::per_element());
  BOOST_TEST(truth_table(mask_of(MaskKind::sliding_window, 0, 1), 0, 3, 3) == (T{"100", "010", "001"}),
             boost::test_tools::per_element());
  auto window = mask_of(MaskKind::key_ranges);  // both sides, one key each way
  window.key_ranges = {{0, 2}, {0, 3}, {1, 4}, {2, 4}};
  BOOST_TEST(truth_table(window, 0, 4, 4) == (T{"1100", "1110", "0111", "0011"}), boost::test_tools::per_element());
  // Decoding: query rows at positions 2 and 3 of a 4-key cache.
  BOOST_TEST(truth_table(mask_of(MaskKind::causal), 0, 2, 4, 2) == (T{"1110", "1111"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(padding_hides_keys_per_batch_element) {
  using T = std::vector<std::string>;
  const auto padded = mask_of(nn::MaskKind::bidirectional, 0, 0, {3, 1});
  BOOST_TEST(truth_table(padded, 0, 2, 4) == (T{"1110", "1110"}), boost::test_tools::per_element());
  BOOST_TEST(truth_table(padded, 1, 2, 4) == (T{"1000", "1000"}), boost::test_tools::per_element());
  const auto padded_causal = mask_of(nn::MaskKind::causal, 0, 0, {4, 2});
  BOOST_TEST(truth_table(padded_causal, 1, 4, 4) == (T{"1000", "1100", "1100", "1100"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(allows_agrees_with_the_definitions) {
  const auto allows_matches = [] {
    const nn::AttentionShape s = shape_of(draw(1, 3), 1, draw(1, 8), 1, 1, 1);
    const nn::AttentionMask mask = random_mask(s);
    for (std::size_t b = 0; b < s.batch; ++b)
      for (std::size_t p = 0; p < s.kv_len + 2; ++p)
        for (std::size_t j = 0; j < s.kv_len; ++j) RC_ASSERT(mask.allows(b, p, j) == oracle_allows(mask, b, p, j));
  };
  nn_test::check_property(allows_matches, 200);
}

// ---- forward against the oracle ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(forward_matches_the_oracle_in_named_configurations) {
  using nn::MaskKind;
  struct Case {
    const char* name;
    nn::AttentionShape shape;
    nn::AttentionMask mask;
    std::optional<std::size_t> max_distance;
  };
  const std::vector<Case> cases = {
      {"causal", shape_of(2, 5, 5, 1, 1, 4), mask_of(MaskKind::causal), {}},
      {"bidirectional", shape_of(2, 5, 5, 1, 1, 4), mask_of(MaskKind::bidirectional), {}},
      {"prefix_lm", shape_of(2, 6, 6, 2, 2, 3), mask_of(MaskKind::prefix_lm, 3), {}},
      {"sliding_window", shape_of(2, 6, 6, 2, 2, 3), mask_of(MaskKind::sliding_window, 0, 2), {}},
      {"padding", shape_of(3, 4, 4, 2, 2, 3), mask_of(MaskKind::bidirectional, 0, 0, {4, 2, 1}), {}},
      {"cross_attention", shape_of(2, 3, 7, 2, 2, 4), mask_of(MaskKind::bidirectional), {}},
      {"multi_head", shape_of(2, 4, 4, 4, 4, 2), mask_of(MaskKind::causal), {}},
      {"grouped_query", shape_of(2, 4, 4, 4, 2, 3), mask_of(MaskKind::causal), {}},
      {"multi_query", shape_of(2, 4, 4, 4, 1, 3), mask_of(MaskKind::causal), {}},
      {"relative_bias", shape_of(2, 6, 6, 2, 1, 3), mask_of(MaskKind::causal), 2},
      {"decoding_with_bias", shape_of(1, 2, 6, 2, 2, 3, 4), mask_of(MaskKind::causal), 3},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Problem p = make_problem(c.shape, c.mask, c.max_distance, 17);
      BOOST_TEST(xt::allclose(forward(p), oracle_attention(p), 1e-12, 1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(forward_matches_the_oracle_on_random_problems) {
  const auto forward_matches = [] {
    Problem p = random_problem();
    RC_ASSERT(xt::allclose(forward(p), oracle_attention(p), 1e-12, 1e-12));
  };
  nn_test::check_property(forward_matches, 200);
}

BOOST_AUTO_TEST_CASE(the_oracle_comparison_sees_a_wrong_mask) {
  Problem p = make_problem(shape_of(1, 4, 4, 2, 1, 3), mask_of(nn::MaskKind::causal), {}, 23);
  const Mat causal = forward(p);
  p.mask.kind = nn::MaskKind::bidirectional;
  BOOST_TEST(!xt::allclose(causal, oracle_attention(p), 1e-12, 1e-12));
}

// The float softmax runs sixteen keys at a time: 5 keys exercise its partial tail only, 37 full vectors too.
BOOST_AUTO_TEST_CASE(float_agrees_with_double) {
  for (Problem p : {make_problem(shape_of(2, 5, 5, 4, 2, 8), mask_of(nn::MaskKind::prefix_lm, 2, 0, {5, 3}), 3, 29),
                    make_problem(shape_of(2, 37, 37, 2, 1, 8), mask_of(nn::MaskKind::causal), {}, 31)}) {
    const nn::Matrix<float> q = p.q, k = p.k, v = p.v, table = p.bias_table;
    nn::AttentionCache<float> cache;
    const Mat out_float =
        nn::attention_forward(q, k, v, p.shape, p.mask, nn::RelativeBias<float>{table.size() ? &table : nullptr}, cache);
    BOOST_TEST(xt::allclose(out_float, forward(p), 1e-5, 1e-5));
  }
}

// ---- special rows and positions ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_query_that_sees_nothing_gets_zero_output_and_gradient) {
  // Batch element 1 has no keys at all.
  Problem p = make_problem(shape_of(2, 3, 3, 2, 1, 2), mask_of(nn::MaskKind::causal, 0, 0, {3, 0}), 1, 31);
  nn::AttentionCache<double> cache;
  const Mat out = nn::attention_forward(p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
  const Mat dout = xt::ones<double>(out.shape());
  const auto grads = nn::attention_backward(dout, p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
  for (std::size_t row = 3; row < 6; ++row)
    for (std::size_t c = 0; c < out.shape(1); ++c) {
      BOOST_TEST(out(row, c) == 0.0);
      BOOST_TEST(grads.dq(row, c) == 0.0);
    }
  for (std::size_t row = 3; row < 6; ++row)
    for (std::size_t c = 0; c < grads.dk.shape(1); ++c) {
      BOOST_TEST(grads.dk(row, c) == 0.0);
      BOOST_TEST(grads.dv(row, c) == 0.0);
    }
  BOOST_TEST(xt::any(xt::not_equal(xt::view(out, xt::range(0, 3), xt::all()), 0.0)));
}

BOOST_AUTO_TEST_CASE(decoding_the_last_rows_with_a_kv_cache_matches_full_causal_attention) {
  const std::size_t batch = 2, length = 6, n_head = 4, head_dim = 3;
  Problem full =
      make_problem(shape_of(batch, length, length, n_head, 2, head_dim), mask_of(nn::MaskKind::causal), 2, 37);
  const Mat full_out = forward(full);
  for (std::size_t new_rows : {1, 2}) {
    BOOST_TEST_CONTEXT("new rows " << new_rows) {
      Problem step = full;
      step.shape.q_len = new_rows;
      step.shape.q_offset = length - new_rows;
      step.q = Mat::from_shape({batch * new_rows, full.q.shape(1)});
      for (std::size_t b = 0; b < batch; ++b)
        xt::view(step.q, xt::range(b * new_rows, (b + 1) * new_rows), xt::all()) =
            xt::view(full.q, xt::range((b + 1) * length - new_rows, (b + 1) * length), xt::all());
      const Mat step_out = forward(step);
      for (std::size_t b = 0; b < batch; ++b)
        BOOST_TEST(xt::allclose(xt::view(step_out, xt::range(b * new_rows, (b + 1) * new_rows), xt::all()),
                                xt::view(full_out, xt::range((b + 1) * length - new_rows, (b + 1) * length), xt::all()),
                                1e-12, 1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(causal_rows_do_not_see_later_tokens) {
  const std::size_t length = 6;
  Problem p = make_problem(shape_of(1, length, length, 2, 2, 3), mask_of(nn::MaskKind::causal), 2, 41);
  const Mat before = forward(p);
  std::mt19937_64 rng(43);
  for (std::size_t t = 0; t + 1 < length; ++t) {
    Problem changed = p;
    for (Mat* m : {&changed.q, &changed.k, &changed.v})
      xt::view(*m, xt::range(t + 1, length), xt::all()) = nn_test::random_matrix(length - t - 1, m->shape(1), rng);
    const Mat after = forward(changed);
    BOOST_TEST(xt::allclose(xt::view(after, xt::range(0, t + 1), xt::all()),
                            xt::view(before, xt::range(0, t + 1), xt::all()), 1e-14, 1e-14));
    BOOST_TEST(!xt::allclose(xt::view(after, xt::range(t + 1, length), xt::all()),
                             xt::view(before, xt::range(t + 1, length), xt::all()), 1e-14, 1e-14));
  }
}

// ---- backward ------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(backward_passes_gradcheck_on_random_problems) {
  const auto gradients_match = [] {
    nn_test::require_gradients_match(attention_gradcheck(random_problem(), draw_seed()));
  };
  nn_test::check_property(gradients_match, 100);
}

BOOST_AUTO_TEST_CASE(backward_passes_gradcheck_for_every_mask_with_grouped_heads_and_bias) {
  using nn::MaskKind;
  const std::vector<nn::AttentionMask> masks = {mask_of(MaskKind::bidirectional, 0, 0, {4, 2}),
                                                mask_of(MaskKind::causal), mask_of(MaskKind::prefix_lm, 2, 0, {3, 4}),
                                                mask_of(MaskKind::sliding_window, 0, 2)};
  for (const auto& mask : masks) {
    BOOST_TEST_CONTEXT("mask kind " << int(mask.kind)) {
      const Problem p = make_problem(shape_of(2, 4, 4, 4, 2, 3), mask, 2, 47);
      const auto result = attention_gradcheck(p, 53);
      BOOST_TEST(result.max_rel_error <= nn_test::gradcheck_tolerance, result.worst);
    }
  }
}

// Big enough for nn::parallel_slices to use two threads: the query heads of a group, which add into the same
// dk and dv, must stay on one thread. With a relative bias (its gradient shared by all) one thread does all.
BOOST_AUTO_TEST_CASE(two_threads_give_the_one_thread_result) {
  for (std::optional<std::size_t> bias : {std::optional<std::size_t>{}, std::optional<std::size_t>{5}}) {
    Problem p = make_problem(shape_of(3, 40, 40, 4, 2, 8), mask_of(nn::MaskKind::causal), bias, 67);
    std::mt19937_64 rng(67);
    const Mat r = nn_test::random_matrix(p.q.shape(0), p.q.shape(1), rng);
    auto run = [&](int threads) {
      const nn_test::LibraryThreads scope(threads);
      Mat bias_grad = xt::zeros<double>(p.bias_table.shape());
      nn::AttentionCache<double> cache;
      const Mat out = nn::attention_forward(p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
      const auto g = nn::attention_backward(r, p.q, p.k, p.v, p.shape, p.mask, bias_of(p, &bias_grad), cache);
      return std::vector<Mat>{out, g.dq, g.dk, g.dv, bias_grad};
    };
    const auto one = run(1), two = run(2);
    for (std::size_t i = 0; i < one.size(); ++i) BOOST_TEST(xt::allclose(one[i], two[i], 1e-13, 1e-13), "tensor " << i);
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_backward_fails_gradcheck) {
  const Problem p = make_problem(shape_of(1, 3, 3, 2, 1, 2), mask_of(nn::MaskKind::causal), 1, 59);
  BOOST_TEST(attention_gradcheck(p, 61, 1.01).max_rel_error > nn_test::gradcheck_tolerance);
}

// ---- invalid arguments ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(invalid_arguments_throw) {
  using nn::MaskKind;
  const Problem valid = make_problem(shape_of(2, 3, 3, 4, 2, 2), mask_of(MaskKind::causal), 1, 67);
  const auto throws = [](Problem p) { BOOST_CHECK_THROW(forward(p), std::invalid_argument); };
  Problem p = valid;
  p.mask = mask_of(MaskKind::sliding_window, 0, 0);
  throws(p);
  BOOST_CHECK_THROW(p.mask.allows(0, 1, 1), std::invalid_argument);
  p = valid;
  p.shape.n_kv_head = 3;  // 4 query heads cannot share 3 key/value heads
  throws(p);
  p = valid;
  p.mask.key_lengths = {3};  // two batch elements
  throws(p);
  p = valid;
  p.shape.kv_len = 4;  // k and v hold 3 rows per batch element
  throws(p);
  p = valid;
  p.q = xt::zeros<double>({6, 6});
  throws(p);
  p = valid;
  p.bias_table = xt::zeros<double>({4, 4});  // needs 2M + 1 columns
  throws(p);
  p = valid;
  p.bias_table = xt::zeros<double>({2, 3});  // needs one row per query head
  throws(p);
  p = valid;
  nn::AttentionCache<double> cache;
  nn::attention_forward(p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache);
  const Mat wrong_dout = xt::zeros<double>({6, 4});
  BOOST_CHECK_THROW(nn::attention_backward(wrong_dout, p.q, p.k, p.v, p.shape, p.mask, bias_of(p), cache),
                    std::invalid_argument);
}
