// 10.29: grouped-query attention. The student writes causal grouped-query attention over stacks of (sequence,
// head) slabs, forward and backward. Expected values: plain-loop causal attention per query head over the key/value
// head of its group (workbook/oracle/attention.hpp), central differences of it (oracle/finite_difference.hpp), the
// equivalences with multi-head and multi-query attention as properties, and the nn library's own grouped-query
// attention inside a GPT (an independent implementation, not the reference under test). The KV-cache sizes are a
// closed form.
//
// Then the student's attention runs inside a model: the checks give the nn library's GPT an attention core
// (nn::AttentionCore) that calls it through the channel in every block, forward and backward, and train it on
// next-item prediction over StreamRec sessions (nn::streamrec_sessions, data/README.md). The trained model is
// scored here, with the library's own attention, on held-out sessions. Quick budget: one run learns the planted
// pairs; --full: 8 query heads with 1, 2, 4 and 8 key/value heads (figure `heads`, docs/results/ch10.md).

#include "ch10/10.29/interface.hpp"

#include <cmath>
#include <iostream>
#include <map>
#include <tuple>

#include "nn/sessions.hpp"
#include "nn/slab_core.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/oracle/statistics.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_29::Heads;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

// ---- the oracle, query slab by query slab ------------------------------------------------------------------

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

// The key/value slab that query slab s reads, as the interface states it.
std::size_t group_slab(std::size_t s, int h_q, int h_kv) {
  return s / std::size_t(h_q) * std::size_t(h_kv) + s % std::size_t(h_q) / std::size_t(h_q / h_kv);
}

Heads oracle_forward(const Heads& q, const Heads& k, const Heads& v, int h_q, int h_kv) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  const double scale = 1 / std::sqrt(double(q.shape(2)));
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const auto g = group_slab(s, h_q, h_kv);
    xt::view(out, s, xt::all(), xt::all()) = workbook::oracle::attention(slab(q, s), slab(k, g), slab(v, g), scale, true);
  }
  return out;
}

// Each key/value slab copied to every query head of its group: the multi-head inputs that grouped attention shares.
Heads repeat_groups(const Heads& kv, int h_q, int h_kv) {
  const std::size_t batch = kv.shape(0) / std::size_t(h_kv);
  Heads out = Heads::from_shape({batch * std::size_t(h_q), kv.shape(1), kv.shape(2)});
  for (std::size_t s = 0; s < out.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = xt::view(kv, group_slab(s, h_q, h_kv), xt::all(), xt::all());
  return out;
}

struct Inputs {
  Heads q, k, v;
  int h_q, h_kv;
};

Inputs gaussian_inputs(std::size_t batch, int h_q, int h_kv, std::size_t n, std::size_t d, std::size_t d_v,
                       std::mt19937_64& rng) {
  auto in = workbook::oracle::gaussian_attention_inputs(batch * std::size_t(h_q), batch * std::size_t(h_kv), n, n, d, d_v, rng);
  return {in.q, in.k, in.v, h_q, h_kv};
}

// Inside a property: 1 or 2 sequences of up to 7 positions, h_kv in 1..3 and a group of 1..3 query heads, d up to 5.
Inputs random_inputs() {
  const auto batch = *rc::gen::inRange<std::size_t>(1, 3);
  const auto h_kv = *rc::gen::inRange(1, 4);
  const auto group = *rc::gen::inRange(1, 4);
  const auto n = *rc::gen::inRange<std::size_t>(1, 8);
  const auto d = *rc::gen::inRange<std::size_t>(1, 6);
  auto rng = workbook::oracle::property_rng();
  return gaussian_inputs(batch, h_kv * group, h_kv, n, d, 3, rng);
}

Heads student_forward(const Inputs& in) {
  auto out = ch10_29::grouped_attention(in.q, in.k, in.v, in.h_q, in.h_kv);
  workbook::require_shape("grouped_attention", out, {in.q.shape(0), in.q.shape(1), in.v.shape(2)});
  return out;
}

CheckResult close_to(const Heads& actual, const Heads& expected) {
  return workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected),
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

CheckResult forward_matches(const Inputs& in) {
  return close_to(student_forward(in), oracle_forward(in.q, in.k, in.v, in.h_q, in.h_kv));
}

// The student's three gradients against central differences of the oracle's L = sum(dout * forward).
CheckResult backward_matches(const Inputs& in, std::mt19937_64& rng) {
  const Heads dout = workbook::oracle::gaussian_slabs(in.q.shape(0), in.q.shape(1), in.v.shape(2), rng);
  const auto g = ch10_29::grouped_attention_backward(dout, in.q, in.k, in.v, in.h_q, in.h_kv);
  workbook::require_shape("grouped_attention_backward (dq)", g.dq, {in.q.shape(0), in.q.shape(1), in.q.shape(2)});
  workbook::require_shape("grouped_attention_backward (dk)", g.dk, {in.k.shape(0), in.k.shape(1), in.k.shape(2)});
  workbook::require_shape("grouped_attention_backward (dv)", g.dv, {in.v.shape(0), in.v.shape(1), in.v.shape(2)});
  const auto loss = [&](const Heads& q, const Heads& k, const Heads& v) {
    return double(xt::sum(dout * oracle_forward(q, k, v, in.h_q, in.h_kv))());
  };
  const auto expected = workbook::oracle::numerical_gradients(in.q, in.k, in.v, loss);
  return workbook::close(workbook::oracle::end_to_end(g.dq, g.dk, g.dv), expected,
                         workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

// ---- the student's attention inside the library's GPT --------------------------------------------------------

// Every block's attention is the student's, forward and backward. The GPT's mask is causal and the queries and
// keys are the same positions (no cache), which is what the student's functions assume.
nn::AttentionCore<float> student_core() {
  return nn::slab_core(
      [](const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape& s) {
        return ch10_29::grouped_attention(q, k, v, int(s.n_head), int(s.n_kv_head));
      },
      [](const Heads& dout, const Heads& q, const Heads& k, const Heads& v, const nn::AttentionShape& s) {
        const auto g = ch10_29::grouped_attention_backward(dout, q, k, v, int(s.n_head), int(s.n_kv_head));
        return nn::SlabGrads{g.dq, g.dk, g.dv};
      },
      "grouped_attention", "grouped_attention_backward");
}

nn::GptConfig session_model(std::size_t vocab, std::size_t context, std::size_t layers, std::size_t width,
                            std::size_t h_q, std::size_t h_kv) {
  nn::GptConfig config;
  config.vocab_size = vocab;
  config.context = context;
  config.n_layer = layers;
  config.n_embd = width;
  config.n_head = h_q;
  config.n_kv_head = h_kv;
  return config;
}

// The library's GPT with 4 query heads and 2 key/value heads: its logits with its own attention against its logits
// with the student's, same weights, same tokens.
CheckResult same_logits_in_the_model(const Context& ctx) {
  nn::Gpt<float> model(session_model(50, 12, 2, 32, 4, 2), ctx.seed_for("b-model"));
  auto rng = ctx.rng("b-model-tokens");
  nn::Tokens tokens(3 * 12);
  for (auto& t : tokens) t = std::uniform_int_distribution<int>(0, 49)(rng);
  const xt::xarray<double> library = xt::cast<double>(model.forward(tokens, 3, 12));
  const auto core = student_core();
  model.set_attention_core(&core);
  const xt::xarray<double> student = xt::cast<double>(model.forward(tokens, 3, 12));
  // float throughout the model on both routes: the logits agree to float's rounding of their size.
  return workbook::close(student, library, workbook::tolerance::float_sums(10 * workbook::tolerance::largest_magnitude(library)));
}

// Quick: sessions of 12 events over 60 catalogue items in 6 categories, every session holding one of 6 trigger/target
// pairs 4 events apart; 1 layer of width 32 with 4 query heads sharing 2 key/value heads, 400 steps of 16 sessions at
// learning rate 1e-2 (each step sends the solution 4 slabs per session). Measured with the library's own attention
// over 8 seeds: planted accuracy 0.93 to 1.00 against a bar of 0.33. Full: sessions of 50 events over 200 items in 10
// categories, 10 pairs 10 events apart; 2 layers of width 64 with 8 query heads of 8 dimensions, 1000 steps of 32
// sessions at 3e-3, for h_kv = 1, 2, 4 and 8.
struct Experiment {
  nn::StreamRecConfig data;
  std::size_t test_count, layers, width, steps, batch;
  double lr;
};

Experiment experiment_for(const Context& ctx) {
  nn::StreamRecConfig data;
  data.plant_probability = 1.0;
  if (ctx.full()) {
    data.count = 4000;
    return {data, 1000, 2, 64, 1000, 32, 3e-3};
  }
  auto small = nn::small_streamrec();
  small.plant_probability = 1.0;
  return {small, 500, 1, 32, 400, 16, 1e-2};
}

// Held-out scores of the GPT trained with the student's attention. The data, the initial weights and the batch
// order depend on the run's seed only; cached per (seed, budget, h_q, h_kv), so that checks and figure read the
// same run.
nn::NextItemScore trained_score(const Context& ctx, std::size_t h_q, std::size_t h_kv) {
  using Key = std::tuple<std::uint64_t, bool, std::size_t, std::size_t>;
  static std::map<Key, nn::NextItemScore> cache;
  const Key key{ctx.seed(), ctx.full(), h_q, h_kv};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto e = experiment_for(ctx);
  auto train = e.data;
  train.catalogue_seed = ctx.seed_for("c-catalogue");
  train.seed = ctx.seed_for("c-train");
  const auto data = nn::streamrec_sessions(train);
  auto held_out = train;  // the same catalogue, new sessions
  held_out.count = e.test_count;
  held_out.seed = ctx.seed_for("c-test");
  const auto test = nn::streamrec_sessions(held_out);
  nn::Gpt<float> model(session_model(std::size_t(data.n_items), e.data.length, e.layers, e.width, h_q, h_kv),
                       ctx.seed_for("c-weights"));
  const auto core = student_core();
  model.set_attention_core(&core);
  nn::NextItemTraining training;
  training.steps = e.steps;
  training.lr = e.lr;
  training.batch = e.batch;
  training.seed = ctx.seed_for("c-batches");
  if (ctx.full()) {  // minutes: say where the run is
    std::cerr << "h_q = " << h_q << ", h_kv = " << h_kv << "\n";
    nn::train_next_item_showing_progress(model, data.sessions, training, std::cerr);
  } else {
    nn::train_next_item(model, data.sessions, training);
  }
  model.set_attention_core(nullptr);  // scored with the library's own attention
  return cache[key] = nn::score_next_item(model, test);
}

// ---- parts -----------------------------------------------------------------------------------------------

// Bytes of the K and V caches of one session: keys and values, per layer, per position, per key/value head.
constexpr std::int64_t kv_layers = 2, kv_positions = 100, kv_head_dim = 8, kv_bytes_per_number = 4;
std::int64_t kv_cache_bytes(std::int64_t h_kv) { return 2 * kv_layers * kv_positions * h_kv * kv_head_dim * kv_bytes_per_number; }

void part_a(workbook::Exercise& ex) {
  auto& a1 = ex.part("a1", 3, R"(Implement grouped_attention: causal attention in which the query heads are split
into h_kv consecutive runs, and every head of a run reads the same key/value head. The checks allow float's rounding (1e-5 relative, or 1e-6 of the largest |v|
absolute).)");
  for (const auto& [h_q, h_kv] : {std::pair{4, 2}, std::pair{6, 3}, std::pair{4, 1}})
    a1.check("h_q=" + std::to_string(h_q) + " h_kv=" + std::to_string(h_kv), CheckKind::close,
             "2 sequences of 6 positions, d = 4, d_v = 3, against plain-loop causal attention of each query head over "
             "its group's keys and values",
             [h_q, h_kv](const Context& ctx) {
               auto rng = ctx.rng("a1-fixed");
               return forward_matches(gaussian_inputs(2, h_q, h_kv, 6, 4, 3, rng));
             });
  a1.check("any grouping", CheckKind::property,
           "for random shapes, h_kv from 1 to 3 and groups of 1 to 3 query heads, against plain-loop causal attention",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a1-property"), [] { RC_ASSERT(forward_matches(random_inputs()).status == workbook::Status::pass); });
           });
  a1.check("causal", CheckKind::property,
           "changing the queries, keys and values of positions after i leaves every output row up to i unchanged",
           [](const Context& ctx) {
             return workbook::property(ctx.seed_for("a1-causal"), [] {
               const auto in = random_inputs();
               const auto n = in.q.shape(1);
               const auto cut = *rc::gen::inRange<std::size_t>(0, n);  // rows 0..cut stay, later ones change
               auto changed = in;
               for (auto* h : {&changed.q, &changed.k, &changed.v})
                 xt::view(*h, xt::all(), xt::range(cut + 1, n), xt::all()) += 3.0;
               const Heads before = student_forward(in), after = student_forward(changed);
               RC_ASSERT(close_to(xt::view(after, xt::all(), xt::range(0, cut + 1), xt::all()),
                                  xt::view(before, xt::all(), xt::range(0, cut + 1), xt::all())).status ==
                         workbook::Status::pass);
             });
           });
  a1.hint("Work out which key/value slab query slab b * h_q + h reads before anything else; the masking and the "
          "softmax are those of ordinary causal attention.");

  auto& a2 = ex.part("a2", 3, R"(Implement grouped_attention_backward. A key/value head serves every query head of
its group, so its gradients gather theirs. The checks compare with central differences of plain-loop grouped
attention, within float's rounding of each gradient's scale.)");
  for (const auto& [h_q, h_kv] : {std::pair{4, 2}, std::pair{3, 1}})
    a2.check("h_q=" + std::to_string(h_q) + " h_kv=" + std::to_string(h_kv), CheckKind::close,
             "dq, dk and dv for 2 sequences of 4 positions, d = 3, d_v = 2, against central differences",
             [h_q, h_kv](const Context& ctx) {
               auto rng = ctx.rng("a2");
               const auto in = gaussian_inputs(2, h_q, h_kv, 4, 3, 2, rng);
               return backward_matches(in, rng);
             });
  a2.hint("Compute each query head's gradients as in ordinary attention, then add the dk and dv of the query heads "
          "that share a key/value head into that head's slab.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Show that grouped-query attention spans the two familiar cases: with h_kv = h_q it is multi-head
attention (each query head its own keys and values), with h_kv = 1 multi-query attention (every head shares one key
and value head). And between them: with the same weights, a model whose key/value heads are shared in groups
computes what a multi-head model computes when each shared head is copied to every query head of its group. The
checks run your grouped_attention through these, and then inside the nn library's GPT (4 query heads, 2 key/value
heads) against the library's own grouped attention, on the same weights and tokens.)")
      .check("h_kv = h_q is multi-head", CheckKind::property,
             "with as many key/value heads as query heads, every head attends with its own keys and values (plain-loop "
             "causal attention per head)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-mha"), [] {
                 auto in = random_inputs();
                 in = Inputs{in.q, repeat_groups(in.k, in.h_q, in.h_kv), repeat_groups(in.v, in.h_q, in.h_kv), in.h_q, in.h_q};
                 Heads expected = Heads::from_shape({in.q.shape(0), in.q.shape(1), in.v.shape(2)});
                 const double scale = 1 / std::sqrt(double(in.q.shape(2)));
                 for (std::size_t s = 0; s < in.q.shape(0); ++s)
                   xt::view(expected, s, xt::all(), xt::all()) =
                       workbook::oracle::attention(slab(in.q, s), slab(in.k, s), slab(in.v, s), scale, true);
                 RC_ASSERT(close_to(student_forward(in), expected).status == workbook::Status::pass);
               });
             })
      .check("h_kv = 1 is multi-query", CheckKind::property,
             "with one key/value head per sequence, every query head attends with that one (plain-loop causal "
             "attention)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-mqa"), [] {
                 auto in = random_inputs();
                 const auto h = in.h_q;
                 auto rng = workbook::oracle::property_rng();
                 const auto batch = in.q.shape(0) / std::size_t(h);
                 in = Inputs{in.q, workbook::oracle::gaussian_slabs(batch, in.q.shape(1), in.q.shape(2), rng),
                             workbook::oracle::gaussian_slabs(batch, in.q.shape(1), 2, rng), h, 1};
                 Heads expected = Heads::from_shape({in.q.shape(0), in.q.shape(1), 2});
                 const double scale = 1 / std::sqrt(double(in.q.shape(2)));
                 for (std::size_t s = 0; s < in.q.shape(0); ++s)
                   xt::view(expected, s, xt::all(), xt::all()) = workbook::oracle::attention(
                       slab(in.q, s), slab(in.k, s / std::size_t(h)), slab(in.v, s / std::size_t(h)), scale, true);
                 RC_ASSERT(close_to(student_forward(in), expected).status == workbook::Status::pass);
               });
             })
      .check("shared heads, copied heads", CheckKind::property,
             "your grouped_attention with h_kv heads equals your grouped_attention with h_q heads given each key/value "
             "head copied to the query heads of its group",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-shared"), [] {
                 const auto in = random_inputs();
                 const Inputs copied{in.q, repeat_groups(in.k, in.h_q, in.h_kv), repeat_groups(in.v, in.h_q, in.h_kv),
                                     in.h_q, in.h_q};
                 RC_ASSERT(close_to(student_forward(in), student_forward(copied)).status == workbook::Status::pass);
               });
             })
      .check("inside the GPT", CheckKind::close,
             "a 2-layer GPT with 4 query heads and 2 key/value heads gives the same logits with your attention as with "
             "the library's, for 3 sequences of 12 tokens",
             same_logits_in_the_model);
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 4, R"(Your attention now runs inside a model: the exercise gives every block of a small GPT
your grouped_attention and its backward, and trains it to predict the next item of StreamRec sessions (data/README.md:
each session is a walk through item categories, and half of the sessions hide a trigger item whose paired target
comes a fixed number of events later). The trained model is scored on held-out sessions with the library's own
attention; "planted" accuracy is the accuracy on the rows whose next item is a planted target, which only a model
that looks back to the trigger can get right (chance: one over the number of pairs). Every session here holds a
pair. Quick budget: sessions of 12 events, pairs 4 events apart, 1 layer of width 32 with 4 query heads sharing 2
key/value heads, 400 steps of 16 sessions; the check passes when the planted accuracy is more than ten standard errors above chance.
Full budget (--full): 8 query heads of 8 dimensions in 2 layers, with h_kv = 1, 2, 4 and 8, on sessions of 50 events
with pairs 10 events apart, 1000 steps (figure `heads`).

A KV cache keeps, for every layer and every position already seen, the keys and the values of every key/value head.
For that 2-layer model (head dimension 8) serving a session of 100 events with the cache in 32-bit floats (4 bytes a
number), how many bytes does the cache of one session take for each h_kv? Give whole numbers of bytes (exact).)");
  for (const std::int64_t h_kv : {1, 2, 4, 8})
    c.integer_answer("c_bytes_hkv" + std::to_string(h_kv), "bytes of the KV cache of one session with h_kv = " + std::to_string(h_kv),
                     kv_cache_bytes(h_kv), "bytes");
  c.check("planted pairs learned", CheckKind::property,
          "the GPT with your attention (h_q = 4, h_kv = 2) predicts planted targets on held-out sessions ten standard "
          "errors above chance",
          [](const Context& ctx) {
            const auto e = experiment_for(ctx);
            const auto score = trained_score(ctx, 4, 2);
            return workbook::oracle::learned(score.planted_accuracy, 1.0 / double(e.data.n_pairs), score.planted);
          });
  c.hint("Count the numbers first: keys and values, times layers, times positions, times key/value heads, times the "
         "head dimension; then the bytes of each.");
  ex.part("d", 2, R"(From the --full run (or docs/results/ch10.md): which h_kv would you pick for StreamRec, weighing
accuracy against the cache's memory? Why might the answer differ from a large language model's, which serves contexts
of thousands of tokens to many users at once?)")
      .manual(2);
}

// ---- figures ---------------------------------------------------------------------------------------------

// Quick budget: the cache's size, a closed form that holds on every machine. --full adds the held-out accuracies
// (every position, and planted targets) of the four trained models.
workbook::Plot heads_figure(const Context& ctx) {
  const std::vector<double> h_kv{1, 2, 4, 8};
  workbook::Series kib{"KV cache per session (KiB / 100)", h_kv, {}, workbook::Series::Style::linespoints};
  for (const double h : h_kv) kib.y.push_back(double(kv_cache_bytes(std::int64_t(h))) / 1024 / 100);
  std::vector<workbook::Series> series{kib};
  if (ctx.full()) {
    workbook::Series all{"next-item accuracy", h_kv, {}, workbook::Series::Style::linespoints};
    workbook::Series planted{"planted-target accuracy", h_kv, {}, workbook::Series::Style::linespoints};
    for (const double h : h_kv) {
      const auto score = trained_score(ctx, 8, std::size_t(h));
      all.y.push_back(score.accuracy);
      planted.y.push_back(score.planted_accuracy);
    }
    series.push_back(all);
    series.push_back(planted);
  }
  return workbook::xy_plot("Grouped-query attention on StreamRec: 8 query heads", "key/value heads h_kv",
                           "accuracy; cache size", series);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Grouped-query attention";
  ex.stars = 4;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(In multi-head attention every query head has keys and values of its own, and a KV cache stores
them all. Grouped-query attention keeps h_q query heads but projects only h_kv key/value heads (a divisor of h_q): the
query heads come in h_kv runs of equal length, a run reads one key/value head, and the cache is h_q / h_kv times
smaller. Part (a)
asks for causal grouped attention, forward and backward, on stacks of (sequence, head) slabs as a model calls it,
the projections being the model's; part (b) for its two special cases and the equivalence behind them; part (c)
trains a model with your attention inside it and asks what the cache costs; part (d) asks which h_kv to choose.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("heads",
          "The KV cache of one 100-event session against h_kv (KiB, divided by 100 to share the axis), and with --full "
          "the held-out accuracies of the GPT with your attention, 8 query heads, against h_kv.",
          heads_figure);
}
