// 10.22: sliding-window attention. The student writes the window (an additive mask) and one head of attention
// that uses it; the mask's expected values come from its rule, the attention's from plain-loop attention over the
// visible keys (workbook/oracle/attention.hpp).
//
// The student's mask then runs inside a model: the checks take the student's window_mask(n, 11), read each row's
// visible keys as one interval, and train the nn library's encoder with exactly those keys on the embedded-pattern
// task (nn::embedded_patterns, data/README.md), in this process; a model with full attention is trained beside it.
// Accuracy is measured here on held-out sequences the solution never sees. The quick budget asks only that both
// learn well above chance on patterns of length 5; --full trains on patterns of length 5 and 15 and reports the
// four accuracies (figure `accuracy`, docs/results/ch10.md).

#include "ch10/10.22/interface.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "nn/classify.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
constexpr std::size_t seed_window = 11;

// ---- the rule and the oracle ---------------------------------------------------------------------------

bool in_window(std::size_t i, std::size_t j, std::size_t window) { return (i > j ? i - j : j - i) <= window / 2; }

Matrix expected_mask(std::size_t n, std::size_t window) {
  Matrix mask = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (!in_window(i, j, window)) mask(i, j) = -std::numeric_limits<double>::infinity();
  return mask;
}

CheckResult mask_matches(std::size_t n, std::size_t window) {
  const auto mask = ch10_22::window_mask(n, window);
  workbook::require_shape("window_mask", mask, {n, n});
  return workbook::close(xt::xarray<double>(mask), expected_mask(n, window), workbook::tolerance::double_computation);
}

struct Inputs {
  Matrix q, k, v;
};

Inputs gaussian_inputs(std::size_t n, std::size_t d, std::size_t d_v, std::mt19937_64& rng) {
  return {workbook::oracle::gaussian_matrix(n, d, rng), workbook::oracle::gaussian_matrix(n, d, rng),
          workbook::oracle::gaussian_matrix(n, d_v, rng)};
}

CheckResult attention_matches(const Inputs& in, std::size_t window) {
  const auto out = ch10_22::window_attention(in.q, in.k, in.v, window);
  workbook::require_shape("window_attention", out, {in.q.shape(0), in.v.shape(1)});
  const auto expected = workbook::oracle::masked_attention(
      in.q, in.k, in.v, 1 / std::sqrt(double(in.q.shape(1))),
      [window](std::size_t i, std::size_t j) { return in_window(i, j, window); });
  return workbook::close(xt::xarray<double>(out), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

// ---- the student's mask inside the library's encoder -----------------------------------------------------

// The keys each row of a mask lets through, as the encoder takes them: one interval per row. A row that lets
// through no key, or keys that are not contiguous, cannot be a window: the check that uses it fails.
std::vector<nn::AttentionMask::KeyRange> key_ranges(const xt::xtensor<double, 2>& mask) {
  std::vector<nn::AttentionMask::KeyRange> ranges;
  for (std::size_t i = 0; i < mask.shape(0); ++i) {
    std::vector<std::size_t> visible;
    for (std::size_t j = 0; j < mask.shape(1); ++j)
      if (std::isfinite(mask(i, j))) visible.push_back(j);
    if (visible.empty() || visible.back() - visible.front() + 1 != visible.size())
      throw workbook::WrongResult("row " + std::to_string(i) + " of window_mask does not let through one interval of keys");
    ranges.push_back({visible.front(), visible.back() + 1});
  }
  return ranges;
}

// The task and the model. Quick: sequences of 24 tokens of 32 kinds, 3 patterns (4 classes, chance 1/4), an
// encoder of width 16 trained for 400 steps (about 1.2 s each on the 2-core machine). Full: 48 tokens, width 32,
// 3000 steps.
struct Task {
  nn::PatternTask data;
  std::size_t steps, width;
  double lr;
  std::size_t length() const { return data.length; }
};

Task task_for(const Context& ctx, std::size_t pattern_length) {
  if (ctx.full()) return {{48, pattern_length, 3, 32, 20000, 2000}, 3000, 32, 3e-3};
  return {{24, pattern_length, 3, 32, 4000, 1000}, 400, 16, 5e-3};
}

// Held-out accuracy of an encoder trained with the given keys per position. The data, the initial weights and
// the batch order depend on the run's seed only, so the two models differ in their masks alone, and the result
// is a function of (seed, budget, task, keys): cached, so that the checks and the figure read the same numbers
// and solutions with the same mask (dev check's variants) train once.
double trained_accuracy(const Context& ctx, const Task& task, const std::vector<nn::AttentionMask::KeyRange>& ranges) {
  using Key = std::tuple<std::uint64_t, bool, std::size_t, std::vector<std::size_t>>;
  static std::map<Key, double> cache;
  std::vector<std::size_t> flat;
  for (const auto& r : ranges) flat.insert(flat.end(), {r.begin, r.end});
  const Key key{ctx.seed(), ctx.full(), task.data.pattern_length, flat};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;

  nn::EncoderConfig config;
  config.n_layer = 2;
  config.n_head = 2;
  config.n_embd = task.width;
  config.key_ranges = ranges;
  nn::ClassifierTraining training;
  training.steps = task.steps;
  training.lr = task.lr;
  const auto seed = ctx.seed_for("b-task");
  training.seed = seed + 4;  // train_on_patterns draws the data from seed, seed + 1, seed + 2, the weights from seed + 3
  return cache[key] = nn::train_on_patterns(task.data, config, training, seed).accuracy;
}

// Learned: ten standard errors of the held-out estimate above chance (0.39 quick, 0.35 full), which a model that
// guesses cannot reach, while every trained model we measured is far above it (the quick setting over 12 seeds:
// 0.77 at worst; --full, patterns of 5 in 48 tokens, full attention: 0.66, the hardest case).
CheckResult learns(const Context& ctx, const Task& task, const std::vector<nn::AttentionMask::KeyRange>& ranges) {
  return workbook::oracle::learned(trained_accuracy(ctx, task, ranges), task.data.chance(), task.data.test_count);
}

// The keys of your window_mask(n, w) for the task's length n; w = 2n - 1 lets every position see every other.
std::vector<nn::AttentionMask::KeyRange> student_keys(const Task& task, std::size_t window) {
  return key_ranges(ch10_22::window_mask(task.length(), window));
}

std::size_t full_width(const Task& task) { return 2 * task.length() - 1; }

// ---- parts -----------------------------------------------------------------------------------------------

void part_a1(workbook::Exercise& ex) {
  ex.part("a1", 2, R"(Implement window_mask: the additive mask of a window of width w over n positions.)")
      .check("w=11, n=20", CheckKind::close,
             "the mask for 20 positions and the seed's window of 11 (five neighbours each side) against the rule "
             "|i - j| <= w / 2",
             [](const Context&) { return mask_matches(20, seed_window); })
      .check("even w", CheckKind::close, "w = 4 over 7 positions (w / 2 = 2 neighbours each side) against the rule",
             [](const Context&) { return mask_matches(7, 4); })
      .check("any n, w", CheckKind::property,
             "for random n in 1..40 and w in 1..90 (wider than the sequence included), the mask equals the rule",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a1-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 41);
                 const auto w = *rc::gen::inRange<std::size_t>(1, 91);
                 RC_ASSERT(mask_matches(n, w).status == workbook::Status::pass);
               });
             })
      .hint("Compare |i - j| with w / 2 without subtracting unsigned numbers the wrong way round.");
}

void part_a2(workbook::Exercise& ex) {
  ex.part("a2", 2, R"(Implement window_attention: one head of attention that adds your mask to the scaled scores
before the row softmax. The checks allow float's rounding (1e-5 relative, or 1e-6 of the largest |v| absolute).)")
      .check("w=11, n=20", CheckKind::close,
             "20 positions, d = 8, d_v = 5, w = 11 against plain-loop attention over the visible keys only",
             [](const Context& ctx) {
               auto rng = ctx.rng("a2-seed-window");
               return attention_matches(gaussian_inputs(20, 8, 5, rng), seed_window);
             })
      .check("wide window", CheckKind::close,
             "a window wider than twice the sequence (w = 41 over 20 positions) against full attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a2-wide");
               return attention_matches(gaussian_inputs(20, 8, 5, rng), 41);
             })
      .check("w=1", CheckKind::close, "a window of one position: each row attends to itself alone, so the output is v",
             [](const Context& ctx) {
               auto rng = ctx.rng("a2-one");
               return attention_matches(gaussian_inputs(9, 4, 3, rng), 1);
             })
      .check("any n, w", CheckKind::property,
             "for random n in 1..30, d and d_v in 1..6 and w in 1..70, against plain-loop attention over the visible keys",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a2-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 31);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_v = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto w = *rc::gen::inRange<std::size_t>(1, 71);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(attention_matches(gaussian_inputs(n, d, d_v, rng), w).status == workbook::Status::pass);
               });
             })
      .hint("exp(-infinity) is 0: after subtracting each row's maximum, the masked keys drop out of the softmax by "
            "themselves.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Your mask now runs inside a model. The exercise builds your window_mask(n, 11) for the length
of the sequences, lets each position of a small encoder (2 layers, 2 heads, the mean of its positions read by the
classifier) attend only to the keys your mask lets through, and trains it on the embedded-pattern task
(data/README.md): sequences of random tokens that hide one of a few fixed patterns, or none, and a label saying
which. A second encoder, identical but built with your window_mask(n, 2n - 1), which is full attention, is trained
on the same data. Both are scored on held-out sequences. Nothing to write beyond part (a); the checks pass when
both models learn the task, each held-out accuracy more than ten standard errors above chance.

Quick budget: sequences of 24 tokens of 32 kinds, patterns of length 5, 3 patterns (4 classes, chance 1/4), 400
steps. Full budget (--full): sequences of 48 tokens, patterns of length 5 and of length 15, 3000 steps each; the
four held-out accuracies are in figure `accuracy`.)")
      .check("full attention learns", CheckKind::property,
             "the encoder with your window_mask(n, 2n - 1), full attention, reaches a held-out accuracy ten standard "
             "errors above chance on patterns of length 5",
             [](const Context& ctx) {
               const auto task = task_for(ctx, 5);
               return learns(ctx, task, student_keys(task, full_width(task)));
             })
      .check("your window learns", CheckKind::property,
             "the encoder whose positions see only the keys of your window_mask(n, 11) reaches a held-out accuracy ten "
             "standard errors above chance on patterns of length 5",
             [](const Context& ctx) {
               const auto task = task_for(ctx, 5);
               return learns(ctx, task, student_keys(task, seed_window));
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Stack windows: in a model of L layers of window attention of width w (w odd), the output at a
position far from the ends depends on which input positions? Give how many input positions can influence one
output after two layers and after three layers of the seed's window, and say whether a whole pattern of length 15
can lie inside what one position sees in a single layer.)")
      .integer_answer("c_two_layers", "input positions that can influence one output after two layers of w = 11", 21,
                      "positions")
      .integer_answer("c_three_layers", "the same after three layers", 31, "positions")
      .choice_answer("c_fits", "does a pattern of length 15 fit inside one position's window of 11?", {"yes", "no"}, "no")
      .hint("One layer mixes w / 2 positions in from each side; a second layer mixes in what those positions had "
            "already mixed.");
  ex.part("d", 2, R"(Run the full budget (or read docs/results/ch10.md). How does the window of 11 change accuracy when
the hidden pattern has length 5, and when it has length 15, compared with full attention? Explain what you see with
your answers to (c): what must one position, or the mean of all positions, know to name the pattern?)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

workbook::Plot mask_figure(const Context&) {
  const auto mask = ch10_22::window_mask(24, seed_window);
  xt::xtensor<double, 2> visible = xt::zeros<double>(mask.shape());
  for (std::size_t i = 0; i < mask.shape(0); ++i)
    for (std::size_t j = 0; j < mask.shape(1); ++j) visible(i, j) = std::isfinite(mask(i, j)) ? 1 : 0;
  return workbook::heatmap("Keys each query may see (your window_mask(24, 11))", "key position j", "query position i",
                           "visible", visible);
}

// Quick budget: chance and the task's ceiling, which hold on every machine. --full adds the four measured
// accuracies (patterns of length 5 and 15, full attention and your window).
workbook::Plot accuracy_figure(const Context& ctx) {
  const std::vector<double> lengths{5, 15};
  const auto base = task_for(ctx, 5);
  std::vector<workbook::Series> series{
      {"chance", lengths, {base.data.chance(), base.data.chance()}, workbook::Series::Style::lines},
      {"the task's ceiling", lengths, {1, 1}, workbook::Series::Style::lines}};
  if (ctx.full()) {
    workbook::Series full{"full attention", lengths, {}, workbook::Series::Style::linespoints};
    workbook::Series window{"window of 11", lengths, {}, workbook::Series::Style::linespoints};
    for (const double length : lengths) {
      const auto task = task_for(ctx, std::size_t(length));
      full.y.push_back(trained_accuracy(ctx, task, student_keys(task, full_width(task))));
      window.y.push_back(trained_accuracy(ctx, task, student_keys(task, seed_window)));
    }
    series.push_back(full);
    series.push_back(window);
  }
  return workbook::xy_plot("Held-out accuracy on the embedded-pattern task", "pattern length", "accuracy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Sliding-window attention";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Full self-attention lets every position look at every other. A sliding window of width w
limits position i to the keys j with |i - j| <= w / 2 (integer division): for odd w that is (w - 1) / 2 neighbours
on each side and i itself, w positions away from the ends of the sequence, fewer near them. It is written as an
additive mask: 0 for a visible key, minus infinity for a hidden one, added to the scaled scores before the softmax,
so that a hidden key gets a weight of exactly 0. Part (a) asks for the mask and for one head of attention that uses
it; part (b) puts your mask into a small encoder and trains it; parts (c) and (d) ask what a window can and cannot
see.)";
  ex.timeout_seconds = 60;
  part_a1(ex);
  part_a2(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("mask", "Which keys each query may see under your window_mask(24, 11): a band five keys wide on each side.",
          mask_figure);
  ex.plot("accuracy",
          "Held-out accuracy of the encoder with full attention and with your window of 11, against the length of "
          "the hidden pattern, beside chance and the task's ceiling (the measured points with --full).",
          accuracy_figure);
}
