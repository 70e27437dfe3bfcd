// 10.25: a learnable relative position bias. The student writes the bias table of a vector b of 2L - 1 scalars, and
// self-attention with that bias inside the scaling, forward and backward (dq, dk, dv and db), on stacks of
// (sequence, head) slabs. Expected values: the table's closed form B[i][j] = b[i - j + L - 1]; plain-loop attention
// with the table added to the scores (workbook/oracle/attention.hpp's softmax); central differences of it for every
// gradient (workbook/oracle/finite_difference.hpp); and, as a property, that each entry of b moves exactly the pairs
// at its own offset (the bias is 2L - 1 scalars and nothing else).
//
// Then the student's functions run inside a model: the trusted side owns b (2L - 1 floats, starting at zero), gives
// every block of the nn library's encoder an attention core (nn::slab_core) that calls the student's forward and
// backward with it, and trains b with the encoder's other parameters by the same AdamW
// (nn::ClassifierTraining::extra_parameters). The encoder has no absolute positions (EncoderConfig::Positions::none):
// the bias is all it knows of order. Quick budget: it learns the embedded-pattern task above chance on held-out
// sequences; --full: against the same encoder with sinusoidal positions (and with none, a control), several seeds,
// figure `comparison` and docs/results/ch10.md.

#include "ch10/10.25/interface.hpp"

#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include <xtensor/xnoalias.hpp>

#include "nn/classify.hpp"
#include "nn/slab_core.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_25::Bias;
using ch10_25::Heads;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

// ---- the oracle, in plain loops ----------------------------------------------------------------------------

std::size_t max_length_of(const Bias& b) { return (b.size() + 1) / 2; }

// B[i][j] = b[i - j + L - 1], written with signed offsets as the statement says it.
Matrix oracle_table(const Bias& b, std::size_t n) {
  const auto max_len = std::ptrdiff_t(max_length_of(b));
  Matrix table = Matrix::from_shape({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) table(i, j) = b(std::size_t(std::ptrdiff_t(i) - std::ptrdiff_t(j) + max_len - 1));
  return table;
}

// One slab: softmax(((q k^T) + B) / sqrt(d)) v, the bias inside the scaling.
Matrix oracle_slab(const Heads& q, const Heads& k, const Heads& v, const Bias& b, std::size_t s) {
  const std::size_t n = q.shape(1), d = q.shape(2), d_v = v.shape(2);
  const Matrix table = oracle_table(b, n);
  Matrix scores = Matrix::from_shape({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double dot = 0;
      for (std::size_t c = 0; c < d; ++c) dot += q(s, i, c) * k(s, j, c);
      scores(i, j) = (dot + table(i, j)) / std::sqrt(double(d));
    }
  const Matrix weights = workbook::oracle::softmax_rows(scores);
  Matrix out = xt::zeros<double>({n, d_v});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t c = 0; c < d_v; ++c) out(i, c) += weights(i, j) * v(s, j, c);
  return out;
}

Heads oracle_forward(const Heads& q, const Heads& k, const Heads& v, const Bias& b) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s) xt::view(out, s, xt::all(), xt::all()) = oracle_slab(q, k, v, b, s);
  return out;
}

// ---- inputs ------------------------------------------------------------------------------------------------

struct Inputs {
  Heads q, k, v;
  Bias b;
};

// q, k and v of unit spread, and a bias of standard deviation 2: large enough that a misplaced entry changes the
// weights visibly.
Inputs gaussian_inputs(std::size_t slabs, std::size_t n, std::size_t max_len, std::size_t d, std::size_t d_v,
                       std::mt19937_64& rng) {
  auto in = workbook::oracle::gaussian_attention_inputs(slabs, slabs, n, n, d, d_v, rng);
  return {in.q, in.k, in.v, workbook::oracle::gaussian_vector(2 * max_len - 1, rng, 2.0)};
}

// Inside a property: up to 3 slabs, L up to 8, n from 1 to L, d up to 5.
Inputs random_inputs() {
  const auto slabs = *rc::gen::inRange<std::size_t>(1, 4);
  const auto max_len = *rc::gen::inRange<std::size_t>(1, 9);
  const auto n = *rc::gen::inRange<std::size_t>(1, max_len + 1);
  const auto d = *rc::gen::inRange<std::size_t>(1, 6);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(slabs, n, max_len, d, 3, rng);
}

// ---- the student's functions against the oracle --------------------------------------------------------------

Matrix student_table(const Bias& b, std::size_t n) {
  auto table = ch10_25::relative_bias_table(b, n);
  workbook::require_shape("relative_bias_table", table, {n, n});
  return table;
}

CheckResult table_matches(std::size_t max_len, std::size_t n, std::mt19937_64& rng) {
  const Bias b = workbook::oracle::gaussian_vector(2 * max_len - 1, rng, 2.0);
  return workbook::close(xt::xarray<double>(student_table(b, n)), oracle_table(b, n),
                         workbook::tolerance::float_computation);
}

// Raising b[m] by 1 must raise exactly the pairs (i, j) with i - j + L - 1 = m, by 1, and leave every other entry
// of the table as it was: the table is made of b's 2L - 1 scalars and nothing else. The slack covers a table
// computed in float (entries of b up to about 10 rounded at 6e-8 relative).
bool each_entry_moves_its_offset(const Bias& b, std::size_t n, std::size_t m) {
  Bias raised = b;
  raised(m) += 1;
  const Matrix moved = student_table(raised, n) - student_table(b, n);
  const auto diagonal = std::ptrdiff_t(m) - std::ptrdiff_t(max_length_of(b)) + 1;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (std::abs(moved(i, j) - (std::ptrdiff_t(i) - std::ptrdiff_t(j) == diagonal ? 1.0 : 0.0)) > 1e-5) return false;
  return true;
}

CheckResult forward_matches(const Inputs& in) {
  const auto out = ch10_25::relative_attention_forward(in.q, in.k, in.v, in.b);
  workbook::require_shape("relative_attention_forward", out, {in.q.shape(0), in.q.shape(1), in.v.shape(2)});
  return workbook::close(xt::xarray<double>(out), oracle_forward(in.q, in.k, in.v, in.b),
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(in.v)));
}

ch10_25::RelativeGrads student_backward(const Heads& dout, const Inputs& in) {
  auto g = ch10_25::relative_attention_backward(dout, in.q, in.k, in.v, in.b);
  workbook::require_shape("relative_attention_backward (dq)", g.dq, {in.q.shape(0), in.q.shape(1), in.q.shape(2)});
  workbook::require_shape("relative_attention_backward (dk)", g.dk, {in.k.shape(0), in.k.shape(1), in.k.shape(2)});
  workbook::require_shape("relative_attention_backward (dv)", g.dv, {in.v.shape(0), in.v.shape(1), in.v.shape(2)});
  workbook::require_shape("relative_attention_backward (db)", g.db, {in.b.size()});
  return g;
}

// L = sum(dout * forward) through the oracle, for central differences.
double oracle_loss(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, const Bias& b) {
  return double(xt::sum(dout * oracle_forward(q, k, v, b))());
}

CheckResult qkv_gradients_match(const Inputs& in, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = student_backward(dout, in);
  const auto loss = [&](const Heads& q, const Heads& k, const Heads& v) { return oracle_loss(dout, q, k, v, in.b); };
  const auto expected = workbook::oracle::numerical_gradients(in.q, in.k, in.v, loss);
  return workbook::close(workbook::oracle::end_to_end(g.dq, g.dk, g.dv), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

CheckResult bias_gradient_matches(const Inputs& in, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = student_backward(dout, in);
  const auto expected = workbook::oracle::numerical_gradient(
      in.b, [&](const Bias& b) { return oracle_loss(dout, in.q, in.k, in.v, b); });
  return workbook::close(xt::xarray<double>(g.db), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// At length n < L only the offsets -(n - 1) .. n - 1 occur: the other 2 (L - n) entries of db must be exactly 0.
CheckResult unused_offsets_are_zero(const Inputs& in, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = student_backward(dout, in);
  const std::size_t max_len = max_length_of(in.b), n = in.q.shape(1);
  bool zero = true;
  for (std::size_t m = 0; m < in.b.size(); ++m)
    if (m + n < max_len || m >= max_len + n - 1) zero = zero && g.db(m) == 0.0;
  return workbook::holds(zero, std::vector<double>(g.db.begin(), g.db.end()),
                         "db is not 0 at an offset that no pair of a length-" + std::to_string(n) + " sequence has");
}

// ---- the student's bias inside the library's encoder ---------------------------------------------------------

// b as the trusted side trains it: 2L - 1 floats starting at zero, one vector for every head of every layer, and its
// gradient, which each layer's backward adds to.
struct TrainedBias {
  xt::xtensor<float, 1> value, grad;
  explicit TrainedBias(std::size_t max_len)
      : value(xt::zeros<float>({2 * max_len - 1})), grad(xt::zeros<float>({2 * max_len - 1})) {}
};

nn::AttentionCore<float> student_core(std::shared_ptr<TrainedBias> bias) {
  return nn::slab_core(
      [bias](const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        return ch10_25::relative_attention_forward(q, k, v, Bias(xt::cast<double>(bias->value)));
      },
      [bias](const Heads& dout, const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape&) {
        auto g = ch10_25::relative_attention_backward(dout, q, k, v, Bias(xt::cast<double>(bias->value)));
        workbook::require_shape("relative_attention_backward (db)", g.db, {bias->value.size()});
        xt::noalias(bias->grad) += xt::cast<float>(g.db);  // in place: the optimiser holds a pointer to this buffer
        return nn::SlabGrads{g.dq, g.dk, g.dv};
      },
      "relative_attention_forward", "relative_attention_backward");
}

// Quick: 24 tokens of 32 kinds hiding one of 3 patterns of length 5 at a uniform start, or none (chance 1/4); 1 layer
// of 2 heads, width 16, 150 steps of 16 sequences, L = 24. Full: 2 layers of width 32, 2000 steps of 32 on 20000
// sequences, held out 2000, three seeds.
struct Experiment {
  nn::PatternTask data;
  std::size_t layers, width, steps, batch, seeds;
};

Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {{24, 5, 3, 32, 20000, 2000}, 2, 32, 2000, 32, 3};
  return {{24, 5, 3, 32, 4000, 1000}, 1, 16, 150, 16, 1};
}

enum class Positions { relative, sinusoidal, none };
const char* name_of(Positions p) {
  return p == Positions::relative ? "relative bias (yours)" : p == Positions::sinusoidal ? "sinusoidal" : "none";
}

struct Run {
  double accuracy;
  std::vector<double> bias;  // the trained b (relative runs only)
};

// One training on the pattern task: the same data, initial weights and batch order for every kind of positions (the
// encoder draws every weight the same way whatever its positions). Cached per (seed, budget, kind, repeat).
Run train(const Context& ctx, Positions positions, std::size_t repeat) {
  static std::map<std::tuple<std::uint64_t, bool, Positions, std::size_t>, Run> cache;
  const auto key = std::make_tuple(ctx.seed(), ctx.full(), positions, repeat);
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto e = experiment_for(ctx);
  nn::EncoderConfig config;
  config.n_layer = e.layers;
  config.n_head = 2;
  config.n_embd = e.width;
  config.positions = positions == Positions::sinusoidal ? nn::EncoderConfig::Positions::sinusoidal
                                                        : nn::EncoderConfig::Positions::none;
  nn::ClassifierTraining training;
  training.steps = e.steps;
  training.batch = e.batch;
  training.lr = 5e-3;
  training.seed = ctx.seed_for("c-batches") + repeat;
  auto bias = std::make_shared<TrainedBias>(e.data.length);
  const auto core = student_core(bias);
  if (positions == Positions::relative) training.extra_parameters = {nn::param_ref("relative_bias", bias->value, bias->grad)};
  std::function<void(std::size_t)> progress;
  if (ctx.full())
    progress = [&](std::size_t step) {
      if ((step + 1) % 50 == 0 || step + 1 == e.steps)
        std::cerr << "\r10.25: " << name_of(positions) << ", seed " << repeat + 1 << "/" << e.seeds << ", step "
                  << step + 1 << "/" << e.steps << std::flush;
    };
  const auto run = nn::train_on_patterns(e.data, config, training, ctx.seed_for("c-task") + 10 * repeat,
                                         positions == Positions::relative ? &core : nullptr, progress);
  if (ctx.full()) std::cerr << '\n';
  return cache[key] = {run.accuracy, std::vector<double>(bias->value.begin(), bias->value.end())};
}

// With --full: every run's held-out accuracy, one row per kind of positions, printed once.
void print_comparison(const Context& ctx) {
  static bool printed = false;
  if (!ctx.full() || printed) return;
  printed = true;
  const auto e = experiment_for(ctx);
  std::ostringstream out;
  out << "10.25 held-out accuracy (" << e.data.test_count << " sequences, chance " << e.data.chance() << ")\n";
  for (const auto p : {Positions::relative, Positions::sinusoidal, Positions::none}) {
    double sum = 0;
    out << std::left << std::setw(24) << name_of(p);
    for (std::size_t r = 0; r < e.seeds; ++r) {
      const double a = train(ctx, p, r).accuracy;
      sum += a;
      out << std::fixed << std::setprecision(3) << std::setw(8) << a;
    }
    out << "mean " << sum / double(e.seeds) << "\n";
  }
  std::cerr << out.str();
}

// ---- parts ---------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  auto& a1 = ex.part("a1", 2, R"(Implement relative_bias_table: the (n, n) table whose entry (i, j) is b[i - j + L - 1],
for a bias vector b of 2L - 1 entries and a length n <= L. The checks compare with that formula, and hold the table to
being made of b's entries alone: raising one entry of b must raise exactly the pairs at its offset, by the same
amount, and change nothing else (within 1e-5, room for float).)");
  for (const auto& [max_len, n] : {std::pair<std::size_t, std::size_t>{6, 6}, {9, 5}})
    a1.check("L=" + std::to_string(max_len) + ", n=" + std::to_string(n), CheckKind::close,
             "the table of a random b against b[i - j + L - 1]", [max_len, n](const Context& ctx) {
               auto rng = ctx.rng("a1-fixed");
               return table_matches(max_len, n, rng);
             });
  a1.check("2L - 1 scalars", CheckKind::property,
           "for random L <= 8, n <= L and every entry m of b, raising b[m] by 1 raises exactly the pairs with "
           "i - j = m - (L - 1) by 1 and leaves the rest of the table unchanged",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a1-offsets"), [] {
               const auto in = random_inputs();
               const std::size_t n = in.q.shape(1);
               for (std::size_t m = 0; m < in.b.size(); ++m) RC_ASSERT(each_entry_moves_its_offset(in.b, n, m));
             });
           });
  a1.hint("With unsigned indices, compute i + L - 1 - j: it is never negative, while i - j may be.");

  ex.part("a2", 1, R"(Count the learnable scalars of the bias (exact integers). With one vector shared by every head and
every layer, as in this exercise: how many for a maximum length L = 512? If every head of every layer had its own
vector instead, how many for L = 512, 8 heads and 6 layers? And how many entries of b does a sequence of n = 100
positions use when L = 512?)")
      .integer_answer("a2_shared", "learnable scalars, one vector for every head and layer, L = 512", 2 * 512 - 1)
      .integer_answer("a2_per_head", "learnable scalars, one vector per head and per layer, L = 512, 8 heads, 6 layers",
                      8 * 6 * (2 * 512 - 1))
      .integer_answer("a2_used", "entries of b that a sequence of 100 positions uses, L = 512", 2 * 100 - 1);
}

void part_b(workbook::Exercise& ex) {
  ex.part("b1", 2, R"(Implement relative_attention_forward: every slab's self-attention with the bias added to each
score inside the scaling, (q_i . k_j + b[i - j + L - 1]) / sqrt(d). The checks compare with the same attention written
in plain loops, within float's rounding (1e-5 relative, or 1e-6 of the largest |v| absolute).)")
      .check("n=L", CheckKind::close, "3 slabs of 7 positions, L = 7, d = 4, d_v = 3, against plain-loop attention "
                                      "with the bias table added",
             [](const Context& ctx) {
               auto rng = ctx.rng("b1-full-length");
               return forward_matches(gaussian_inputs(3, 7, 7, 4, 3, rng));
             })
      .check("n<L", CheckKind::close, "2 slabs of 6 positions, L = 10, d = 8, d_v = 5, against plain-loop attention "
                                      "with the bias table added",
             [](const Context& ctx) {
               auto rng = ctx.rng("b1-shorter");
               return forward_matches(gaussian_inputs(2, 6, 10, 8, 5, rng));
             })
      .check("any shape", CheckKind::property, "for random shapes and lengths n <= L, against plain-loop attention with "
                                               "the bias table added",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b1-property"), [] {
                 RC_ASSERT(forward_matches(random_inputs()).status == workbook::Status::pass);
               });
             });
  auto& b2 = ex.part("b2", 3, R"(Implement relative_attention_backward. The bias enters the scores exactly as q_i . k_j
does, so its gradient is read off the gradient dS of the scaled scores: every pair (i, j) at offset i - j adds its
share to the entry of b for that offset, over every pair and every slab (b is shared by them all). Offsets that a
sequence shorter than L never has get exactly zero. The checks compare dq, dk, dv and db with central differences of
plain-loop attention, within float's rounding of each gradient's scale.)");
  b2.check("dq, dk, dv", CheckKind::close,
           "2 slabs of 5 positions, L = 7, d = 3, d_v = 2, against central differences of plain-loop attention",
           [](const Context& ctx) {
             auto rng = ctx.rng("b2-qkv");
             const auto in = gaussian_inputs(2, 5, 7, 3, 2, rng);
             return qkv_gradients_match(in, rng);
           });
  b2.check("db", CheckKind::close,
           "3 slabs of 6 positions, L = 8, d = 3, d_v = 2, every entry of db against central differences of plain-loop "
           "attention",
           [](const Context& ctx) {
             auto rng = ctx.rng("b2-bias");
             const auto in = gaussian_inputs(3, 6, 8, 3, 2, rng);
             return bias_gradient_matches(in, rng);
           });
  b2.check("unused offsets", CheckKind::property,
           "2 slabs of 4 positions, L = 9: the entries of db for offsets of size 4 or more are exactly 0",
           [](const Context& ctx) {
             auto rng = ctx.rng("b2-unused");
             const auto in = gaussian_inputs(2, 4, 9, 3, 2, rng);
             return unused_offsets_are_zero(in, rng);
           });
  b2.hint("Keep the dS of scaled dot-product attention (dS = P * (dP - rowsum(P * dP)), dP = dout v^T). The score is "
          "(q_i . k_j + B[i][j]) c with c = 1 / sqrt(d), so dB[i][j] = c dS[i][j]; then gather dB by diagonals.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Your attention and bias now run inside a model. The exercise keeps b (L = 24, so 47 floats, starting
at zero; one vector for every head and every layer, as T5 shares its bias across layers), gives every block of a small
encoder (2 heads, no absolute positions at all, the mean of its positions read by the classifier) your
relative_attention_forward and relative_attention_backward, and trains b with the encoder's other weights by the same
optimiser on the embedded-pattern task (data/README.md: 24 tokens of 32 kinds, one of 3 patterns of 5 tokens written
at a random start, or none; chance 1/4). The check passes when the held-out accuracy is more than ten standard errors
above chance. Quick budget: 1 layer of width 16, 150 steps of 16 sequences.)")
      .check("learns", CheckKind::property,
             "the encoder with your relative bias and no absolute positions reaches a held-out accuracy ten standard "
             "errors above chance",
             [](const Context& ctx) {
               const auto e = experiment_for(ctx);
               print_comparison(ctx);
               return workbook::oracle::learned(train(ctx, Positions::relative, 0).accuracy, e.data.chance(),
                                                e.data.test_count);
             });
  ex.part("d", 2, R"(Which works better for patterns written at random positions: your relative bias, or sinusoidal
absolute positions added to the token embeddings? Why? With --full the exercise trains the same encoder (2 layers of
width 32, 2000 steps of 32 sequences, three seeds) with each, and with no positions at all as a control; figure
`comparison` and docs/results/ch10.md show the held-out accuracies. Say what each encoding lets a head express, what
the task needs, and what the control tells you.)")
      .manual(2);
}

// ---- figures -------------------------------------------------------------------------------------------------

// The trained b of the first run against its offset i - j, one point per entry.
workbook::Plot bias_figure(const Context& ctx) {
  const auto run = train(ctx, Positions::relative, 0);
  const auto max_len = std::ptrdiff_t((run.bias.size() + 1) / 2);
  workbook::Series s{"b[i - j + L - 1]", {}, {}, workbook::Series::Style::linespoints};
  for (std::size_t m = 0; m < run.bias.size(); ++m) {
    s.x.push_back(double(std::ptrdiff_t(m) - max_len + 1));
    s.y.push_back(run.bias[m]);
  }
  auto plot = workbook::xy_plot("The learned relative bias", "offset i - j (query minus key)", "bias", {s});
  plot.measured = true;  // from a model trained in this run
  return plot;
}

// Quick: chance, which holds on every machine. --full adds each kind's held-out accuracy per seed.
workbook::Plot comparison_figure(const Context& ctx) {
  const auto e = experiment_for(ctx);
  std::vector<workbook::Series> series{
      {"chance", {1, double(e.seeds)}, {e.data.chance(), e.data.chance()}, workbook::Series::Style::lines}};
  if (ctx.full())
    for (const auto p : {Positions::relative, Positions::sinusoidal, Positions::none}) {
      workbook::Series s{name_of(p), {}, {}, workbook::Series::Style::linespoints};
      for (std::size_t r = 0; r < e.seeds; ++r) {
        s.x.push_back(double(r + 1));
        s.y.push_back(train(ctx, p, r).accuracy);
      }
      series.push_back(s);
    }
  return workbook::xy_plot("Held-out accuracy on patterns at random positions", "seed", "accuracy", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A learnable relative position bias";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(Absolute positional encodings tell each token where it sits; a relative bias tells each pair of
tokens how far apart they are. Here the scores of self-attention get one learnable scalar per offset, added to the dot
product before the scaling (this exercise's convention; adding it after the scaling instead only rescales b by sqrt(d_k)):
score(i, j) = (q_i . k_j + b[i - j + L - 1]) / sqrt(d_k). For a maximum length L the offsets i - j run from -(L - 1)
to L - 1, so b holds 2L - 1 scalars; in this exercise one vector serves every head and every layer. Part (a) asks for
the table of biases and for counts, part (b) for the attention and its gradients (b's included), part (c) trains a
model whose only sense of order is your bias, and part (d) compares it with sinusoidal positions.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("bias", "The relative bias b learned by the encoder of part (c) (your functions, this run's budget), against "
                  "the offset i - j.",
          bias_figure);
  ex.plot("comparison",
          "Held-out accuracy of the encoder with your relative bias, with sinusoidal positions and with no positions, "
          "per seed (the measured points with --full), beside chance.",
          comparison_figure);
}
