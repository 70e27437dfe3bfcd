// 10.23: attention with a softmax temperature. The student writes the weights, the forward and the backward of
// one head's attention for a stack of slabs. Expected values: plain-loop attention with the scale 1/(tau sqrt(d))
// (workbook/oracle/attention.hpp) and central differences of it (workbook/oracle/finite_difference.hpp); the two
// limits as bounds that follow from each row's own scores.
//
// Then the student's forward and backward run inside a model: the checks give the nn library's encoder an
// attention core (nn::AttentionCore) that calls them through the channel in every block, forward and backward,
// and train it on the embedded-pattern task in this process, once with tau = 0.5 and once with tau = 2; accuracy
// is measured here on held-out sequences. Quick budget: both learn; --full: the loss curves (figure `training`)
// and the held-out accuracies, docs/results/ch10.md.

#include "ch10/10.23/interface.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "nn/classify.hpp"
#include "nn/slab_core.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_23::Heads;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

// ---- the oracle, slab by slab ----------------------------------------------------------------------------

double scale(std::size_t d, double tau) { return 1 / (tau * std::sqrt(double(d))); }

std::string text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

Heads oracle_weights(const Heads& q, const Heads& k, double tau) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), k.shape(1)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = workbook::oracle::attention_weights(slab(q, s), slab(k, s), scale(q.shape(2), tau));
  return out;
}

Heads oracle_forward(const Heads& q, const Heads& k, const Heads& v, double tau) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) =
        workbook::oracle::attention(slab(q, s), slab(k, s), slab(v, s), scale(q.shape(2), tau));
  return out;
}

using Inputs = workbook::oracle::SlabInputs;

Inputs gaussian_inputs(std::size_t slabs, std::size_t n_q, std::size_t n_k, std::size_t d, std::size_t d_v,
                       std::mt19937_64& rng) {
  return workbook::oracle::gaussian_attention_inputs(slabs, slabs, n_q, n_k, d, d_v, rng);
}

CheckResult weights_match(const Inputs& in, double tau) {
  const auto w = ch10_23::attention_weights(in.q, in.k, tau);
  workbook::require_shape("attention_weights", w, {in.q.shape(0), in.q.shape(1), in.k.shape(1)});
  return workbook::close(xt::xarray<double>(w), oracle_weights(in.q, in.k, tau), workbook::tolerance::float_computation);
}

CheckResult forward_matches(const Inputs& in, double tau) {
  const auto out = ch10_23::attention_forward(in.q, in.k, in.v, tau);
  workbook::require_shape("attention_forward", out, {in.q.shape(0), in.q.shape(1), in.v.shape(2)});
  return workbook::close(xt::xarray<double>(out), oracle_forward(in.q, in.k, in.v, tau),
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

// The student's three gradients against central differences of the oracle's L = sum(dout * forward).
CheckResult backward_matches(const Inputs& in, double tau, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = ch10_23::attention_backward(dout, in.q, in.k, in.v, tau);
  workbook::require_shape("attention_backward (dq)", g.dq, {in.q.shape(0), in.q.shape(1), in.q.shape(2)});
  workbook::require_shape("attention_backward (dk)", g.dk, {in.k.shape(0), in.k.shape(1), in.k.shape(2)});
  workbook::require_shape("attention_backward (dv)", g.dv, {in.v.shape(0), in.v.shape(1), in.v.shape(2)});
  const auto loss = [&](const Heads& q, const Heads& k, const Heads& v) { return double(xt::sum(dout * oracle_forward(q, k, v, tau))()); };
  const auto expected = workbook::oracle::numerical_gradients(in.q, in.k, in.v, loss);
  return workbook::close(workbook::oracle::end_to_end(g.dq, g.dk, g.dv), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// ---- the limits, as bounds from each row's own scores -----------------------------------------------------

// What a weight computed in float may be off by: the bounds below hold exactly, a float softmax within this.
constexpr double float_rounding = 1e-6;

// For tau -> 0: the weight of each row's largest score tends to 1. With c = 1 / (tau sqrt(d)) and g the gap between
// the largest and the second largest score, every other weight is at most exp(-c g), so the top weight is at least
// 1 - (n - 1) exp(-c g) and each other at most exp(-c g).
bool near_one_hot(const Heads& w, const Heads& q, const Heads& k, double tau) {
  const double c = scale(q.shape(2), tau);
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix scores = xt::linalg::dot(slab(q, s), xt::transpose(slab(k, s)));
    for (std::size_t i = 0; i < scores.shape(0); ++i) {
      std::vector<double> row(scores.shape(1));
      for (std::size_t j = 0; j < row.size(); ++j) row[j] = scores(i, j);
      const auto top = std::size_t(std::max_element(row.begin(), row.end()) - row.begin());
      double second = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < row.size(); ++j)
        if (j != top) second = std::max(second, row[j]);
      const double other = std::exp(-c * (row[top] - second));
      for (std::size_t j = 0; j < row.size(); ++j) {
        const double bound = j == top ? 1 - double(row.size() - 1) * other : other;
        if (j == top ? w(s, i, j) < bound - float_rounding : w(s, i, j) > bound + float_rounding) return false;
      }
    }
  }
  return true;
}

// For tau -> infinity: with r the range (largest minus smallest) of a row's scaled scores, every weight lies in
// [exp(-r) / n, exp(r) / n], so it is within (exp(r) - 1) / n of the uniform 1 / n.
bool near_uniform(const Heads& w, const Heads& q, const Heads& k, double tau) {
  const double c = scale(q.shape(2), tau);
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix scores = xt::linalg::dot(slab(q, s), xt::transpose(slab(k, s)));
    for (std::size_t i = 0; i < scores.shape(0); ++i) {
      const auto row = xt::row(scores, i);
      const double range = c * (xt::amax(row)() - xt::amin(row)());
      const double n = double(scores.shape(1));
      for (std::size_t j = 0; j < scores.shape(1); ++j)
        if (std::abs(w(s, i, j) - 1 / n) > std::expm1(range) / n + float_rounding) return false;
    }
  }
  return true;
}

// Inside a property: up to 3 slabs of up to 8 queries and keys, d up to 6.
Inputs random_inputs() {
  const auto slabs = *rc::gen::inRange<std::size_t>(1, 4);
  const auto n_q = *rc::gen::inRange<std::size_t>(1, 9);
  const auto n_k = *rc::gen::inRange<std::size_t>(1, 9);
  const auto d = *rc::gen::inRange<std::size_t>(1, 7);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(slabs, n_q, n_k, d, 3, rng);
}

// ---- the student's attention inside the library's encoder -------------------------------------------------

// Every block's attention is the student's, forward and backward, at temperature tau. The encoder's masks are
// bidirectional without padding here, so there is nothing for the student's functions to mask.
nn::AttentionCore<float> student_core(double tau) {
  return nn::slab_core(
      [tau](const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        return ch10_23::attention_forward(q, k, v, tau);
      },
      [tau](const Heads& dout, const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        const auto g = ch10_23::attention_backward(dout, q, k, v, tau);
        return nn::SlabGrads{g.dq, g.dk, g.dv};
      },
      "attention_forward", "attention_backward");
}

// Quick: 24 tokens of 32 kinds, 3 patterns (chance 1/4); 1 layer of 2 heads, width 16, 120 steps of 16 sequences:
// every step calls the solution's forward and backward once per layer (32 slabs of 24 x 8); the whole quick run
// takes 1.5 s on the 2-core machine. Over 8 seeds of this setting the worst held-out accuracy was 0.61 against a
// bar of 0.39. Full: 2 layers, width 32, 3000 steps of 32.
struct Experiment {
  nn::PatternTask data;
  std::size_t layers, width, steps, batch;
};

Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {{24, 5, 3, 32, 20000, 2000}, 2, 32, 3000, 32};
  return {{24, 5, 3, 32, 4000, 1000}, 1, 16, 120, 16};
}

// The same data, initial weights and batch order for every tau: the runs differ in the temperature alone.
nn::PatternRun train_with(const Context& ctx, double tau) {
  const auto e = experiment_for(ctx);
  nn::EncoderConfig config;
  config.n_layer = e.layers;
  config.n_head = 2;
  config.n_embd = e.width;
  nn::ClassifierTraining training;
  training.steps = e.steps;
  training.batch = e.batch;
  training.lr = 5e-3;
  training.seed = ctx.seed_for("c-batches");
  const auto core = student_core(tau);
  return nn::train_on_patterns(e.data, config, training, ctx.seed_for("c-task"), &core);
}

// Learned: ten standard errors of the held-out estimate above chance (0.39 with 1000 test sequences), which a model
// that guesses cannot reach.
CheckResult learns(const Context& ctx, double tau) {
  const auto e = experiment_for(ctx);
  return workbook::oracle::learned(train_with(ctx, tau).accuracy, e.data.chance(), e.data.test_count);
}

// ---- parts -----------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  auto& a1 = ex.part("a1", 2, R"(Implement attention_weights: softmax(q k^T / (tau sqrt(d))) for every slab.)");
  for (const double tau : {1.0, 0.5, 2.0})
    a1.check("tau=" + text(tau), CheckKind::close,
             "3 slabs of 5 queries and 7 keys, d = 4, at this temperature, against plain-loop softmax weights",
             [tau](const Context& ctx) {
               auto rng = ctx.rng("a1-fixed");
               return weights_match(gaussian_inputs(3, 5, 7, 4, 2, rng), tau);
             });
  a1.check("any tau", CheckKind::property,
           "for random shapes and temperatures from 0.05 to 20 (log-uniform), against plain-loop softmax weights",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a1-property"), [] {
               const auto in = random_inputs();
               const double tau = std::exp(*rc::gen::inRange(-300, 300) / 100.0);
               RC_ASSERT(weights_match(in, tau).status == workbook::Status::pass);
             });
           });
  ex.part("a2", 1, R"(Implement attention_forward. The checks allow float's rounding (1e-5 relative, or 1e-6 of the
largest |v| absolute).)")
      .check("tau=0.5", CheckKind::close, "2 slabs of 6 queries and 9 keys, d = 8, d_v = 5, against plain-loop attention",
             [](const Context& ctx) {
               auto rng = ctx.rng("a2");
               return forward_matches(gaussian_inputs(2, 6, 9, 8, 5, rng), 0.5);
             })
      .check("any tau", CheckKind::property, "for random shapes and temperatures from 0.05 to 20, against plain-loop attention",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a2-property"), [] {
                 const auto in = random_inputs();
                 const double tau = std::exp(*rc::gen::inRange(-300, 300) / 100.0);
                 RC_ASSERT(forward_matches(in, tau).status == workbook::Status::pass);
               });
             });
  auto& a3 = ex.part("a3", 3, R"(Implement attention_backward: the gradients a model's backward pass needs from this
layer. Write P for the weights and S for the scaled scores; the softmax's backward is dS = P * (dP - rowsum(P * dP))
with dP = dout v^T. The checks compare with central differences of plain-loop attention, within float's rounding of
each gradient's scale.)");
  for (const double tau : {0.5, 2.0})
    a3.check("tau=" + text(tau), CheckKind::close,
             "dq, dk and dv for 2 slabs of 4 queries and 6 keys, d = 3, d_v = 2, against central differences of "
             "plain-loop attention",
             [tau](const Context& ctx) {
               auto rng = ctx.rng("a3");
               const auto in = gaussian_inputs(2, 4, 6, 3, 2, rng);
               return backward_matches(in, tau, rng);
             });
  a3.hint("The temperature enters only through the scale c = 1 / (tau sqrt(d)) of the scores, and so into dq and dk "
          "once each.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(What happens to the weights as tau -> 0 and as tau -> infinity? The checks hold your
attention_weights to both limits at extreme temperatures, with bounds that follow from each row's own scores, and to
the trend between them (figure `weights` shows one row at tau = 0.1, 0.5, 1, 2 and 5).)")
      .choice_answer("b_cold", "the weights as tau -> 0", {"one-hot at the largest score", "uniform", "unchanged"},
                     "one-hot at the largest score")
      .choice_answer("b_hot", "the weights as tau -> infinity", {"one-hot at the largest score", "uniform", "unchanged"},
                     "uniform")
      .check("cold limit", CheckKind::property,
             "at tau = 0.001 every row's largest score takes all but (n - 1) exp(-g / (tau sqrt(d))) of the weight, g "
             "the row's gap between its two largest scores",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-cold"), [] {
                 const auto in = random_inputs();
                 RC_ASSERT(near_one_hot(ch10_23::attention_weights(in.q, in.k, 1e-3), in.q, in.k, 1e-3));
               });
             })
      .check("hot limit", CheckKind::property,
             "at tau = 1e4 every weight is within (exp(r) - 1) / n of 1 / n, r the range of the row's scaled scores",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-hot"), [] {
                 const auto in = random_inputs();
                 RC_ASSERT(near_uniform(ch10_23::attention_weights(in.q, in.k, 1e4), in.q, in.k, 1e4));
               });
             })
      .check("trend", CheckKind::property,
             "every row's largest weight never grows as tau goes through 0.1, 0.5, 1, 2, 5",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-trend"), [] {
                 const auto in = random_inputs();
                 Heads previous = ch10_23::attention_weights(in.q, in.k, 0.1);
                 for (const double tau : {0.5, 1.0, 2.0, 5.0}) {
                   const Heads next = ch10_23::attention_weights(in.q, in.k, tau);
                   RC_ASSERT(next.shape() == previous.shape());
                   RC_ASSERT(xt::all(xt::amax(next, {2}) <= xt::amax(previous, {2}) + float_rounding));
                   previous = next;
                 }
               });
             });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Your attention now runs inside a model. The exercise gives every block of a small encoder (2
heads, the mean of its positions read by the classifier) your attention_forward and attention_backward, and
trains it on the embedded-pattern task of 10.22 (data/README.md: 24 tokens of 32 kinds hiding one of 3 patterns or
none; chance 1/4), once at tau = 0.5 and once at tau = 2, from the same initial weights over the same batches. Both are
scored on held-out sequences; the checks pass when each held-out accuracy is more than ten standard errors above
chance. Quick budget: 1 layer of width 16, 120 steps of 16 sequences. Full budget (--full): 2 layers of width 32,
3000 steps of 32 sequences, and the two loss curves in figure `training`.)")
      .check("tau=0.5 learns", CheckKind::property,
             "the encoder with your attention at tau = 0.5 reaches a held-out accuracy ten standard errors above chance",
             [](const Context& ctx) { return learns(ctx, 0.5); })
      .check("tau=2 learns", CheckKind::property,
             "the encoder with your attention at tau = 2 reaches a held-out accuracy ten standard errors above chance",
             [](const Context& ctx) { return learns(ctx, 2.0); });
  ex.part("d", 2, R"(Compare the two runs of (c) (with --full, or from docs/results/ch10.md): which converges faster,
which ends more accurate? When would you want tau < 1, sharper attention, and when tau > 1, softer attention? Note
that a temperature multiplies every score by the same constant, which the query and key projections could learn
themselves: what does a fixed tau change, then?)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

// One query (d = 1) against keys 2, 1, 0.5, 0, -1: scores equal to the keys, weights from your attention_weights.
workbook::Plot weights_figure(const Context&) {
  const Heads q = {{{1.0}}};
  const Heads k = {{{2.0}, {1.0}, {0.5}, {0.0}, {-1.0}}};
  std::vector<workbook::Series> series;
  for (const double tau : {0.1, 0.5, 1.0, 2.0, 5.0}) {
    const auto w = ch10_23::attention_weights(q, k, tau);
    workbook::Series s{"tau = " + text(tau), {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t j = 0; j < k.shape(1); ++j) {
      s.x.push_back(k(0, j, 0));
      s.y.push_back(w(0, 0, j));
    }
    series.push_back(s);
  }
  return workbook::xy_plot("Attention weights of one query at five temperatures", "score of the key", "weight", series);
}

// Quick budget: the loss of a classifier that guesses uniformly, ln 4, which holds on every machine. --full adds the
// two measured curves, each step's loss averaged over windows of 50 steps.
workbook::Plot training_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  const double guess = std::log(double(e.data.n_patterns + 1));
  std::vector<workbook::Series> series{{"uniform guess", {0, double(e.steps)}, {guess, guess}, workbook::Series::Style::lines}};
  if (ctx.full())
    for (const double tau : {0.5, 2.0}) {
      const auto run = train_with(ctx, tau);
      workbook::Series s{"tau = " + text(tau), {}, {}, workbook::Series::Style::lines};
      constexpr std::size_t window = 50;
      for (std::size_t start = 0; start + window <= run.losses.size(); start += window) {
        double sum = 0;
        for (std::size_t i = start; i < start + window; ++i) sum += run.losses[i];
        s.x.push_back(double(start + window));
        s.y.push_back(sum / window);
      }
      series.push_back(s);
    }
  return workbook::xy_plot("Training loss with your attention at two temperatures", "step", "cross-entropy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The softmax temperature of attention";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A temperature tau > 0 divides the scaled scores before the softmax:
Attention_tau(Q, K, V) = softmax(Q K^T / (tau sqrt(d_k))) V. With tau = 1 it is ordinary attention; a smaller tau
sharpens each row of weights, a larger one flattens it. Part (a) asks for the weights, the output and the gradients
of one head's attention at temperature tau, for a stack of slabs (one per sequence and head, as a model calls it);
part (b) for the two limits; part (c) trains a model with your attention inside it; part (d) asks what the
temperature is for.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("weights",
          "The weights your attention_weights gives one query over five keys whose scores are 2, 1, 0.5, 0 and -1, at "
          "five temperatures.",
          weights_figure);
  ex.plot("training",
          "Training loss of the encoder with your attention at tau = 0.5 and tau = 2, beside the loss of a uniform "
          "guess (the measured curves with --full).",
          training_figure);
}
