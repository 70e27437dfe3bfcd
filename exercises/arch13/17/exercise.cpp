// arch13/17: generation with a KV cache over the whole model, against recomputation. The student writes both
// generators around the library's block (which appends to a cache and attends when given one; ch10/10.15 was that
// step). Expected values: the nn library's own greedy generation without a cache (nn::generate, which recomputes
// every step) for the tokens; the student's two generators agreeing for random prompts; closed forms for the count
// of key/value rows each computes. Timings are measured on the grader's side of the channel, reported and plotted,
// never asserted.

#include "arch13/17/interface.hpp"

#include <chrono>
#include <iostream>
#include <map>

#include "nn/generate.hpp"
#include "nn/gpt.hpp"
#include "nn/gpt2_fields.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/plot.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;

constexpr std::size_t vocab = 50, width = 32, heads = 4, layers = 2, prompt_length = 8;

struct Setup {
  nn::Gpt<double> model;
  arch13_17::Model view;
};

Setup setup(const Context& ctx, std::size_t context) {
  auto rng = ctx.rng("model");
  nn::GptConfig c;
  c.vocab_size = vocab, c.context = context, c.n_layer = layers, c.n_head = heads, c.n_embd = width;
  Setup s{nn::Gpt<double>(c, rng()), {}};
  // At unit effect, so that greedy tokens vary along the sequence instead of repeating one token.
  nn::redraw_at_unit_effect(s.model.parameters(), rng);
  s.view = nn::gpt2_fields<arch13_17::Model>(s.model.parameters(), layers, heads);
  return s;
}

std::vector<int> random_prompt(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(vocab) - 1);
  std::vector<int> out(prompt_length);
  for (auto& t : out) t = token(rng);
  return out;
}

std::vector<std::int64_t> as_ints(const std::vector<int>& tokens) { return {tokens.begin(), tokens.end()}; }

std::vector<int> library_tokens(const Setup& s, const std::vector<int>& prompt, std::size_t n_new) {
  nn::Sampling greedy;
  greedy.greedy = true;
  const auto all = nn::generate(s.model, prompt, n_new, greedy, 0, false);
  return {all.end() - std::ptrdiff_t(n_new), all.end()};
}

CheckResult matches_library(const Context& ctx, std::size_t n_new, bool cached) {
  const auto s = setup(ctx, 128);
  auto rng = ctx.rng("prompt");
  const auto prompt = random_prompt(rng);
  const auto mine = cached ? arch13_17::generate_cached(s.view, prompt, n_new)
                           : arch13_17::generate_recomputing(s.view, prompt, n_new);
  return workbook::equal(as_ints(mine), as_ints(library_tokens(s, prompt, n_new)));
}

// ---- timing ----------------------------------------------------------------------------------------------------

struct Timing {
  std::vector<double> lengths, recomputing, cached;  // seconds per call, best of three
};

template <class F>
double best_of_three(F f) {
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

const Timing& timing(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Timing> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const std::vector<std::size_t> lengths =
      ctx.full() ? std::vector<std::size_t>{25, 50, 100, 200, 300, 500} : std::vector<std::size_t>{25, 50, 100};
  const auto s = setup(ctx, 512);
  auto rng = ctx.rng("timing-prompt");
  const auto prompt = random_prompt(rng);
  Timing t;
  for (const auto n : lengths) {
    t.lengths.push_back(double(n));
    t.recomputing.push_back(best_of_three([&] { arch13_17::generate_recomputing(s.view, prompt, n); }));
    t.cached.push_back(best_of_three([&] { arch13_17::generate_cached(s.view, prompt, n); }));
    if (ctx.full())  // minutes at the longest lengths: say where the run is
      std::cerr << "[" << t.lengths.size() << "/" << lengths.size() << "] " << n << " new tokens: recomputing "
                << t.recomputing.back() << " s, cached " << t.cached.back() << " s\n";
  }
  return cache[key] = t;
}

workbook::Plot speed_figure(const Context& ctx) {
  const auto& t = timing(ctx);
  std::vector<double> speedup;
  for (std::size_t i = 0; i < t.lengths.size(); ++i) speedup.push_back(t.recomputing[i] / t.cached[i]);
  auto plot = workbook::xy_plot("Your generators: recomputation over the cache", "new tokens",
                                "time ratio (recomputing / cached)",
                                {{"speedup", t.lengths, speedup, workbook::Series::Style::linespoints}});
  plot.measured = true;
  return plot;
}

// Key and value rows one block computes to generate n_new tokens after a prompt of p (closed forms): the cache
// computes each position once; recomputation computes p + k positions at step k = 0 .. n_new - 1.
constexpr std::int64_t rows_cached(std::int64_t p, std::int64_t n) { return p + n - 1; }
constexpr std::int64_t rows_recomputing(std::int64_t p, std::int64_t n) { return n * p + n * (n - 1) / 2; }

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement generate_recomputing. The exercise fills your model struct with a random GPT (2 blocks,
4 heads, width 32, vocabulary 50) and compares your greedy tokens with the library's own generation of the same
model.)")
      .check("20 tokens", CheckKind::equal, "20 greedy tokens after a random 8-token prompt, against the library's",
             [](const Context& ctx) { return matches_library(ctx, 20, false); })
      .hint("Row t of the input is wte[token t] + wpe[t]; the next token is read from the last row only.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 4, R"(Implement generate_cached: the prompt once, then one token per step through the caches. It must
give exactly the tokens recomputation gives.)")
      .check("100 tokens", CheckKind::equal, "100 greedy tokens after a random 8-token prompt, against the library's",
             [](const Context& ctx) { return matches_library(ctx, 100, true); })
      .check("same as recomputing", CheckKind::property,
             "for random prompts and 1 to 40 new tokens, your two generators give the same tokens",
             [](const Context& ctx) {
               const auto s = setup(ctx, 128);
               return workbook::property(ctx.seed_for("b-property"), [&s] {
                 auto rng = workbook::oracle::property_rng();
                 const auto prompt = random_prompt(rng);
                 const auto n = *rc::gen::inRange<std::size_t>(1, 41);
                 RC_ASSERT(arch13_17::generate_cached(s.view, prompt, n) ==
                           arch13_17::generate_recomputing(s.view, prompt, n));
               });
             })
      .hint("The new token sits at position (prompt length + tokens generated so far - 1): its position row, and the "
            "layout's offset, must say so.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Count the work. To generate 100 tokens after an 8-token prompt, how many key/value rows does one
block compute with the cache, and how many by recomputation? (The last generated token is never fed back.) Exact
integers. Figure `speed` plots the time ratio of your two generators against the number of new tokens: say how it
should grow and whether it does.)")
      .integer_answer("c_cached", "key/value rows per block, cached", rows_cached(prompt_length, 100))
      .integer_answer("c_recomputing", "key/value rows per block, recomputing", rows_recomputing(prompt_length, 100))
      .manual(1);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A KV cache for the whole model, against recomputation";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(Generating token by token, a model without a cache runs the whole sequence again at every step,
although the keys and values of every earlier position are what they were. Keep them: one cache per block, filled
by the prompt, then one new row per step. The kit's block does the appending and attending when you hand it a cache;
what is yours is the model around it: the caches, the positions and the step. The checks require the exact tokens of
recomputation; the figure shows what the cache buys.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("speed", "Time of your recomputing generator over your cached one, against the number of new tokens "
                   "(best of three runs each, measured by the grader, including the channel).",
          speed_figure);
}
