// arch13/10: a model trains to a low loss and generates poorly; three architecture bugs can do that, and the student
// writes one test per bug that tells it from the other two. The models run here, in the grader: a healthy GPT from
// the nn library and three copies, each with one bug planted. No mask: attention sees every position, in training
// and in generation. Positions: the generation path adds the learned embedding of position p + 1 at position p (a
// counter started at 1), the training path the right one. Broken cache: the KV cache keeps only its last 24 entries
// (64 with --full) and drops the older ones. For each model the grader measures four tables of logits (interface.hpp)
// and calls the student's three tests on them through the channel; test k must fire on bug k alone, and on several
// independent draws of weights and tokens. Expected values: the statement's requirement (which model each test must
// flag), and for (d) closed forms of the argument. The "everything against everything" comparison fires on two or
// three bugs at once, which is what the mutants do.
//
// The seed's answer says cached and recomputed generation "must be identical". They agree only to float's rounding
// (different summation orders: about 3e-7 of the logits here), and only in a causal model: without the mask they
// differ with a perfect cache (arch13/9), so a cache test must rule the mask out first. The statement says both.

#include "arch13/10/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "nn/attention.hpp"
#include "nn/char_tokenizer.hpp"
#include "nn/gpt.hpp"
#include "nn/shipped_data.hpp"
#include "nn/train_log.hpp"
#include "nn/trainer.hpp"
#include "workbook/exercise.hpp"

namespace {

using arch13_10::Observations;
using workbook::CheckKind;
using workbook::Context;
using workbook::Precision;

// ---- the four models --------------------------------------------------------------------------------------------

enum class Fault { none, no_mask, positions, cache };
constexpr Fault faults[] = {Fault::none, Fault::no_mask, Fault::positions, Fault::cache};
const char* fault_name(Fault f) {
  switch (f) {
    case Fault::none: return "healthy";
    case Fault::no_mask: return "missing-mask";
    case Fault::positions: return "position";
    case Fault::cache: return "broken-cache";
  }
  return "";
}

// Quick: 2 layers of width 32, a sequence of 40 tokens whose last 10 are altered, a cache of 24, 3 draws. Full: the
// size of a small character GPT (4 layers of width 128), 120 tokens, the last 30 altered, a cache of 64, 10 draws.
struct Setting {
  std::size_t layers, width, length, changed_from, cache_capacity, draws;
};
Setting setting(const Context& ctx) {
  return ctx.full() ? Setting{4, 128, 120, 90, 64, 10} : Setting{2, 32, 40, 30, 24, 3};
}

// Random weights at GPT-2's scale give near-uniform attention and logits a bug hardly moves; the query/key/value
// projections are drawn 3 times wider (attention that prefers some positions) and the untied LM head 10 times.
nn::Gpt<float> random_gpt(const Setting& s, std::uint64_t seed) {
  nn::GptConfig config;
  config.vocab_size = 65;
  config.context = s.length;
  config.n_layer = s.layers;
  config.n_head = 4;
  config.n_embd = s.width;
  config.tie_weights = false;
  nn::Gpt<float> model(config, seed);
  for (const auto& p : model.parameters()) {
    const bool qkv = p.name.find("attn.c_attn.weight") != std::string::npos, head = p.name == "lm_head.weight";
    if (qkv || head) std::for_each(p.value, p.value + p.size, [&](float& w) { w *= qkv ? 3.0f : 10.0f; });
  }
  return model;
}

// The position bug: a copy whose row p of the position table is the original's row p + 1.
nn::Gpt<float> positions_off_by_one(nn::Gpt<float> model) {
  const std::size_t width = model.config().n_embd;
  for (const auto& p : model.parameters())
    if (p.name == "wpe.weight") std::copy(p.value + width, p.value + p.size, p.value);
  return model;
}

nn::Matrix<float> append_rows(const nn::Matrix<float>& cached, const nn::Matrix<float>& rows) {
  if (cached.size() == 0) return rows;
  return xt::concatenate(xt::xtuple(cached, rows), 0);
}

// A cached attention step with a planted bug: `see_later` drops the causal mask among the new rows (what attention
// without a mask does when a whole sequence comes at once); `capacity` keeps only the last entries of the cache
// after each step. The library's own attention does the arithmetic.
nn::CachedAttentionCore<float> faulty_attention(bool see_later, std::size_t capacity) {
  nn::CachedAttentionCore<float> core;
  core.step = [=](const nn::Matrix<float>& q, const nn::Matrix<float>& k, const nn::Matrix<float>& v,
                  nn::KvCacheLayer<float>& cache, const nn::AttentionShape& shape) {
    cache.k = append_rows(cache.k, k);
    cache.v = append_rows(cache.v, v);
    nn::AttentionShape s = shape;
    s.kv_len = cache.k.shape(0);
    s.q_offset = s.kv_len - q.shape(0);
    nn::AttentionMask mask;
    mask.kind = see_later ? nn::MaskKind::bidirectional : nn::MaskKind::causal;
    nn::AttentionCache<float> unused;
    const nn::Matrix<float> out =
        nn::attention_forward(q, cache.k, cache.v, s, mask, nn::RelativeBias<float>{}, unused);
    if (cache.k.shape(0) > capacity) {
      const std::size_t first = cache.k.shape(0) - capacity, end = cache.k.shape(0);
      cache.k = nn::Matrix<float>(xt::view(cache.k, xt::range(first, end), xt::all()));
      cache.v = nn::Matrix<float>(xt::view(cache.v, xt::range(first, end), xt::all()));
    }
    return out;
  };
  return core;
}

// One model's two paths: the weights and attention step training runs, and those generation runs (null: the
// library's own step).
struct Paths {
  nn::Gpt<float> training, generation;
  const nn::CachedAttentionCore<float>* training_step;
  const nn::CachedAttentionCore<float>* generation_step;
};

Paths paths(const nn::Gpt<float>& healthy, Fault fault, const nn::CachedAttentionCore<float>& no_mask,
            const nn::CachedAttentionCore<float>& small_cache) {
  switch (fault) {
    case Fault::none: return {healthy, healthy, nullptr, nullptr};
    case Fault::no_mask: return {healthy, healthy, &no_mask, &no_mask};
    case Fault::positions: return {healthy, positions_off_by_one(healthy), nullptr, nullptr};
    case Fault::cache: return {healthy, healthy, nullptr, &small_cache};
  }
  return {healthy, healthy, nullptr, nullptr};
}

// ---- the measurements -------------------------------------------------------------------------------------------

using Table = xt::xtensor<double, 2>;

// One forward over the whole sequence: a cache used once holds nothing from before.
Table one_forward(const nn::Gpt<float>& model, const nn::Tokens& tokens, const nn::CachedAttentionCore<float>* step) {
  nn::KvCache<float> fresh;
  return xt::cast<double>(model.forward_cached(tokens, fresh, step));
}

Table recomputed_rows(const nn::Gpt<float>& model, const nn::Tokens& tokens,
                      const nn::CachedAttentionCore<float>* step) {
  Table out = Table::from_shape({tokens.size(), model.config().vocab_size});
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const Table all = one_forward(model, nn::Tokens(tokens.begin(), tokens.begin() + std::ptrdiff_t(t + 1)), step);
    xt::row(out, t) = xt::row(all, t);
  }
  return out;
}

Table cached_rows(const nn::Gpt<float>& model, const nn::Tokens& tokens, const nn::CachedAttentionCore<float>* step) {
  Table out = Table::from_shape({tokens.size(), model.config().vocab_size});
  nn::KvCache<float> cache;
  for (std::size_t t = 0; t < tokens.size(); ++t)
    xt::row(out, t) = xt::row(xt::cast<double>(model.forward_cached({tokens[t]}, cache, step)), 0);
  return out;
}

std::vector<std::int64_t> wide(const nn::Tokens& t) { return {t.begin(), t.end()}; }

Observations observe(const Paths& p, const nn::Tokens& tokens, const nn::Tokens& altered, std::size_t changed_from) {
  return {wide(tokens),
          std::int64_t(changed_from),
          wide(altered),
          one_forward(p.training, tokens, p.training_step),
          one_forward(p.training, altered, p.training_step),
          recomputed_rows(p.generation, tokens, p.generation_step),
          cached_rows(p.generation, tokens, p.generation_step)};
}

// A draw: random weights, a random sequence, and the sequence with every token from changed_from on replaced by
// another one.
struct Draw {
  std::vector<Observations> by_fault;  // in the order of `faults`
};

Draw observe_draw(const Context& ctx, std::size_t draw) {
  const Setting s = setting(ctx);
  const auto healthy = random_gpt(s, ctx.seed_for("model-" + std::to_string(draw)));
  auto rng = ctx.rng("tokens-" + std::to_string(draw));
  nn::Tokens tokens(s.length), altered;
  for (auto& t : tokens) t = std::uniform_int_distribution<int>(0, 64)(rng);
  altered = tokens;
  for (std::size_t t = s.changed_from; t < s.length; ++t)
    altered[t] = (tokens[t] + std::uniform_int_distribution<int>(1, 64)(rng)) % 65;
  const auto no_mask = faulty_attention(true, std::numeric_limits<std::size_t>::max());
  const auto small_cache = faulty_attention(false, s.cache_capacity);
  Draw d;
  for (const Fault f : faults)
    d.by_fault.push_back(observe(paths(healthy, f, no_mask, small_cache), tokens, altered, s.changed_from));
  return d;
}

// For the progress bar: the healthy model's training-path loss on the draw's sequence (next-token cross-entropy),
// and the positions the four models run per draw (two training forwards, the prefixes, the cached steps).
double healthy_loss(const Draw& d) {
  const Observations& o = d.by_fault.front();
  double sum = 0;
  for (std::size_t t = 0; t + 1 < o.tokens.size(); ++t) {
    const auto row = xt::row(o.training, t);
    const double top = xt::amax(row)();
    sum += top + std::log(xt::sum(xt::exp(row - top))()) - row(std::size_t(o.tokens[t + 1]));
  }
  return sum / double(o.tokens.size() - 1);
}
std::size_t positions_per_draw(const Setting& s) {
  return 4 * (2 * s.length + s.length * (s.length + 1) / 2 + s.length);
}

// Every draw of the run, measured once per (seed, budget): all the checks read them. Only the last run's draws are
// kept (a sweep over many seeds would otherwise hold them all). With --full, a progress bar.
const std::vector<Draw>& draws(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::vector<Draw>> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const Setting s = setting(ctx);
  std::vector<Draw> out;
  std::optional<nn::ProgressBar> bar;
  if (ctx.full()) bar.emplace(std::cerr, s.draws);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t d = 0; d < s.draws; ++d) {
    out.push_back(observe_draw(ctx, d));
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    if (bar) bar->update(d + 1, healthy_loss(out.back()), double((d + 1) * positions_per_draw(s)) / seconds.count());
  }
  if (bar) bar->finish();
  cache.clear();
  return cache[key] = std::move(out);
}

// ---- the checks ---------------------------------------------------------------------------------------------

using Test = bool (*)(const Observations&);

// The test's verdicts (1 fires, 0 silent) on the models with the given faults, draw by draw.
std::vector<std::int64_t> verdicts(const Context& ctx, Test test, const std::vector<Fault>& on) {
  std::vector<std::int64_t> out;
  for (const auto& d : draws(ctx))
    for (const Fault f : on) out.push_back(test(d.by_fault[std::size_t(f)]) ? 1 : 0);
  return out;
}

std::vector<Fault> all_but(Fault own) {
  std::vector<Fault> out;
  for (const Fault f : faults)
    if (f != own && f != Fault::none) out.push_back(f);
  return out;
}

void test_part(workbook::Exercise& ex, std::string label, std::string prompt, Fault own, Test test, std::string hint) {
  const std::string others = std::string(fault_name(all_but(own)[0])) + " and " + fault_name(all_but(own)[1]);
  ex.part(label, 2, std::move(prompt))
      .check("fires on its bug", CheckKind::equal,
             std::string("your test on the model with the ") + fault_name(own) +
                 " bug, every draw (3; 10 with --full): it must fire on each",
             [=](const Context& ctx) {
               const auto v = verdicts(ctx, test, {own});
               return workbook::equal(v, std::vector<std::int64_t>(v.size(), 1));
             })
      .check("silent on the healthy model", CheckKind::equal,
             "your test on the healthy model, every draw: it must not fire",
             [=](const Context& ctx) {
               const auto v = verdicts(ctx, test, {Fault::none});
               return workbook::equal(v, std::vector<std::int64_t>(v.size(), 0));
             })
      .check("silent on the other bugs", CheckKind::equal,
             "your test on the models with the " + others +
                 " bugs, every draw (two verdicts per draw): it must not fire",
             [=](const Context& ctx) {
               const auto v = verdicts(ctx, test, all_but(own));
               return workbook::equal(v, std::vector<std::int64_t>(v.size(), 0));
             })
      .hint(std::move(hint));
}

// (d): which of three lazy comparisons tell a model from healthy, by model. A comparison "fires" as the tests do.
// Rows: (1) training against generation_recomputed, every row; (2) training against generation_cached, every row;
// (3) training against training_altered, every row. Columns: healthy, no mask, positions, cache.
//   (1) no mask: training row t saw later tokens, recomputation over 0..t did not; positions: the generation path's
//       embeddings are shifted at every row; cache: recomputation never uses the cache.
//   (2) the same, and the cache: rows past the capacity lost their oldest keys.
//   (3) rows from changed_from on see different tokens in every model, the healthy one included.
xt::xarray<double> lazy_table() {
  return xt::xarray<double>{{0, 1, 1, 0}, {0, 1, 1, 1}, {1, 1, 1, 1}};
}

// ---- the symptom, measured (figure `symptom`) ---------------------------------------------------------------

// The missing mask while training: the library's attention with no mask, forward and backward (the backward
// recomputes the forward's softmax weights, which attention_backward reads).
nn::AttentionCore<float> unmasked_core() {
  nn::AttentionMask none;
  none.kind = nn::MaskKind::bidirectional;
  nn::AttentionCore<float> core;
  core.forward = [none](const nn::Matrix<float>& q, const nn::Matrix<float>& k, const nn::Matrix<float>& v,
                        const nn::AttentionShape& shape, const nn::AttentionMask&) {
    nn::AttentionCache<float> unused;
    return nn::attention_forward(q, k, v, shape, none, nn::RelativeBias<float>{}, unused);
  };
  core.backward = [none](const nn::Matrix<float>& dout, const nn::Matrix<float>& q, const nn::Matrix<float>& k,
                         const nn::Matrix<float>& v, const nn::AttentionShape& shape, const nn::AttentionMask&) {
    nn::AttentionCache<float> weights;
    nn::attention_forward(q, k, v, shape, none, nn::RelativeBias<float>{}, weights);
    return nn::attention_backward(dout, q, k, v, shape, none, nn::RelativeBias<float>{}, weights);
  };
  return core;
}

// Quick (the docs' figure): 2 layers of width 32 over windows of 32 characters, 400 steps. Full: width 64, windows
// of 64, 600 steps. Both on the first 200,000 characters of tiny Shakespeare, the last tenth held out.
struct Training {
  std::size_t width, context, iterations;
};
Training training_for(const Context& ctx) { return ctx.full() ? Training{64, 64, 600} : Training{32, 32, 400}; }

struct SymptomLosses {
  double training_path, generation_path;  // held-out cross-entropy, nats per character
};

// Trains a character GPT healthy and without its mask, then scores each on held-out text twice: through the path
// it was trained with, and through a generation path, which predicts from the past alone (the causal library model
// with the same weights) or, for the position bug, applies the healthy model's positions off by one.
std::vector<SymptomLosses> symptom_losses(const Context& ctx) {
  const Training t = training_for(ctx);
  const auto text = nn::read_shipped_data("tinyshakespeare.txt", 200000);
  const nn::CharTokenizer tokenizer(text);
  const nn::TokenSplit data = nn::split(tokenizer.encode(text), 0.1);
  nn::GptConfig config;
  config.vocab_size = tokenizer.vocab_size();
  config.context = t.context;
  config.n_layer = 2;
  config.n_head = 4;
  config.n_embd = t.width;
  nn::LmTraining run;
  run.iterations = t.iterations;
  run.batch = 16;
  run.eval_interval = 0;
  run.schedule = {3e-3, 3e-4, t.iterations / 10, t.iterations};
  run.optimizer.lr = 3e-3;
  std::ostringstream quiet;
  std::ostream& progress = ctx.full() ? std::cerr : quiet;
  const auto held_out = [&](nn::Gpt<float>& model) {
    nn::LmLoader loader(data.val, 16, t.context, ctx.seed_for("symptom-held-out"));
    return nn::evaluate_lm(model, loader, 20);
  };
  const auto unmasked = unmasked_core();
  std::vector<SymptomLosses> out;
  for (const bool masked : {true, false}) {
    nn::Gpt<float> model(config, ctx.seed_for("symptom-model"));
    model.set_attention_core(masked ? nullptr : &unmasked);
    nn::train_lm(model, data, run, progress);
    const double as_trained = held_out(model);
    model.set_attention_core(nullptr);
    out.push_back({as_trained, held_out(model)});
    if (masked) {
      nn::Gpt<float> shifted = positions_off_by_one(model);
      out.push_back({as_trained, held_out(shifted)});
    }
  }
  std::swap(out[1], out[2]);  // healthy, missing mask, position
  return out;
}

workbook::Plot symptom_figure(const Context& ctx) {
  const auto losses = symptom_losses(ctx);
  // One line per model from its loss as trained (x = 0) to its loss when generating (x = 1): flat when the two agree.
  const char* names[] = {"healthy", "trained without the causal mask", "healthy weights, positions off by one"};
  std::vector<workbook::Series> lines;
  for (std::size_t m = 0; m < losses.size(); ++m)
    lines.push_back({names[m], {0.0, 1.0}, {losses[m].training_path, losses[m].generation_path},
                     workbook::Series::Style::linespoints});
  auto p = workbook::xy_plot("Held-out loss of a character GPT, as trained and when generating",
                             "0: the path it was trained with, 1: the generation path",
                             "cross-entropy (nats per character)", lines);
  p.measured = true;
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Low loss, poor generation: three bugs told apart";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(A GPT reaches a low training loss and then generates poorly. Three architecture bugs can do that:
(1) the causal mask is missing, so a position sees the tokens after it; (2) positions are applied differently in
training and in generation; (3) the KV cache loses or corrupts what it stores. The grader holds four copies of one
GPT (random weights; 2 layers, width 32, vocabulary 65): a healthy one and one with each bug planted. It cannot hand
you the models (the channel runs one way), so it measures each and gives you the measurements (interface.hpp): the
training path's logits over a sequence of 40 tokens and over the same sequence with its last 10 tokens changed, and
the generation path's logits over that sequence, recomputed from scratch at every step and fed through its KV cache.
Write one test per bug: a function of those measurements that fires on its own bug and on no other, nor on the
healthy model. Comparing every table with every other is not enough: most differences show up under two bugs or three.
Two computations of the same logits in float agree to about 1e-6 of their size, not exactly.)";

  test_part(ex, "a", R"(Implement flags_missing_mask. The checks run it on the measurements of all four models, for 3
independent draws of weights and tokens (10 with --full, on a 4-layer model of width 128 and 120 tokens), and require
that it fire on the model without a mask and stay silent on the others.)",
            Fault::no_mask, arch13_10::flags_missing_mask,
            "What can the logits at position t depend on in a causal model, and which two tables differ only in what "
            "comes after some positions?");
  test_part(ex, "b", R"(Implement flags_position_mismatch, held to the same rule: it fires on the model whose generation
path applies positions differently from its training path, and on no other.)",
            Fault::positions, arch13_10::flags_position_mismatch,
            "Find two rows, one from each path, that are computed from exactly the same tokens at the same positions, "
            "so that a missing mask cannot make them differ.");
  test_part(ex, "c", R"(Implement flags_broken_cache, held to the same rule: it fires on the model whose KV cache drops
entries, and on no other.)",
            Fault::cache, arch13_10::flags_broken_cache,
            "Cached and recomputed generation agree in a healthy model. Do they agree in a model without the mask? "
            "(Exercise arch13/9.)");

  ex.part("d", 2, R"(Three lazy comparisons, each as the tests decide: a comparison "fires" when the two tables
differ by more than float's rounding anywhere. (1) training against generation_recomputed, every row; (2) training
against generation_cached, every row; (3) training against training_altered, every row. Give a 3 x 4 table, one row
per comparison in that order, one column per model in the order healthy, no mask, positions, cache: 1 where the
comparison fires, 0 where it does not (exactly). Assume the sequence is longer than the broken cache's capacity.)")
      .array_answer("d_lazy", "1 where the comparison fires, by comparison (rows) and model (columns)", {3, 4},
                    lazy_table, Precision::exact())
      .hint("Take one bug at a time and ask which rows of each table it can change: the training path, the "
            "generation path without the cache, or only the cached route.");

  ex.part("e", 3, R"(Explain the symptom and the tests. For each bug: why can training still reach a low loss, and
what goes wrong when the model generates? Figure `symptom` measures it on a small character GPT trained on tiny
Shakespeare, healthy and without its mask: the held-out loss through the path each model was trained with, and
through a generation path (the same weights predicting from the past alone, or, for the position bug, the healthy
weights with positions off by one). Then say why each of your tests separates its bug from the other two, and in
which order you would run them on a real model that misbehaves.)")
      .manual(3);
  ex.plot("symptom",
          "Held-out cross-entropy of a 2-layer character GPT on tiny Shakespeare, one line per model (healthy, "
          "trained without the causal mask, healthy weights with generation positions off by one), from the path "
          "it was trained with (x = 0) to the generation path (x = 1). Quick budget: width 32, 400 steps; --full: "
          "width 64, windows of 64 characters, 600 steps.",
          symptom_figure);
}
