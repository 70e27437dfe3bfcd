// 10.24: where attention goes, and attention made doubly stochastic. The student writes the mean column sums of
// attention weights, and Sinkhorn attention: its weights, forward and backward, on stacks of (sequence, head) slabs.
// Expected values: plain loops (the column sums; Sinkhorn's alternate normalisation; attention over its weights),
// central differences for the backward (oracle/finite_difference.hpp), and the limit as a property: with bounded
// scores, many iterations leave every row and every column summing to 1.
//
// The trusted side trains the nn library's encoder on the embedded-pattern task (nn::embedded_patterns,
// data/README.md): once with the library's softmax attention, whose weights on 100 held-out sequences feed the
// student's column sums (figure `columns`), and once with the student's Sinkhorn attention in every block through
// the channel (nn::slab_core). Quick budget: the Sinkhorn model learns; --full: the accuracies of both, side by
// side (docs/results/ch10.md).

#include "ch10/10.24/interface.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <xtensor/xadapt.hpp>

#include "nn/attention_probe.hpp"
#include "nn/classify.hpp"
#include "nn/slab_core.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_24::Heads;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

constexpr int training_iterations = 3;  // Sinkhorn steps inside the trained model

// ---- the oracle, in plain loops ------------------------------------------------------------------------------

xt::xtensor<double, 1> oracle_column_sums(const Heads& w) {
  xt::xtensor<double, 1> sums = xt::zeros<double>({w.shape(2)});
  for (std::size_t s = 0; s < w.shape(0); ++s)
    for (std::size_t i = 0; i < w.shape(1); ++i)
      for (std::size_t j = 0; j < w.shape(2); ++j) sums(j) += w(s, i, j) / double(w.shape(0));
  return sums;
}

Matrix oracle_sinkhorn(const Heads& q, const Heads& k, std::size_t s, int iterations) {
  const std::size_t n = q.shape(1), d = q.shape(2);
  Matrix e = Matrix::from_shape({n, n});
  double top = -INFINITY;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double score = 0;
      for (std::size_t c = 0; c < d; ++c) score += q(s, i, c) * k(s, j, c);
      e(i, j) = score / std::sqrt(double(d));
      top = std::max(top, e(i, j));
    }
  for (auto& x : e) x = std::exp(x - top);
  for (int t = 0; t < iterations; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < n; ++j) sum += e(i, j);
      for (std::size_t j = 0; j < n; ++j) e(i, j) /= sum;
    }
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += e(i, j);
      for (std::size_t i = 0; i < n; ++i) e(i, j) /= sum;
    }
  }
  return e;
}

Heads oracle_weights(const Heads& q, const Heads& k, int iterations) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), q.shape(1)});
  for (std::size_t s = 0; s < q.shape(0); ++s) xt::view(out, s, xt::all(), xt::all()) = oracle_sinkhorn(q, k, s, iterations);
  return out;
}

Heads oracle_forward(const Heads& q, const Heads& k, const Heads& v, int iterations) {
  Heads out = xt::zeros<double>({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix w = oracle_sinkhorn(q, k, s, iterations);
    for (std::size_t i = 0; i < w.shape(0); ++i)
      for (std::size_t j = 0; j < w.shape(1); ++j)
        for (std::size_t c = 0; c < v.shape(2); ++c) out(s, i, c) += w(i, j) * v(s, j, c);
  }
  return out;
}

// ---- inputs --------------------------------------------------------------------------------------------------

using Inputs = workbook::oracle::SlabInputs;

Inputs gaussian_inputs(std::size_t slabs, std::size_t n, std::size_t d, std::size_t d_v, std::mt19937_64& rng) {
  return workbook::oracle::gaussian_attention_inputs(slabs, slabs, n, n, d, d_v, rng);
}

// Inside a property: up to 3 slabs of up to 7 positions, d up to 5.
Inputs random_inputs() {
  const auto slabs = *rc::gen::inRange<std::size_t>(1, 4);
  const auto n = *rc::gen::inRange<std::size_t>(1, 8);
  const auto d = *rc::gen::inRange<std::size_t>(1, 6);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(slabs, n, d, 3, rng);
}

Heads student_weights(const Heads& q, const Heads& k, int iterations) {
  auto w = ch10_24::sinkhorn_weights(q, k, iterations);
  workbook::require_shape("sinkhorn_weights", w, {q.shape(0), q.shape(1), k.shape(1)});
  return w;
}

CheckResult weights_match(const Inputs& in, int iterations) {
  return workbook::close(xt::xarray<double>(student_weights(in.q, in.k, iterations)), oracle_weights(in.q, in.k, iterations),
                         workbook::tolerance::float_computation);
}

CheckResult forward_matches(const Inputs& in, int iterations) {
  const auto out = ch10_24::sinkhorn_attention(in.q, in.k, in.v, iterations);
  workbook::require_shape("sinkhorn_attention", out, {in.q.shape(0), in.q.shape(1), in.v.shape(2)});
  const auto expected = oracle_forward(in.q, in.k, in.v, iterations);
  return workbook::close(xt::xarray<double>(out), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

CheckResult backward_matches(const Inputs& in, int iterations, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = ch10_24::sinkhorn_attention_backward(dout, in.q, in.k, in.v, iterations);
  workbook::require_shape("sinkhorn_attention_backward (dq)", g.dq, {in.q.shape(0), in.q.shape(1), in.q.shape(2)});
  workbook::require_shape("sinkhorn_attention_backward (dk)", g.dk, {in.k.shape(0), in.k.shape(1), in.k.shape(2)});
  workbook::require_shape("sinkhorn_attention_backward (dv)", g.dv, {in.v.shape(0), in.v.shape(1), in.v.shape(2)});
  const auto loss = [&](const Heads& q, const Heads& k, const Heads& v) {
    return double(xt::sum(dout * oracle_forward(q, k, v, iterations))());
  };
  const auto expected = workbook::oracle::numerical_gradients(in.q, in.k, in.v, loss);
  return workbook::close(workbook::oracle::end_to_end(g.dq, g.dk, g.dv), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// Scores bounded by 2 in size (entries of q and k in [-1, 1], d <= 4, scaled by 1 / sqrt(d)): every entry of E lies
// within a factor e^8 of every other, so each Sinkhorn iteration shrinks the distance to the doubly stochastic limit
// at least by tanh(8 / 4) < 0.965 (Birkhoff's contraction in Hilbert's projective metric), and 500 iterations leave
// the rows within 1e-7 of 1. The last step divides the columns by their sums, so they are 1 to rounding. The bound
// 1e-5 leaves room for a solution in float (sums of up to 8 terms rounded at 6e-8).
constexpr int many_iterations = 500;
constexpr double sum_tolerance = 1e-5;

bool doubly_stochastic(const Heads& w) {
  return xt::all(xt::abs(xt::sum(w, {2}) - 1.0) <= sum_tolerance) && xt::all(xt::abs(xt::sum(w, {1}) - 1.0) <= sum_tolerance);
}

Inputs bounded_inputs() {
  const auto slabs = *rc::gen::inRange<std::size_t>(1, 4);
  const auto n = *rc::gen::inRange<std::size_t>(1, 9);
  const auto d = *rc::gen::inRange<std::size_t>(1, 5);
  auto rng = workbook::oracle::property_rng();
  std::uniform_real_distribution<double> entry(-1.0, 1.0);
  Inputs in{Heads::from_shape({slabs, n, d}), Heads::from_shape({slabs, n, d}), Heads::from_shape({slabs, n, 1})};
  for (auto* h : {&in.q, &in.k, &in.v})
    for (auto& x : *h) x = entry(rng);
  return in;
}

// ---- the trained models ----------------------------------------------------------------------------------------

// Quick: 24 tokens of 32 kinds hiding one of 3 patterns of length 5 or none (chance 1/4); 1 layer of 2 heads, width 16,
// 200 steps of 16 sequences. Full: 2 layers of width 32, 3000 steps of 32 on 20000 sequences.
struct Experiment {
  nn::PatternTask data;
  std::size_t layers, width, steps, batch;
};

Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {{24, 5, 3, 32, 20000, 2000}, 2, 32, 3000, 32};
  return {{24, 5, 3, 32, 4000, 1000}, 1, 16, 200, 16};
}

nn::EncoderConfig encoder_config(const Experiment& e) {
  nn::EncoderConfig config;
  config.n_layer = e.layers;
  config.n_head = 2;
  config.n_embd = e.width;
  config.vocab_size = std::size_t(e.data.vocab);
  config.context = e.data.length;
  config.n_classes = e.data.n_patterns + 1;
  config.pooling = nn::EncoderConfig::Pooling::mean;
  return config;
}

nn::AttentionCore<float> student_core() {
  return nn::slab_core(
      [](const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        return ch10_24::sinkhorn_attention(q, k, v, training_iterations);
      },
      [](const Heads& dout, const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        const auto g = ch10_24::sinkhorn_attention_backward(dout, q, k, v, training_iterations);
        return nn::SlabGrads{g.dq, g.dk, g.dv};
      },
      "sinkhorn_attention", "sinkhorn_attention_backward");
}

// Held-out accuracy with the student's Sinkhorn attention (sinkhorn = true) or the library's softmax; the same data,
// initial weights and batches either way. Cached per (seed, budget, kind).
double trained_accuracy(const Context& ctx, bool sinkhorn) {
  static std::map<std::tuple<std::uint64_t, bool, bool>, double> cache;
  const auto key = std::make_tuple(ctx.seed(), ctx.full(), sinkhorn);
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto e = experiment_for(ctx);
  nn::ClassifierTraining training;
  training.steps = e.steps;
  training.batch = e.batch;
  training.lr = 5e-3;
  training.seed = ctx.seed_for("c-batches");
  const auto core = student_core();
  return cache[key] = nn::train_on_patterns(e.data, encoder_config(e), training, ctx.seed_for("c-task"),
                                            sinkhorn ? &core : nullptr).accuracy;
}

// The library's softmax encoder (2 layers of 2 heads, width 16, 300 steps in both budgets) trained on the pattern
// task, and its attention weights on 100 held-out sequences: per layer, (100 * heads, 24, 24).
std::vector<Heads> trained_softmax_weights(const Context& ctx) {
  static std::map<std::uint64_t, std::vector<Heads>> cache;
  if (const auto hit = cache.find(ctx.seed()); hit != cache.end()) return hit->second;
  const nn::PatternTask task{24, 5, 3, 32, 4000, 100};
  const auto seed = ctx.seed_for("a-model");
  const auto train = nn::embedded_patterns(task.train_count, task.length, task.pattern_length, task.n_patterns, task.vocab, seed, seed + 1);
  const auto test = nn::embedded_patterns(task.test_count, task.length, task.pattern_length, task.n_patterns, task.vocab, seed, seed + 2);
  Experiment e{task, 2, 16, 300, 32};
  nn::Encoder<float> model(encoder_config(e), seed + 3);
  nn::ClassifierTraining training;
  training.steps = e.steps;
  training.lr = 5e-3;
  training.seed = seed + 4;
  nn::train_classifier(model, train, training);
  const auto probs = nn::encoder_attention(model, test.tokens, test.count, test.length);
  std::vector<Heads> layers;
  for (const auto& p : probs) {
    Heads w = Heads::from_shape({p.size() / (task.length * task.length), task.length, task.length});
    std::copy(p.begin(), p.end(), w.begin());
    layers.push_back(w);
  }
  return cache[ctx.seed()] = layers;
}

// ---- parts -----------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement mean_column_sums. Every row of a softmax attention matrix sums to 1, but a column sums
to however much attention its key receives. The exercise trains the library's encoder (2 layers of 2 heads, softmax
attention) on the embedded-pattern task of 10.22 (data/README.md) and passes you its weights on 100 held-out
sequences, one layer at a time; figure `columns` plots what your function returns against the key's position. Which
positions receive the most attention, and why might they? (Graded by hand; the figure is your evidence.))")
      .check("random weights", CheckKind::close, "4 slabs of 5 queries over 6 keys, against a plain-loop mean of column sums",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               Heads w = workbook::oracle::gaussian_slabs(4, 5, 6, rng);
               return workbook::close(xt::xarray<double>(ch10_24::mean_column_sums(w)), xt::xarray<double>(oracle_column_sums(w)),
                                      workbook::tolerance::float_computation);
             })
      .check("trained model", CheckKind::close,
             "the trained encoder's weights on 100 held-out sequences, layer by layer, against a plain-loop mean of "
             "column sums",
             [](const Context& ctx) {
               std::vector<double> actual, expected;  // every layer's sums, end to end
               for (const auto& w : trained_softmax_weights(ctx)) {
                 const xt::xtensor<double, 1> a = ch10_24::mean_column_sums(w);
                 workbook::require_shape("mean_column_sums", a, {w.shape(2)});
                 actual.insert(actual.end(), a.begin(), a.end());
                 const auto o = oracle_column_sums(w);
                 expected.insert(expected.end(), o.begin(), o.end());
               }
               return workbook::close(xt::adapt(actual), xt::adapt(expected), workbook::tolerance::float_computation);
             })
      .manual(1);
  ex.part("b", 1, R"(In a language model's attention, which kinds of tokens would you expect to collect the largest column
sums, and why? (Think of function words against content words, and of tokens that sit at fixed places.))")
      .manual(1);
}

void part_c(workbook::Exercise& ex) {
  auto& c1 = ex.part("c1", 3, R"(Implement sinkhorn_weights: starting from the exponentiated scaled scores, divide
every row by its sum and then every column by its sum, `iterations` times. The checks compare with the same
normalisation in plain loops (within 1e-5 relative or 1e-7 absolute), and hold many iterations to the limit: with
scores no larger than 2 in size, after 500 iterations every row and every column sums to 1 within 1e-5.)");
  for (const int iterations : {1, 3})
    c1.check("iterations=" + std::to_string(iterations), CheckKind::close,
             "3 slabs of 6 positions, d = 4, against plain-loop Sinkhorn with this many iterations",
             [iterations](const Context& ctx) {
               auto rng = ctx.rng("c1-fixed");
               return weights_match(gaussian_inputs(3, 6, 4, 2, rng), iterations);
             });
  c1.check("any shape", CheckKind::property, "for random shapes and 1 to 5 iterations, against plain-loop Sinkhorn",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("c1-any"), [] {
               const auto in = random_inputs();
               RC_ASSERT(weights_match(in, *rc::gen::inRange(1, 6)).status == workbook::Status::pass);
             });
           });
  c1.check("doubly stochastic", CheckKind::property,
           "for random shapes with scores no larger than 2, after 500 iterations every row and every column of your "
           "weights sums to 1 within 1e-5",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("c1-limit"), [] {
               const auto in = bounded_inputs();
               RC_ASSERT(doubly_stochastic(student_weights(in.q, in.k, many_iterations)));
             });
           });
  c1.hint("Keep the order: rows first, then columns, in every iteration. The columns are then exactly normalised at "
          "the end and the rows only approximately.");

  auto& c2 = ex.part("c2", 3, R"(Implement sinkhorn_attention and its backward. The backward goes through every
normalisation step in reverse: keep each intermediate matrix in the forward. For a step that divides each row x of
a matrix by its sum r, the row's gradient is (dy - (dy . y)) / r, with y the normalised row; a column step is the
same with columns. The checks compare the output with plain loops and the gradients with central differences of
them.)");
  c2.check("forward", CheckKind::close, "2 slabs of 5 positions, d = 3, d_v = 2, 3 iterations, against plain loops",
           [](const Context& ctx) {
             auto rng = ctx.rng("c2-forward");
             return forward_matches(gaussian_inputs(2, 5, 3, 2, rng), 3);
           });
  for (const int iterations : {1, 3})
    c2.check("backward, iterations=" + std::to_string(iterations), CheckKind::close,
             "dq, dk and dv for 2 slabs of 4 positions, d = 3, d_v = 2, against central differences",
             [iterations](const Context& ctx) {
               auto rng = ctx.rng("c2-backward");
               const auto in = gaussian_inputs(2, 4, 3, 2, rng);
               return backward_matches(in, iterations, rng);
             });
  c2.hint("The first matrix is exp of the scaled scores; its gradient with respect to the scores is the incoming "
          "gradient times the matrix itself, times the scale. The constant subtracted before exp drops out.");

  ex.part("c3", 3, R"(Your Sinkhorn attention (3 iterations) now runs in every block of the library's encoder (2 heads,
the mean of its positions read by the classifier), trained on the embedded-pattern task. The check passes when its
held-out accuracy is more than ten standard errors above chance. Quick budget: 1 layer of width 16, 200 steps of 16
sequences. Full budget (--full): 2 layers of width 32, 3000 steps of 32, beside the same encoder with ordinary softmax
attention; does the doubly stochastic constraint help or hurt, and why might it? (Graded by hand.))")
      .check("learns", CheckKind::property,
             "the encoder with your Sinkhorn attention reaches a held-out accuracy ten standard errors above chance",
             [](const Context& ctx) {
               const auto e = experiment_for(ctx);
               return workbook::oracle::learned(trained_accuracy(ctx, true), e.data.chance(), e.data.test_count);
             })
      .manual(1);
}

// ---- figures ---------------------------------------------------------------------------------------------------

workbook::Plot columns_figure(const Context& ctx) {
  std::vector<workbook::Series> series;
  const auto layers = trained_softmax_weights(ctx);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto sums = ch10_24::mean_column_sums(layers[l]);
    workbook::Series s{"layer " + std::to_string(l), {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t j = 0; j < sums.size(); ++j) {
      s.x.push_back(double(j));
      s.y.push_back(sums(j));
    }
    series.push_back(s);
  }
  const double n = double(layers.front().shape(2));
  series.push_back({"every column equal", {0, n - 1}, {1, 1}, workbook::Series::Style::lines});
  auto plot = workbook::xy_plot("Attention received by each position (mean column sum, 100 sequences)", "key position",
                           "mean column sum", series);
  plot.measured = true;  // from a model trained in this run
  return plot;
}

// Quick: chance, which holds on every machine. --full adds the two held-out accuracies.
workbook::Plot accuracy_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  std::vector<workbook::Series> series{{"chance", {0, 1}, {e.data.chance(), e.data.chance()}, workbook::Series::Style::lines}};
  if (ctx.full())
    series.push_back({"softmax (0), Sinkhorn (1)", {0, 1}, {trained_accuracy(ctx, false), trained_accuracy(ctx, true)},
                      workbook::Series::Style::points});
  return workbook::xy_plot("Held-out accuracy: softmax against Sinkhorn attention", "attention (0 softmax, 1 Sinkhorn)",
                           "accuracy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Column sums and Sinkhorn attention";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A softmax attention matrix has rows that sum to 1, one distribution per query; its columns need
not, and a column's sum measures how much attention its key collects. Part (a) measures those sums on a trained
model; part (b) asks what they would mean in language; part (c) makes the matrix doubly stochastic, rows and columns
both summing to 1, with Sinkhorn's alternate normalisation, and trains a model with it.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_c(ex);
  ex.plot("columns", "The mean column sum of each key position, per layer, of the trained softmax encoder on 100 held-out "
                     "sequences (your mean_column_sums), beside the level at which every key would receive the same.",
          columns_figure);
  ex.plot("accuracy", "Held-out accuracy of the encoder with softmax and with your Sinkhorn attention (the measured "
                      "points with --full), beside chance.",
          accuracy_figure);
}
