// 13.25: greedy speculative decoding. The student writes the loop (draft proposes, target verifies in one forward,
// keep the agreeing prefix and the target's own next token) on the kit's GPT, whose tensors cross the channel.
// Expected values: the library's greedy generation of the target alone (nn::generate) for the tokens, on random
// models (the equality is exact whatever the models, so no training is needed); the library's speculative decoding
// (nn::speculative_generate, trusted side only) for the counts; closed forms for the counts when the draft is the
// target itself and for the part (c) arithmetic. The experiment trains a 1-layer draft and a 4-layer target on tiny
// Shakespeare; its throughput is measured on the grader's side of the channel, reported and plotted, never asserted.

#include "ch13/13.25/interface.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "nn/char_tokenizer.hpp"
#include "nn/data_loader.hpp"
#include "nn/generate.hpp"
#include "nn/gpt.hpp"
#include "nn/gpt2_fields.hpp"
#include "nn/shipped_data.hpp"
#include "nn/trainer.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/plot.hpp"
#include "workbook/precision.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;

// ---- models on both sides of the channel -------------------------------------------------------------------

struct Pair {  // the same GPT as the library's model (trusted side) and as the tensors the student receives
  nn::Gpt<double> model;
  ch13_25::Model tensors;
};

nn::GptConfig chapter_config(std::size_t vocab, std::size_t context, std::size_t layers, std::size_t heads,
                             std::size_t width) {
  nn::GptConfig c;
  c.vocab_size = vocab, c.context = context, c.n_layer = layers, c.n_head = heads, c.n_embd = width;
  c.position = nn::PositionKind::sinusoidal;
  c.tie_weights = false;
  return c;
}

ch13_25::Model tensors_of(nn::Gpt<double>& model) {
  const auto& c = model.config();
  ch13_25::Model m{c.vocab_size, c.context, c.n_layer, c.n_head, c.n_embd, {}};
  for (const auto& p : model.parameters())
    m.parameters.push_back({p.name, p.shape, std::vector<double>(p.value, p.value + p.size)});
  return m;
}

Pair paired(nn::Gpt<double> model) {
  auto tensors = tensors_of(model);
  return {std::move(model), std::move(tensors)};
}

// Random models for the checks: vocabulary 24, context 40, width 16. Redrawn at unit effect, with query, key and
// value projections 3 times wider (attention that prefers some positions), so that greedy tokens vary along the
// sequence; at GPT-2's initialisation, or at plain unit effect, a random model mostly repeats one token.
constexpr std::size_t vocab = 24, context = 40;

Pair random_model(std::size_t layers, std::mt19937_64& rng) {
  nn::Gpt<double> model(chapter_config(vocab, context, layers, 2, 16), rng());
  nn::redraw_at_unit_effect(model.parameters(), rng);
  for (const auto& p : model.parameters())
    if (p.name.ends_with("attn.c_attn.weight"))
      for (std::size_t i = 0; i < p.size; ++i) p.value[i] *= 3;
  return paired(std::move(model));
}

// A 4-layer draft close to the target: its every parameter moved by `noise` times the parameter's typical size,
// so that it agrees with the target on most tokens, not all (the draft checks then see every kind of round).
Pair nudged_copy(const Pair& target, double noise, std::mt19937_64& rng) {
  nn::Gpt<double> model = target.model;
  std::normal_distribution<double> normal(0, 1);
  for (const auto& p : model.parameters()) {
    double size = 0;
    for (std::size_t i = 0; i < p.size; ++i) size += p.value[i] * p.value[i];
    size = std::sqrt(size / double(p.size));
    for (std::size_t i = 0; i < p.size; ++i) p.value[i] += noise * size * normal(rng);
  }
  return paired(std::move(model));
}

enum class DraftKind { random_one_layer, nudged, the_target };

struct Models {
  Pair target, draft;
};

Models models(DraftKind kind, std::mt19937_64& rng) {
  Pair target = random_model(4, rng);
  Pair draft = kind == DraftKind::random_one_layer ? random_model(1, rng)
               : kind == DraftKind::nudged         ? nudged_copy(target, 0.15, rng)
                                                   : target;
  return {std::move(target), std::move(draft)};
}

std::vector<int> random_prompt(std::size_t length, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(vocab) - 1);
  std::vector<int> out(length);
  for (auto& t : out) t = token(rng);
  return out;
}

// ---- expected values ---------------------------------------------------------------------------------------

nn::Sampling greedy() {
  nn::Sampling s;
  s.greedy = true;
  return s;
}

std::vector<std::int64_t> new_tokens(const nn::Tokens& all, std::size_t n_new) {
  return {all.end() - std::ptrdiff_t(n_new), all.end()};
}

// The target alone: the library's greedy generation, recomputing every step.
std::vector<std::int64_t> target_alone(const Models& m, const std::vector<int>& prompt, std::size_t n_new) {
  return new_tokens(nn::generate(m.target.model, prompt, n_new, greedy(), 0, false), n_new);
}

std::vector<std::int64_t> library_counts(const Models& m, const std::vector<int>& prompt, std::size_t n_new,
                                         std::size_t k) {
  nn::SpeculativeStats stats;
  nn::speculative_generate(m.target.model, m.draft.model, prompt, n_new, k, greedy(), 0, &stats);
  return {std::int64_t(stats.proposed), std::int64_t(stats.accepted), std::int64_t(stats.target_calls)};
}

// With the target as its own draft every proposal is accepted: a round yields k + 1 tokens (k agreed and the bonus)
// except a last round of at most k missing tokens, which yields them without a bonus.
std::vector<std::int64_t> counts_when_draft_is_target(std::int64_t n_new, std::int64_t k) {
  const std::int64_t forwards = (n_new + k) / (k + 1), bonuses = n_new / (k + 1);
  return {n_new - bonuses, n_new - bonuses, forwards};
}

// ---- the student's loop ------------------------------------------------------------------------------------

ch13_25::Speculation speculate(const Models& m, const std::vector<int>& prompt, std::size_t n_new, std::size_t k) {
  auto out = ch13_25::speculative_greedy(m.target.tensors, m.draft.tensors, prompt, n_new, k);
  if (out.tokens.size() != n_new)
    throw std::runtime_error("speculative_greedy returned " + std::to_string(out.tokens.size()) + " tokens for " +
                             std::to_string(n_new) + " asked");
  return out;
}

std::vector<std::int64_t> as_ints(const std::vector<int>& tokens) { return {tokens.begin(), tokens.end()}; }

std::vector<std::int64_t> counts_of(const ch13_25::Speculation& s) {
  return {std::int64_t(s.proposed), std::int64_t(s.accepted), std::int64_t(s.target_forwards)};
}

struct Case {
  DraftKind draft;
  std::size_t prompt_length, n_new, k;
};

CheckResult tokens_match(const Context& ctx, const std::string& stream, const Case& c) {
  auto rng = ctx.rng(stream);
  const auto m = models(c.draft, rng);
  const auto prompt = random_prompt(c.prompt_length, rng);
  return workbook::equal(as_ints(speculate(m, prompt, c.n_new, c.k).tokens), target_alone(m, prompt, c.n_new));
}

// Inside a property: a random draft kind, prompt, length (up to the context's end) and k.
Case random_case() {
  const auto kind = *rc::gen::element(DraftKind::random_one_layer, DraftKind::nudged, DraftKind::the_target);
  const auto prompt_length = *rc::gen::inRange<std::size_t>(1, 9);
  const auto n_new = *rc::gen::inRange<std::size_t>(1, context - prompt_length + 1);
  const auto k = *rc::gen::inRange<std::size_t>(1, 9);
  return {kind, prompt_length, n_new, k};
}

void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 4, R"(Implement speculative_greedy, and greedy_generate (the target alone, which figure
`speculation` times your loop against). The checks use untrained random GPTs of vocabulary 24 and
context 40: a 4-layer target and, as the draft, an unrelated 1-layer model (which seldom agrees), a slightly
perturbed copy of the target (which mostly agrees) or the target itself (which always agrees). Whatever the draft,
your tokens must be exactly those of the target's own greedy generation (the library's, recomputing every step).)");
  a.check("unrelated draft", CheckKind::equal, "30 tokens, k = 4, an unrelated 1-layer draft, against the target alone",
          [](const Context& ctx) { return tokens_match(ctx, "a-unrelated", {DraftKind::random_one_layer, 6, 30, 4}); })
      .check("target alone", CheckKind::equal, "greedy_generate: 30 tokens of the target, against the library's",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-alone");
               const auto m = models(DraftKind::random_one_layer, rng);
               const auto prompt = random_prompt(6, rng);
               return workbook::equal(as_ints(ch13_25::greedy_generate(m.target.tensors, prompt, 30)),
                                      target_alone(m, prompt, 30));
             })
      .check("close draft", CheckKind::equal, "30 tokens, k = 4, a perturbed copy of the target as draft",
             [](const Context& ctx) { return tokens_match(ctx, "a-close", {DraftKind::nudged, 6, 30, 4}); })
      .check("context's end", CheckKind::equal,
             "prompt and new tokens filling the whole context, k = 8, a perturbed copy of the target as draft",
             [](const Context& ctx) { return tokens_match(ctx, "a-end", {DraftKind::nudged, 5, context - 5, 8}); })
      .check("any draft, length and k", CheckKind::property,
             "for random drafts of the three kinds, prompts of 1 to 8 tokens, 1 to the context's end new tokens and "
             "k from 1 to 8, the target's own greedy tokens",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-property"), [] {
                 const auto c = random_case();
                 auto rng = workbook::oracle::property_rng();
                 const auto m = models(c.draft, rng);
                 const auto prompt = random_prompt(c.prompt_length, rng);
                 RC_ASSERT(as_ints(speculate(m, prompt, c.n_new, c.k).tokens) == target_alone(m, prompt, c.n_new));
               }, {30, 100});
             })
      .hint("Row t of the target's logits over sequence + proposals is its choice for position t + 1: proposal i "
            "(at position s + i, s the sequence's length) is judged by row s - 1 + i.")
      .hint("After a disagreement the target's own choice at that position is the token to keep: without it the next "
            "round starts where this one did.");
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 3, R"(Return the counts with the tokens: draft tokens proposed, proposals accepted, forward
passes of the target. A round proposes min(k, tokens still missing); after a round the target agreed with throughout,
its choice after the last proposal comes for free (the bonus token), unless nothing is missing.)");
  b.check("as the library counts", CheckKind::equal,
          "proposed, accepted and target forwards for 30 tokens with a perturbed copy of the target as draft, k = 1, 4 "
          "and 8, against the library's speculative decoding of the same models",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-library");
            const auto m = models(DraftKind::nudged, rng);
            const auto prompt = random_prompt(6, rng);
            std::vector<std::int64_t> mine, expected;
            for (const std::size_t k : {1, 4, 8}) {
              const auto c = counts_of(speculate(m, prompt, 30, k)), e = library_counts(m, prompt, 30, k);
              mine.insert(mine.end(), c.begin(), c.end());
              expected.insert(expected.end(), e.begin(), e.end());
            }
            return workbook::equal(mine, expected);
          })
      .check("draft = target", CheckKind::equal,
             "with the target as its own draft, the counts for 1 to 12 new tokens and k = 3 (every proposal accepted: "
             "closed forms)",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-same");
               const auto m = models(DraftKind::the_target, rng);
               const auto prompt = random_prompt(4, rng);
               std::vector<std::int64_t> mine, expected;
               for (std::int64_t n = 1; n <= 12; ++n) {
                 const auto c = counts_of(speculate(m, prompt, std::size_t(n), 3));
                 const auto e = counts_when_draft_is_target(n, 3);
                 mine.insert(mine.end(), c.begin(), c.end());
                 expected.insert(expected.end(), e.begin(), e.end());
               }
               return workbook::equal(mine, expected);
             })
      .check("consistent", CheckKind::property,
             "for random drafts, lengths and k: accepted <= proposed <= k forwards, forwards <= new tokens, and every "
             "token is an accepted proposal or the target's own (new tokens - accepted is forwards, or forwards - 1 "
             "when the last round was all accepted)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto c = random_case();
                 auto rng = workbook::oracle::property_rng();
                 const auto m = models(c.draft, rng);
                 const auto s = speculate(m, random_prompt(c.prompt_length, rng), c.n_new, c.k);
                 RC_ASSERT(s.accepted <= s.proposed);
                 RC_ASSERT(s.proposed <= c.k * s.target_forwards);
                 RC_ASSERT(s.target_forwards <= c.n_new);
                 const std::size_t own = c.n_new - s.accepted;
                 RC_ASSERT(own == s.target_forwards || own + 1 == s.target_forwards);
               }, {30, 100});
             })
      .hint("Count a round's forward once, whatever it accepts; the bonus token is the target's, not an accepted "
            "proposal.");
}

// ---- part (c): what a round buys, on paper ---------------------------------------------------------------------

// Leviathan et al.'s model: each proposal agrees with probability alpha, independently, until the first
// disagreement. A round of k proposals yields 1 + alpha + ... + alpha^k tokens on average (the agreed ones and the
// target's own), and costs one target forward plus k draft forwards of c target forwards each.
double tokens_per_round(double alpha, int k) { return (1 - std::pow(alpha, k + 1)) / (1 - alpha); }
double speedup(double alpha, int k, double c) { return tokens_per_round(alpha, k) / (1 + k * c); }

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Suppose each proposal agrees with the target with probability 0.8, independently of the others,
until the first disagreement. With k = 4, how many tokens does one round yield on average (the agreed proposals plus
the target's own token)? If a draft forward costs 0.25 of a target forward, and both cost the same whatever the
sequence's length, by what factor is speculative decoding faster than the target alone? Both to 3 decimal places.
Then read figure `speculation`: how do the acceptance rate (accepted / proposed) and the measured speedup change with
k, and why? Which k is best there, and how does the speedup at k = 4 compare with your estimate?)")
      .number_answer("c_tokens", "mean tokens per round, acceptance 0.8, k = 4",
                     [] { return tokens_per_round(0.8, 4); }, Precision::decimal_places(3))
      .number_answer("c_speedup", "speedup over the target alone, acceptance 0.8, k = 4, draft cost 0.25",
                     [] { return speedup(0.8, 4, 0.25); }, Precision::decimal_places(3))
      .manual(1)
      .hint("Token j of a round (j = 1 .. k + 1) exists only if the j - 1 proposals before it all agreed.");
}

// ---- the experiment: a trained draft and target on tiny Shakespeare -----------------------------------------

struct Experiment {
  std::size_t context, target_width, draft_width, steps, prompts, prompt_length, n_new;
};

Experiment experiment(const Context& ctx) {
  return ctx.full() ? Experiment{96, 128, 64, 1200, 4, 16, 80} : Experiment{32, 32, 32, 60, 1, 8, 24};
}

// A GPT of the chapter's shape trained on tiny Shakespeare (float for speed), copied into a double model, the
// precision the student's loop receives.
Pair trained(const Context& ctx, const Experiment& e, const nn::TokenSplit& data, std::size_t vocab_size,
             std::size_t layers, std::size_t width) {
  const auto config = chapter_config(vocab_size, e.context, layers, 4, width);
  nn::Gpt<float> model(config, ctx.seed_for("model-" + std::to_string(layers)));
  nn::LmTraining run;
  run.iterations = e.steps;
  run.batch = 16;
  run.eval_interval = 0;
  run.schedule = {3e-3, 3e-4, e.steps / 10, e.steps};
  run.optimizer.lr = 3e-3;
  run.seed = ctx.seed_for("batches-" + std::to_string(layers));
  std::ostringstream quiet;
  if (ctx.full()) std::cerr << "training the " << layers << "-layer " << (layers == 1 ? "draft" : "target") << '\n';
  nn::train_lm(model, data, run, ctx.full() ? std::cerr : quiet);
  nn::Gpt<double> copy(config, 0);
  auto to = copy.parameters();
  const auto from = model.parameters();
  for (std::size_t i = 0; i < to.size(); ++i)
    for (std::size_t j = 0; j < to[i].size; ++j) to[i].value[j] = double(from[i].value[j]);
  return paired(std::move(copy));
}

struct Throughput {
  std::vector<double> k, acceptance, speedup;
  double alone_tokens_per_second = 0;
};

// The best of `runs` timings of f (the machine is shared: the best is the least disturbed).
template <class F>
double best_seconds(std::size_t runs, F f) {
  double best = 1e300;
  for (std::size_t run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// Acceptance (accepted / proposed over every prompt) and speedup (time of the student's greedy generation with the
// target alone over time of the student's loop, both in the solution's process, summed over the prompts, best of
// three at the full sizes) for k = 1 .. 8. The prompts are held-out text.
Throughput measure(const Context& ctx) {
  const auto e = experiment(ctx);
  const auto text = nn::read_shipped_data("tinyshakespeare.txt", 1u << 20);
  const nn::CharTokenizer tokenizer(text);
  const auto tokens = tokenizer.encode(text);
  const nn::TokenSplit data = nn::split(tokens, 0.1);
  const Models m{trained(ctx, e, data, tokenizer.vocab_size(), 4, e.target_width),
                 trained(ctx, e, data, tokenizer.vocab_size(), 1, e.draft_width)};
  auto rng = ctx.rng("experiment-prompts");
  std::uniform_int_distribution<std::size_t> start(0, data.val.size() - e.prompt_length);
  std::vector<std::vector<int>> prompts;
  for (std::size_t i = 0; i < e.prompts; ++i) {
    const auto at = data.val.begin() + std::ptrdiff_t(start(rng));
    prompts.emplace_back(at, at + std::ptrdiff_t(e.prompt_length));
  }
  const std::size_t runs = ctx.full() ? 3 : 1;
  const double alone = best_seconds(runs, [&] {
    for (const auto& prompt : prompts) ch13_25::greedy_generate(m.target.tensors, prompt, e.n_new);
  });
  Throughput t;
  t.alone_tokens_per_second = double(e.prompts * e.n_new) / alone;
  for (std::size_t k = 1; k <= 8; ++k) {
    std::size_t proposed = 0, accepted = 0;
    const double seconds = best_seconds(runs, [&] {
      proposed = accepted = 0;
      for (const auto& prompt : prompts) {
        const auto s = speculate(m, prompt, e.n_new, k);
        proposed += s.proposed, accepted += s.accepted;
      }
    });
    t.k.push_back(double(k));
    t.acceptance.push_back(double(accepted) / double(proposed));
    t.speedup.push_back(alone / seconds);
    if (ctx.full())  // seconds per k at the full sizes: say where the run is
      std::cerr << "[" << k << "/8] k = " << k << ": acceptance " << t.acceptance.back() << ", speedup "
                << t.speedup.back() << '\n';
  }
  return t;
}

void print_table(const Throughput& t) {
  std::cerr << "target alone: " << std::fixed << std::setprecision(1) << t.alone_tokens_per_second << " tokens/s\n"
            << "  k  acceptance  tokens/s  speedup\n";
  for (std::size_t i = 0; i < t.k.size(); ++i)
    std::cerr << std::setw(3) << int(t.k[i]) << std::setw(12) << std::setprecision(3) << t.acceptance[i]
              << std::setw(10) << std::setprecision(1) << t.speedup[i] * t.alone_tokens_per_second << std::setw(9)
              << std::setprecision(2) << t.speedup[i] << (t.k[i] == 4 ? "  <- the seed's k\n" : "\n");
}

const Throughput& throughput(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Throughput> cache;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto& t = cache[key] = measure(ctx);
  if (ctx.full()) print_table(t);
  return t;
}

workbook::Plot speculation_figure(const Context& ctx) {
  const auto& t = throughput(ctx);
  auto plot = workbook::xy_plot("Your speculative decoding: a 1-layer draft for a 4-layer target",
                                "k (proposals per round)",
                                "acceptance rate / speedup over the target alone",
                                {{"acceptance", t.k, t.acceptance, workbook::Series::Style::linespoints},
                                 {"speedup", t.k, t.speedup, workbook::Series::Style::linespoints}});
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Speculative decoding with a small draft model";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::numeric, workbook::Tag::plot};
  ex.statement = R"(A large model generating greedily spends one full forward per token. A much smaller draft model
can guess the next few tokens cheaply; the large target then checks all the guesses at once, since one forward over
the sequence with the guesses appended gives its own choice at every position. It keeps the guesses up to the first
one it disagrees with, and its own choice there, so every round yields at least one token and the text is exactly the
target's greedy text, only produced with fewer target forwards. You write that loop on the kit's GPT (both models'
tensors come to you); the checks compare your tokens with the target's own generation and your counts with what the
two models imply. Figure `speculation` trains a 1-layer draft and a 4-layer target on tiny Shakespeare and measures
the acceptance and the speedup of your loop for k = 1 to 8 proposals per round.)";
  ex.timeout_seconds = 60;
  part_a(ex);
  part_b(ex);
  part_c(ex);
  ex.plot("speculation", "Acceptance rate (accepted / proposed) and speedup (time of your greedy_generate with the "
                         "target over the time of your speculative_greedy, each called through the channel) against k, "
                         "for a trained 1-layer draft and 4-layer target; measured by the grader.",
          speculation_figure);
}
