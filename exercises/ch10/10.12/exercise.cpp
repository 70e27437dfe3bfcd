// 10.12: online softmax. The oracle is the direct two-pass softmax over the whole vector; the property
// covers every length and block size, including a last block shorter than the rest and huge scores.

#include "ch10/10.12/interface.hpp"

#include <random>

#include "workbook/oracle.hpp"

namespace {

using workbook::Tolerance;
using workbook::oracle::Vector;

// Both routes compute the same exponentials in a different order: agreement to ~1e-15 relative.
const Tolerance rounding{1e-12, 1e-300};

xt::xtensor<double, 1> random_scores(const workbook::Context& ctx, std::size_t n, double spread,
                                     const std::string& stream) {
  auto rng = ctx.rng(stream);
  std::normal_distribution<double> normal(0.0, spread);
  xt::xtensor<double, 1> s = xt::xtensor<double, 1>::from_shape({n});
  for (auto& x : s) x = normal(rng);
  return s;
}

Vector as_vector(const xt::xtensor<double, 1>& s) { return Vector(s.begin(), s.end()); }

// The statistics a direct computation gives: the global max and sum of exp(s - max).
xt::xarray<double> direct_stats(const Vector& s) {
  const double top = *std::max_element(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += std::exp(x - top);
  return {top, sum};
}

workbook::CheckResult stats_match(const xt::xtensor<double, 1>& s, std::size_t block) {
  const auto got = ch10_12::online_stats(s, block);
  return workbook::close(xt::xarray<double>{got.max, got.sum}, direct_stats(as_vector(s)), rounding);
}

workbook::CheckResult softmax_matches(const xt::xtensor<double, 1>& s, std::size_t block) {
  return workbook::close(ch10_12::online_softmax(s, block), workbook::oracle::to_array(workbook::oracle::softmax(as_vector(s))),
                         rounding);
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  using workbook::Context;
  ex.title = "Online softmax";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement =
      "Softmax normally needs two passes: one for the maximum (to keep exp from overflowing) and one for "
      "the sum of exponentials. The online form gets both in a single left-to-right pass over blocks of "
      "B scores: keep a running maximum m and a running sum l of exp(s_j - m); when a block raises the "
      "maximum from m to m', multiply l by exp(m - m') before adding the block's terms. This is the "
      "trick that lets flash attention process keys tile by tile. Implement online_stats and "
      "online_softmax.";

  ex.part("a", 1, "Process the scores in blocks of size B, the last block possibly shorter.")
      .check("n=1000,B=64", CheckKind::close, "running max and sum for 1000 scores in blocks of 64 (last block 40) "
             "equal the direct max and sum of exp(s - max)",
             [](const Context& ctx) { return stats_match(random_scores(ctx, 1000, 1.0, "a"), 64); })
      .check("n=5,B=16", CheckKind::close, "a block larger than the whole input (5 scores, B = 16)",
             [](const Context& ctx) { return stats_match(random_scores(ctx, 5, 1.0, "a-short"), 16); })
      .hint("Loop start = 0, B, 2B, ... and stop each block at min(start + B, n).");
  auto& b = ex.part("b", 2, "Keep a running maximum and a running sum across blocks.");
  for (std::size_t block : {16, 64, 256})
    b.check("B=" + std::to_string(block), CheckKind::close,
            "running (max, sum) after 1024 N(0,1) scores in blocks of " + std::to_string(block) +
                " against the direct computation",
            [block](const Context& ctx) { return stats_match(random_scores(ctx, 1024, 1.0, "b"), block); });
  b.hint("When the maximum grows from m to m', the old sum was taken against m: multiply it by exp(m - m').");
  ex.part("c", 1, "The probabilities must equal a direct softmax, even for scores far too large for exp.")
      .check("spread 1", CheckKind::close, "online_softmax of 1024 N(0,1) scores (B = 64) against the direct softmax",
             [](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1.0, "c"), 64); })
      .check("spread 1000", CheckKind::close,
             "scores of size ~1000, where exp overflows without the max: no inf or NaN, same result",
             [](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1000.0, "c-big"), 64); });
  auto& d = ex.part("d", 2, "Verify the equivalence for 1024 random scores with B in {16, 64, 256}, and for "
                            "any length and block size.");
  for (std::size_t block : {16, 64, 256})
    d.check("B=" + std::to_string(block), CheckKind::close,
            "online_softmax of 1024 N(0,1) scores in blocks of " + std::to_string(block) + " against the direct softmax",
            [block](const Context& ctx) { return softmax_matches(random_scores(ctx, 1024, 1.0, "d"), block); });
  d.check("any n, B", CheckKind::property,
          "for random lengths 1..2000, block sizes 1..300 and score spreads up to 1e3, online_softmax equals "
          "the direct softmax within 1e-12 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("d-property"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(1, 2001);
              const auto block = *rc::gen::inRange<std::size_t>(1, 301);
              const auto spread = *rc::gen::element(1e-3, 1.0, 30.0, 1e3);
              const auto raw = *rc::gen::container<std::vector<double>>(n, rc::gen::inRange(-1000000, 1000001));
              xt::xtensor<double, 1> s = xt::xtensor<double, 1>::from_shape({n});
              for (std::size_t i = 0; i < n; ++i) s(i) = raw[i] * spread / 1e6;
              const auto check = softmax_matches(s, block);
              RC_ASSERT(check.status == workbook::Status::pass);
            });
          });
}
