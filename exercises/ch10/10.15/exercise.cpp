// 10.15: a KV cache for autoregressive generation. The student writes one step of cached causal attention for one
// layer: the new positions' queries, keys and values come in, the cache (a struct: state crosses as an argument,
// docs/model.md rule 3) is extended and sent back, and the new rows' attention over every cached position goes out.
// Expected values: rows of plain-loop causal attention over the whole sequence (workbook/oracle/attention.hpp), the
// cache as the concatenation of what it held and what came in.
//
// Then the student's step runs inside a model: the checks run the nn library's GPT token by token with the
// student's step in every block (nn::CachedAttentionCore, given to Gpt::forward_cached), in this exercise's own
// generation loop, and compare with full recomputation by the library's own attention (Gpt::logits on the whole
// prefix each step): the logits of every step, the greedy and the sampled tokens, and the cache's keys and values
// against the library's own cache. The counts of key/value projections are a closed form. The benchmark times the
// loop with and without the cache, both with the library's attention in this process, and the student's step
// through the channel separately; times are reported and drawn (figure `speed`), never asserted.

#include "ch10/10.15/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <tuple>

#include "nn/generate.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using ch10_15::Heads;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;

// ---- one step against the oracle ---------------------------------------------------------------------------

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

Heads rows(const Heads& h, std::size_t begin, std::size_t end) {
  return xt::view(h, xt::all(), xt::range(begin, end), xt::all());
}

// A whole sequence's queries, keys and values; a step sees positions [begin, end) as new, the earlier ones cached.
using Sequence = workbook::oracle::SlabInputs;

Sequence gaussian_sequence(std::size_t heads, std::size_t positions, std::size_t d, std::size_t d_v,
                           std::mt19937_64& rng) {
  return workbook::oracle::gaussian_attention_inputs(heads, heads, positions, positions, d, d_v, rng);
}

// What a step over the new positions [begin, end) must return: those rows of causal attention over the sequence.
Heads oracle_rows(const Sequence& s, std::size_t begin, std::size_t end) {
  const Heads k = rows(s.k, 0, end), v = rows(s.v, 0, end), q = rows(s.q, 0, end);
  Heads out = Heads::from_shape({q.shape(0), end - begin, v.shape(2)});
  const double scale = 1 / std::sqrt(double(q.shape(2)));
  for (std::size_t h = 0; h < q.shape(0); ++h)
    xt::view(out, h, xt::all(), xt::all()) =
        xt::view(workbook::oracle::attention(slab(q, h), slab(k, h), slab(v, h), scale, true), xt::range(begin, end), xt::all());
  return out;
}

CheckResult close_to(const xt::xarray<double>& actual, const xt::xarray<double>& expected) {
  return workbook::close(actual, expected, workbook::tolerance::float_at_scale(expected));
}

// The student's step over positions [begin, end) of s, the cache holding positions [0, begin).
struct Step {
  Heads out;
  ch10_15::KvCache cache;
};

Step student_step(const Sequence& s, std::size_t begin, std::size_t end) {
  ch10_15::KvCache cache{rows(s.k, 0, begin), rows(s.v, 0, begin)};
  auto out = ch10_15::cached_attention(rows(s.q, begin, end), rows(s.k, begin, end), rows(s.v, begin, end), cache);
  workbook::require_shape("cached_attention", out, {s.q.shape(0), end - begin, s.v.shape(2)});
  return {out, cache};
}

// The cache after the step: keys and values of positions [0, end), shape first, then values.
CheckResult cache_holds(const ch10_15::KvCache& cache, const Sequence& s, std::size_t end) {
  workbook::require_shape("cached_attention (cache.k)", cache.k, {s.k.shape(0), end, s.k.shape(2)});
  workbook::require_shape("cached_attention (cache.v)", cache.v, {s.v.shape(0), end, s.v.shape(2)});
  const Heads k = rows(s.k, 0, end), v = rows(s.v, 0, end);
  return close_to(xt::concatenate(xt::xtuple(xt::flatten(cache.k), xt::flatten(cache.v))),
                  xt::concatenate(xt::xtuple(xt::flatten(k), xt::flatten(v))));
}

// Inside a property: 1 to 3 heads, up to 8 positions of which the last 1 to 4 are new, d up to 5, d_v up to 4.
struct RandomStep {
  Sequence s;
  std::size_t begin, end;
};

RandomStep random_step() {
  const auto heads = *rc::gen::inRange<std::size_t>(1, 4);
  const auto end = *rc::gen::inRange<std::size_t>(1, 9);
  const auto n_new = *rc::gen::inRange<std::size_t>(1, std::min<std::size_t>(end, 4) + 1);
  const auto d = *rc::gen::inRange<std::size_t>(1, 6);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 5);
  auto rng = workbook::oracle::property_rng();
  return {gaussian_sequence(heads, end, d, d_v, rng), end - n_new, end};
}

// ---- the student's step inside the library's GPT --------------------------------------------------------------

// The library's (positions, heads * d) rows as the student's (heads, positions, d) slabs, and back.
Heads to_heads(const nn::Matrix<float>& x, std::size_t heads, std::size_t d) {
  if (x.size() == 0) return Heads::from_shape({heads, 0, d});  // an empty cache: length 0
  return xt::cast<double>(nn::split_heads(x, 1, heads));
}
nn::Matrix<float> to_rows(const Heads& h) { return nn::merge_heads(xt::xtensor<float, 3>(xt::cast<float>(h)), 1); }

// Every block's cached attention is the student's step: the layer's cache goes out as the student's struct and
// what comes back, once its shapes are what the interface promises, is the layer's cache from then on.
nn::CachedAttentionCore<float> student_attention() {
  nn::CachedAttentionCore<float> core;
  core.step = [](const nn::Matrix<float>& q, const nn::Matrix<float>& k, const nn::Matrix<float>& v,
                 nn::KvCacheLayer<float>& layer, const nn::AttentionShape& s) {
    const std::size_t heads = s.n_head, d = s.head_dim, total = s.q_offset + q.shape(0);
    ch10_15::KvCache cache{to_heads(layer.k, heads, d), to_heads(layer.v, heads, d)};
    const Heads out = ch10_15::cached_attention(to_heads(q, heads, d), to_heads(k, heads, d), to_heads(v, heads, d), cache);
    workbook::require_shape("cached_attention", out, {heads, q.shape(0), d});
    workbook::require_shape("cached_attention (cache.k)", cache.k, {heads, total, d});
    workbook::require_shape("cached_attention (cache.v)", cache.v, {heads, total, d});
    layer.k = to_rows(cache.k);
    layer.v = to_rows(cache.v);
    return to_rows(out);
  };
  return core;
}

// How each step's logits are computed: the whole prefix again, or only the new tokens through a KV cache whose
// attention is the library's or the student's.
enum class Route { recomputed, library_cache, student_cache };

struct Generation {
  nn::Tokens tokens;               // the prompt, then the new tokens
  xt::xtensor<double, 2> logits;   // (new tokens, vocab): the logits each new token was drawn from
  std::vector<double> seconds;     // wall-clock since the start, after each new token
  nn::KvCache<float> cache;        // the cached routes' cache at the end
};

// The exercise's generation loop: the seed's generate function. The prompt goes through in one call, then every
// drawn token is fed back; the sampler and its random stream are the same on every route.
Generation generate(const nn::Gpt<float>& model, const nn::Tokens& prompt, std::size_t n_new,
                    const nn::Sampling& sampling, std::uint64_t seed, Route route) {
  const auto attention = student_attention();
  const std::size_t vocab = model.config().vocab_size;
  Generation g{prompt, xt::zeros<double>({n_new, vocab}), {}, {}};
  std::mt19937_64 rng(seed);
  nn::Tokens feed = prompt;  // what the cache has not seen yet
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n_new; ++i) {
    const nn::Matrix<float> logits =
        route == Route::recomputed
            ? model.logits(g.tokens)
            : model.forward_cached(feed, g.cache, route == Route::student_cache ? &attention : nullptr);
    const float* last = &logits(logits.shape(0) - 1, 0);
    std::copy(last, last + vocab, &g.logits(i, 0));
    g.tokens.push_back(nn::draw(nn::next_token_distribution(last, vocab, sampling), rng));
    feed = {g.tokens.back()};
    g.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return g;
}

// The checks' model: 2 layers of width 32 with 4 heads of 8 dimensions, a 16-token prompt and 100 new tokens.
// Random weights at GPT-2's scale give near-uniform attention and next-token distributions, where a wrong step
// would hardly move a token; the query/key/value projections are drawn 10 times wider (sharp attention, strong
// values) and the untied LM head 20 times (a peaked next-token distribution).
constexpr std::size_t prompt_length = 16, new_tokens = 100;

nn::GptConfig gpt_config(std::size_t layers, std::size_t width, std::size_t context) {
  nn::GptConfig config;
  config.vocab_size = 65;
  config.context = context;
  config.n_layer = layers;
  config.n_head = 4;
  config.n_embd = width;
  config.tie_weights = false;
  return config;
}

nn::Gpt<float> random_gpt(const nn::GptConfig& config, std::uint64_t seed) {
  nn::Gpt<float> model(config, seed);
  for (const auto& p : model.parameters()) {
    const bool qkv = p.name.find("attn.c_attn.weight") != std::string::npos, head = p.name == "lm_head.weight";
    if (qkv || head) std::for_each(p.value, p.value + p.size, [&](float& w) { w *= qkv ? 10.0f : 20.0f; });
  }
  return model;
}

nn::Gpt<float> checks_model(const Context& ctx) {
  return random_gpt(gpt_config(2, 32, prompt_length + new_tokens), ctx.seed_for("b-model"));
}

nn::Tokens random_prompt(const Context& ctx) {
  auto rng = ctx.rng("b-prompt");
  nn::Tokens prompt(prompt_length);
  for (auto& t : prompt) t = std::uniform_int_distribution<int>(0, 64)(rng);
  return prompt;
}

nn::Sampling greedy() { return {true}; }
nn::Sampling temperature() { return {false, 0.8}; }

Generation run(const Context& ctx, const nn::Sampling& sampling, Route route) {
  return generate(checks_model(ctx), random_prompt(ctx), new_tokens, sampling, ctx.seed_for("b-sampler"), route);
}

std::vector<std::int64_t> new_part(const nn::Tokens& tokens) { return {tokens.begin() + prompt_length, tokens.end()}; }

// Every step's logits against the library's forward over the same tokens at once: row t of a causal model's
// logits depends on tokens 0..t only, so the row that predicted new token i is what recomputing that prefix gives.
CheckResult logits_match(const Context& ctx) {
  const auto model = checks_model(ctx);
  const auto g = run(ctx, greedy(), Route::student_cache);
  const nn::Tokens fed(g.tokens.begin(), g.tokens.end() - 1);
  const xt::xarray<double> all = xt::cast<double>(model.logits(fed));
  const xt::xarray<double> expected = xt::view(all, xt::range(prompt_length - 1, fed.size()), xt::all());
  // float through the model on both routes: the logits agree to float's rounding of their size.
  return workbook::close(xt::xarray<double>(g.logits), expected,
                         workbook::tolerance::float_sums(10 * workbook::tolerance::largest_magnitude(expected)));
}

// The cache left by the student's steps against the library's own cache after the same tokens.
CheckResult cache_matches(const Context& ctx) {
  const auto model = checks_model(ctx);
  const auto g = run(ctx, greedy(), Route::student_cache);
  nn::KvCache<float> library;
  model.forward_cached(nn::Tokens(g.tokens.begin(), g.tokens.end() - 1), library);
  xt::xarray<double> actual = xt::zeros<double>({0}), expected = xt::zeros<double>({0});
  for (std::size_t l = 0; l < library.layers.size(); ++l)
    for (const auto& [mine, theirs] : {std::pair{&g.cache.layers[l].k, &library.layers[l].k},
                                       std::pair{&g.cache.layers[l].v, &library.layers[l].v}}) {
      workbook::require_shape("the cache after generation", *mine, {theirs->shape(0), theirs->shape(1)});
      const xt::xarray<double> a = xt::cast<double>(*mine), e = xt::cast<double>(*theirs);
      actual = xt::concatenate(xt::xtuple(actual, xt::flatten(a)));
      expected = xt::concatenate(xt::xtuple(expected, xt::flatten(e)));
    }
  return close_to(actual, expected);
}

CheckResult same_tokens(const Context& ctx, const nn::Sampling& sampling) {
  return workbook::equal(new_part(run(ctx, sampling, Route::student_cache).tokens),
                         new_part(run(ctx, sampling, Route::recomputed).tokens));
}

// ---- the benchmark ---------------------------------------------------------------------------------------------

// Quick: the checks' model, 100 new tokens. Full: the char GPT shape of bench/generate_kv.cpp (4 layers, 4 heads,
// width 128), 500 new tokens. Each route 3 times, the median at every length.
struct Bench {
  std::size_t layers, width, n_new, repeats;
};
Bench bench_for(const Context& ctx) { return ctx.full() ? Bench{4, 128, 500, 3} : Bench{2, 32, new_tokens, 3}; }

nn::Gpt<float> bench_model(const Context& ctx) {
  const auto b = bench_for(ctx);
  return random_gpt(gpt_config(b.layers, b.width, prompt_length + b.n_new), ctx.seed_for("c-model"));
}

std::vector<double> median_seconds(const std::vector<std::vector<double>>& runs) {
  std::vector<double> out;
  for (std::size_t i = 0; i < runs.front().size(); ++i) {
    std::vector<double> at;
    for (const auto& r : runs) at.push_back(r[i]);
    std::sort(at.begin(), at.end());
    out.push_back(at[at.size() / 2]);
  }
  return out;
}

struct LibraryTimes {
  std::vector<double> cached, recomputed;  // seconds after each new token
};

// The two library routes (greedy), in this process: cached per (seed, budget), since the figure reads them too.
// Nothing of the solution runs here.
const LibraryTimes& library_times(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, LibraryTimes> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto b = bench_for(ctx);
  const auto model = bench_model(ctx);
  const auto prompt = random_prompt(ctx);
  for (const auto route : {Route::library_cache, Route::recomputed})  // warm-up: threads started, memory touched
    generate(model, prompt, 10, greedy(), 1, route);
  std::vector<std::vector<double>> cached, recomputed;
  for (std::size_t r = 0; r < b.repeats; ++r)
    for (auto [route, out, name] : {std::tuple{Route::library_cache, &cached, "KV cache"},
                                    std::tuple{Route::recomputed, &recomputed, "recomputed"}}) {
      out->push_back(generate(model, prompt, b.n_new, greedy(), 1, route).seconds);
      if (ctx.full())  // a minute or so: say where the run is
        std::cerr << "run " << r + 1 << "/" << b.repeats << ", " << name << ": " << b.n_new << " tokens in "
                  << out->back().back() << " s\n";
    }
  return cache[key] = {median_seconds(cached), median_seconds(recomputed)};
}

// The student's step through the channel, 100 new tokens on the benchmark's model: timed afresh on every call,
// since it depends on the solution.
std::vector<double> student_seconds(const Context& ctx) {
  const auto model = bench_model(ctx);
  generate(model, random_prompt(ctx), 10, greedy(), 1, Route::student_cache);  // warm-up
  return generate(model, random_prompt(ctx), new_tokens, greedy(), 1, Route::student_cache).seconds;
}

std::vector<std::size_t> report_lengths(const Context& ctx) {
  if (ctx.full()) return {25, 50, 100, 200, 300, 400, 500};
  return {25, 50, 100};
}

nlohmann::json timing_table(const Context& ctx, const std::vector<double>& student) {
  const auto& t = library_times(ctx);
  nlohmann::json table = nlohmann::json::array();
  for (const std::size_t n : report_lengths(ctx)) {
    nlohmann::json row{{"new tokens", n}, {"cached ms (library)", 1e3 * t.cached[n - 1]},
                       {"recomputed ms (library)", 1e3 * t.recomputed[n - 1]},
                       {"speedup", t.recomputed[n - 1] / t.cached[n - 1]}};
    if (n <= student.size()) row["cached ms (your step, channel)"] = 1e3 * student[n - 1];
    table.push_back(row);
  }
  return table;
}

// ---- parts -------------------------------------------------------------------------------------------------

// Positions whose key and value one layer projects while generating n tokens after a prompt of p: recomputing,
// step i runs the model over the p + i tokens so far (i = 0 .. n - 1); with the cache the prompt goes through
// once, then every new token but the last.
constexpr std::int64_t count_prompt = 16, count_new = 100;
constexpr std::int64_t projections_recomputed(std::int64_t p, std::int64_t n) { return n * p + n * (n - 1) / 2; }
constexpr std::int64_t projections_cached(std::int64_t p, std::int64_t n) { return p + n - 1; }

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 5, R"(Implement cached_attention: append the new keys and values to the cache, then let every
new query attend over all the cached positions up to its own (a new row sees itself and the new rows before it, not
those after it). The checks compare your output with the matching rows of plain-loop causal attention over the whole
sequence, and your returned cache with what it held followed by what came in, within float's rounding (1e-5 relative,
plus 1e-5 of the largest expected entry absolute).)");
  a.check("prompt, empty cache", CheckKind::close,
          "3 heads, 5 new positions into an empty cache (d = 4, d_v = 3): the output against causal attention over "
          "the 5 positions",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-prompt");
            const auto s = gaussian_sequence(3, 5, 4, 3, rng);
            return close_to(student_step(s, 0, 5).out, oracle_rows(s, 0, 5));
          });
  a.check("one new token", CheckKind::close,
          "3 heads, 6 cached positions and 1 new one (d = 4, d_v = 3): the output against the last row of causal "
          "attention over the 7 positions",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-one");
            const auto s = gaussian_sequence(3, 7, 4, 3, rng);
            return close_to(student_step(s, 6, 7).out, oracle_rows(s, 6, 7));
          });
  a.check("new rows after a cache", CheckKind::close,
          "2 heads, 4 cached positions and 3 new ones (d = 5, d_v = 2): the output against the last 3 rows of causal "
          "attention over the 7 positions",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-chunk");
            const auto s = gaussian_sequence(2, 7, 5, 2, rng);
            return close_to(student_step(s, 4, 7).out, oracle_rows(s, 4, 7));
          });
  a.check("the cache grows", CheckKind::close,
          "after the call with 4 cached positions and 3 new ones, the returned cache's keys and values are the 4 old "
          "rows followed by the 3 new ones, head by head (shapes first)",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-chunk");
            const auto s = gaussian_sequence(2, 7, 5, 2, rng);
            return cache_holds(student_step(s, 4, 7).cache, s, 7);
          });
  a.check("any step", CheckKind::property,
          "for 1 to 3 heads, up to 8 positions of which the last 1 to 4 are new, d up to 5 and d_v up to 4: the output "
          "against causal attention and the cache against the old rows followed by the new",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-any"), [] {
              const auto r = random_step();
              const auto step = student_step(r.s, r.begin, r.end);
              RC_ASSERT(close_to(step.out, oracle_rows(r.s, r.begin, r.end)).status == workbook::Status::pass);
              RC_ASSERT(cache_holds(step.cache, r.s, r.end).status == workbook::Status::pass);
            });
          });
  a.check("token by token", CheckKind::property,
          "a sequence of up to 8 positions fed through your function in chunks of random sizes, the cache carried from "
          "call to call starting empty: the outputs, put together, against causal attention over the whole sequence",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("a-chunks"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(1, 9);
              auto rng = workbook::oracle::property_rng();
              const auto s = gaussian_sequence(2, n, 3, 2, rng);
              ch10_15::KvCache cache{rows(s.k, 0, 0), rows(s.v, 0, 0)};
              Heads out = Heads::from_shape({2, 0, 2});
              for (std::size_t begin = 0; begin < n;) {
                const auto end = begin + *rc::gen::inRange<std::size_t>(1, n - begin + 1);
                const Heads step = ch10_15::cached_attention(rows(s.q, begin, end), rows(s.k, begin, end),
                                                             rows(s.v, begin, end), cache);
                workbook::require_shape("cached_attention", step, {2, end - begin, 2});
                out = xt::concatenate(xt::xtuple(out, step), 1);
                begin = end;
              }
              RC_ASSERT(close_to(out, oracle_rows(s, 0, n)).status == workbook::Status::pass);
            });
          });
  a.hint("Extend the cache first and attend second: the new key of row i must be among the keys row i sees. Row i of "
         "the new queries sits at position length + i, so it sees cache rows 0 .. length + i.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 5, R"(Generation with your cache. The exercise runs the nn library's GPT (2 layers, 4 heads of 8
dimensions, random weights) with your cached_attention in every block: a prompt of 16 tokens goes through in one
call, then each drawn token is fed back alone, 100 new tokens in all, greedy or sampled at temperature 0.8 from a
fixed random stream. The reference is recomputation: the library's own attention over the whole prefix at every
step, with the same sampler and the same stream. The checks compare the logits of every step, the tokens, and the
cache your steps leave behind with the library's own cache after the same tokens.)")
      .check("logits at every step", CheckKind::close,
             "the 100 rows of logits the greedy tokens were drawn from, against the library's forward over the same "
             "tokens (float's rounding of the logits' size)",
             logits_match)
      .check("greedy tokens", CheckKind::equal,
             "the 100 greedy tokens with your cache against those of recomputation", [](const Context& ctx) {
               return same_tokens(ctx, greedy());
             })
      .check("sampled tokens", CheckKind::equal,
             "the 100 tokens sampled at temperature 0.8 with your cache against those of recomputation, same random "
             "stream",
             [](const Context& ctx) { return same_tokens(ctx, temperature()); })
      .check("the cache after generation", CheckKind::close,
             "every layer's cached keys and values at the end of the greedy run against the library's own cache "
             "after the same tokens (shapes first)",
             cache_matches);
}

void part_c(workbook::Exercise& ex) {
  auto& c1 = ex.part("c1", 2, R"(Count the work the cache saves. One layer projects a key and a value for every
position the model is run over. Generating 100 new tokens after a prompt of 16 as the exercise's loop does, how many
positions' keys and values does one layer project in total (i) when every step recomputes the whole prefix, and
(ii) with the cache, where the prompt goes through once and then each new token is fed once it is drawn (the last one
is never fed)? Give whole numbers (exact).)");
  c1.integer_answer("c_recomputed", "key/value projections of one layer, recomputing every step",
                    projections_recomputed(count_prompt, count_new), "positions");
  c1.integer_answer("c_cached", "key/value projections of one layer, with the cache",
                    projections_cached(count_prompt, count_new), "positions");
  c1.hint("Recomputing, the step that draws new token i runs over every token before it; sum that over the 100 "
          "steps.");

  ex.part("c2", 1, R"(Benchmark the two ways. The exercise times its loop generating 100 greedy tokens with the cache
and with recomputation, both with the library's own attention in this process, so that the comparison is like with
like; it also times the loop with your step, where every call crosses the channel with the cache, as a separate
line. With --full the model is the size of a small character GPT (4 layers, width 128) and the loop runs to 500 new
tokens (figure `speed`). What speedup do you observe for 100 tokens, how does it change with the number of generated
tokens, and why is it smaller than the ratio of your two counts in (c1)?)")
      .check("measured", CheckKind::property,
             "reports the time to generate 25, 50 and 100 tokens (more with --full) with and without the cache and "
             "with your step (asserts only that the times came back finite and positive)",
             [](const Context& ctx) {
               const auto student = student_seconds(ctx);
               const auto table = timing_table(ctx, student);
               bool positive = !student.empty();
               for (const double s : student) positive = positive && std::isfinite(s) && s > 0;
               return workbook::holds(positive, table, "a time is not a finite positive number");
             })
      .manual(2);
}

// ---- figure ------------------------------------------------------------------------------------------------

workbook::Plot speed_figure(const Context& ctx) {
  const auto& t = library_times(ctx);
  const auto student = student_seconds(ctx);
  const std::size_t every = ctx.full() ? 25 : 10;
  workbook::Series cached{"KV cache (library attention)", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series recomputed{"recomputed (library attention)", {}, {}, workbook::Series::Style::linespoints};
  workbook::Series yours{"KV cache, your step through the channel", {}, {}, workbook::Series::Style::linespoints};
  for (std::size_t n = every; n <= t.cached.size(); n += every) {
    cached.x.push_back(double(n)), cached.y.push_back(1e3 * t.cached[n - 1]);
    recomputed.x.push_back(double(n)), recomputed.y.push_back(1e3 * t.recomputed[n - 1]);
    if (n <= student.size()) yours.x.push_back(double(n)), yours.y.push_back(1e3 * student[n - 1]);
  }
  auto p = workbook::xy_plot("Time to generate n tokens after a 16-token prompt", "new tokens n",
                             "milliseconds", {cached, recomputed, yours});
  p.logy = true;  // the cached route is two orders of magnitude below recomputation at 500 tokens
  p.measured = true;
  return p;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "KV caching for autoregressive generation";
  ex.stars = 3;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A decoder generates one token at a time, and the keys and values of the positions it has already
seen do not change when a token is appended: causal attention never lets an earlier position look at a later one.
A KV cache keeps them, per layer and head, so that each step projects only the new token and attends with its one
query over the stored keys. Part (a) asks for that step of one layer, with the cache as an argument your function
extends; part (b) puts it into every block of a GPT and checks that generation with it draws the very tokens that
full recomputation draws; part (c) counts and times what the cache saves. Your step works in double on the heads of
one sequence; the model around it computes in float.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("speed",
          "Wall-clock time to generate n new tokens (greedy) after a 16-token prompt, with the KV cache and with "
          "recomputation, both with the library's attention in the grader's process, and with your step through the "
          "channel (to 100 tokens). Quick budget: the checks' 2-layer model; --full: 4 layers of width 128, to 500 "
          "tokens.",
          speed_figure);
}
