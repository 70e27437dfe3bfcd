// 10.12: online softmax. The oracle is the direct two-pass computation over everything read so far: the
// maximum, then the sum of exp(s - max). The merge step is checked on its own (a first block, a block that
// raises the maximum, one that does not, a tie, masked and huge scores), the blocks of a whole pass against
// every prefix, and the probabilities against the direct softmax for any length and block size.
//
// Tolerance: tolerance::float_computation throughout, so a float implementation passes. The running sum is
// compared with sum_i exp(s_i - m) taken about the maximum m the solution itself returned: softmax does not
// depend on which m is subtracted, and a maximum rounded to float must not count against the sum. Huge scores
// are drawn on a grid of 1/8, exact in float: those checks are about overflow, not about rounding the input.

#include "ch10/10.12/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using Scores = std::vector<double>;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr auto tolerance = workbook::tolerance::float_computation;

xt::xtensor<double, 1> as_tensor(const Scores& s) {
  xt::xtensor<double, 1> t = xt::xtensor<double, 1>::from_shape({s.size()});
  std::copy(s.begin(), s.end(), t.begin());
  return t;
}

// n scores from N(0, spread^2); spreads above 100 are rounded to multiples of 1/8 (exact in float).
Scores random_scores(const Context& ctx, std::size_t n, double spread, const std::string& stream) {
  auto rng = ctx.rng(stream);
  std::normal_distribution<double> normal(0.0, spread);
  Scores s(n);
  for (auto& x : s) x = spread > 100 ? std::round(normal(rng) * 8) / 8 : normal(rng);
  return s;
}

// The direct statistics of `s` about the maximum `about` (the one the solution returned): [max s, sum_i
// exp(s_i - about)]; {-inf, 0} when every score is -inf.
std::pair<double, double> direct_stats(const Scores& s, double about) {
  const double top = s.empty() ? -inf : *std::max_element(s.begin(), s.end());
  if (top == -inf) return {-inf, 0.0};
  double sum = 0;
  for (double x : s) sum += std::exp(x - about);
  return {top, sum};
}

// Statistics the solution returned, one per prefix of the scores, against the direct ones.
CheckResult stats_match(const std::vector<ch10_12::RunningStats>& got, const std::vector<Scores>& prefixes) {
  if (got.size() != prefixes.size())
    return workbook::holds(false, got.size(), "expected " + std::to_string(prefixes.size()) + " entries, one per block");
  xt::xarray<double> actual = xt::zeros<double>({got.size(), std::size_t(2)}), expected = actual;
  for (std::size_t b = 0; b < got.size(); ++b) {
    const auto [top, sum] = direct_stats(prefixes[b], got[b].max);
    actual(b, 0) = got[b].max, actual(b, 1) = got[b].sum;
    expected(b, 0) = top, expected(b, 1) = sum;
  }
  return workbook::close(actual, expected, tolerance);
}

// stats_after_each_block against the direct statistics of each prefix that ends on a block boundary.
CheckResult blocks_match(const Scores& s, std::size_t block) {
  std::vector<Scores> prefixes;
  for (std::size_t end = block; end < s.size() + block; end += block)
    prefixes.emplace_back(s.begin(), s.begin() + std::min(end, s.size()));
  return stats_match(ch10_12::stats_after_each_block(as_tensor(s), block), prefixes);
}

// merge_block on the statistics of `before` and the scores `block`, against the direct statistics of both.
CheckResult merge_matches(const Scores& before, const Scores& block) {
  const double top = before.empty() ? -inf : *std::max_element(before.begin(), before.end());
  const auto [m, l] = direct_stats(before, top);
  Scores both = before;
  both.insert(both.end(), block.begin(), block.end());
  return stats_match({ch10_12::merge_block({m, l}, as_tensor(block))}, {both});
}

CheckResult softmax_matches(const Scores& s, std::size_t block) {
  const auto expected = workbook::oracle::softmax(as_tensor(s));
  return workbook::close(ch10_12::online_softmax(as_tensor(s), block), xt::xarray<double>(expected), tolerance);
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1, R"(Implement stats_after_each_block: cut the scores into consecutive blocks of B and fold them
into the running statistics one block after another, recording the statistics after every block.)")
      .check("n=1000,B=64", CheckKind::close, "16 entries for 1000 scores in blocks of 64 (the last block 40 long), each "
             "against the direct max and sum of the scores up to that block's end",
             [](const Context& ctx) { return blocks_match(random_scores(ctx, 1000, 1.0, "a"), 64); })
      .check("n=5,B=16", CheckKind::close, "a block longer than the whole input (5 scores, B = 16): one entry",
             [](const Context& ctx) { return blocks_match(random_scores(ctx, 5, 1.0, "a-short"), 16); })
      .check("n=1024,B=256", CheckKind::close, "a block size that divides the length: 4 entries, no empty block at the end",
             [](const Context& ctx) { return blocks_match(random_scores(ctx, 1024, 1.0, "a-even"), 256); })
      .check("B=1", CheckKind::close, "blocks of a single score (7 scores, 7 entries)",
             [](const Context& ctx) { return blocks_match(random_scores(ctx, 7, 3.0, "a-one"), 1); })
      .hint("Loop start = 0, B, 2B, ... and stop each block at min(start + B, n).");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Implement merge_block, the step of the pass: from the statistics of everything read so far
and one new block, produce the statistics of both together, without looking back at the earlier scores.)")
      .check("first block", CheckKind::close, "the empty statistics {-inf, 0} merged with a block of 4 scores",
             [](const Context&) { return merge_matches({}, {0.5, -1.25, 2.0, 0.0}); })
      .check("raises the max", CheckKind::close, "a block whose largest score exceeds the running maximum",
             [](const Context&) { return merge_matches({1.0, 0.25, -0.5}, {3.0, -0.5, 2.25}); })
      .check("keeps the max", CheckKind::close, "a block whose scores all stay below the running maximum",
             [](const Context&) { return merge_matches({5.0, 4.0}, {2.0, 4.5, -3.0}); })
      .check("ties the max", CheckKind::close, "a block whose largest score equals the running maximum",
             [](const Context&) { return merge_matches({2.0, 1.5}, {2.0, 1.0}); })
      .check("masked scores", CheckKind::close, "blocks holding -inf scores, and a block of -inf only after finite scores",
             [](const Context&) {
               auto r = merge_matches({0.5, -0.25}, {-inf, 1.5, -inf});
               return r.status == workbook::Status::pass ? merge_matches({0.5, -0.25}, {-inf, -inf}) : r;
             })
      .check("all masked so far", CheckKind::close, "the empty statistics merged with a block of -inf only, and then a finite block",
             [](const Context&) {
               auto r = merge_matches({}, {-inf, -inf, -inf});
               return r.status == workbook::Status::pass ? merge_matches({-inf, -inf}, {-inf, 0.75}) : r;
             })
      .check("huge scores", CheckKind::close, "scores near +-1000, where exp overflows without subtracting a maximum",
             [](const Context&) {
               auto r = merge_matches({1000.0, 999.0}, {1200.0, 1199.5});
               return r.status == workbook::Status::pass ? merge_matches({800.0, 799.0}, {-800.0, 799.75}) : r;
             })
      .hint("When the maximum grows from m to m', the old sum was taken against m: multiply it by exp(m - m').");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(Implement online_softmax. Its probabilities must match a direct softmax, also for scores far
too large for a bare exp and for masked (-inf) scores.)")
      .check("spread 1", CheckKind::close, "online_softmax of 1024 N(0,1) scores (B = 64) against the direct softmax",
             [](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1.0, "c"), 64); })
      .check("spread 1000", CheckKind::close,
             "scores of size ~1000, where exp overflows without the max: no inf or NaN, same result",
             [](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1000.0, "c-big"), 64); })
      .check("masked blocks first", CheckKind::close,
             "200 scores whose first 20 are -inf (B = 8: the first two blocks entirely masked) and every third "
             "after that too: probability 0 there, the direct softmax elsewhere",
             [](const Context& ctx) {
               auto s = random_scores(ctx, 200, 2.0, "c-masked");
               for (std::size_t i = 0; i < s.size(); ++i)
                 if (i < 20 || i % 3 == 0) s[i] = -inf;
               return softmax_matches(s, 8);
             });
}

// A random case for the property: n, B, a spread, and (half the time) masked scores, never the last one.
std::pair<Scores, std::size_t> random_case() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 2001);
  const auto block = *rc::gen::inRange<std::size_t>(1, 301);
  const auto spread = *rc::gen::element(1e-3, 1.0, 30.0, 1e3);
  const auto masked = *rc::gen::arbitrary<bool>();
  const auto raw = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(-1000000, 1000001));
  Scores s(n);
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = raw[i] * spread / 1e6;
    if (spread > 100) s[i] = std::round(s[i] * 8) / 8;  // exact in float, as in random_scores
    if (masked && raw[i] % 4 == 0 && i + 1 < n) s[i] = -inf;
  }
  return {s, block};
}

void part_d(workbook::Exercise& ex) {
  auto& d = ex.part("d", 2, R"(Show that the block size does not matter: on 1024 random scores with B = 16, 64 and
256, and then for lengths and block sizes drawn at random.)");
  for (std::size_t block : {16, 64, 256})
    d.check("B=" + std::to_string(block), CheckKind::close,
            "online_softmax of 1024 N(0,1) scores in blocks of " + std::to_string(block) + " against the direct softmax",
            [block](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1.0, "d"), block); });
  d.check("any n, B", CheckKind::property,
          "for random lengths 1..2000, block sizes 1..300, score spreads up to 1e3 and masked scores, online_softmax "
          "equals the direct softmax within the float tolerance",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("d-property"), [] {
              const auto [s, block] = random_case();
              RC_ASSERT(softmax_matches(s, block).status == workbook::Status::pass);
            });
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Online softmax";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement = R"(A direct softmax reads its scores twice: once to find the maximum (subtracted so that exp
cannot overflow) and once to add up the exponentials. The online form needs a single left-to-right pass over
blocks of B scores. It carries two numbers, a running maximum m and a running sum l of exp(s_j - m); when a new
block lifts the maximum from m to m', the sum collected so far is scaled by exp(m - m') before the block's own
terms are added. Flash attention relies on exactly this to handle the keys one tile at a time. The functions of
this exercise take and return double, but computing in float is fine: the checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
