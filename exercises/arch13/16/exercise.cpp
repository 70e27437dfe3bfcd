// arch13/16: greedy, temperature, top-k and nucleus decoding. The student writes the distribution each decoder
// draws from and the draw. Expected values: the library's next_token_distribution (nn/generate.hpp, trusted side
// only; the kit does not offer it) and, as properties, what defines each decoder: greedy is one-hot at the first
// argmax, temperature's ratios are p_i / p_j = exp((l_i - l_j) / T), top-k's support is the k largest logits, the
// nucleus is the shortest most-likely-first prefix reaching p. Then statistics: the student's draws from each
// decoder on the last row of an untrained library GPT's logits, against the library's distribution, by a
// chi-square test of significance 1e-6; a draw outside the library's support fails at once.

#include "arch13/16/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include "nn/generate.hpp"
#include "nn/gpt.hpp"
#include "nn/train_log.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using Distribution = std::vector<double>;

// A float implementation rounds each probability at about 1e-7 of itself.
constexpr workbook::Tolerance probability_tolerance = workbook::tolerance::float_computation;

// ---- random logits for the exact properties --------------------------------------------------------------------

std::vector<double> random_logits(std::size_t vocab, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> logit(-5.0, 5.0);  // differences up to 10: no probability underflows
  std::vector<double> logits(vocab);
  for (auto& l : logits) l = logit(rng);
  return logits;
}

double random_temperature() { return *rc::gen::element(0.25, 0.5, 1.0, 2.0, 4.0); }

std::vector<double> random_row() {
  auto rng = workbook::oracle::property_rng();
  return random_logits(*rc::gen::inRange<std::size_t>(2, 50), rng);
}

nn::Sampling sampling(double temperature, std::size_t k = 0, double p = 1.0) {
  nn::Sampling s;
  s.temperature = temperature;
  s.top_k = k;
  s.top_p = p;
  return s;
}

Distribution library(const std::vector<double>& logits, const nn::Sampling& s) {
  return nn::next_token_distribution(logits.data(), logits.size(), s);
}

// The student's distribution, held to the interface's promise: one probability per token.
Distribution checked(const std::string& function, Distribution d, std::size_t vocab) {
  workbook::require_shape(function, std::vector<std::size_t>{d.size()}, {vocab});
  return d;
}

bool same(const Distribution& actual, const Distribution& expected) {
  const auto shape = std::vector<std::size_t>{actual.size()};
  return workbook::close(xt::xarray<double>(xt::adapt(actual, shape)),
                         xt::xarray<double>(xt::adapt(expected, std::vector<std::size_t>{expected.size()})),
                         probability_tolerance)
             .status == workbook::Status::pass;
}

std::set<std::size_t> support(const Distribution& d) {
  std::set<std::size_t> tokens;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i] > 0) tokens.insert(i);
  return tokens;
}

// Token ids by logit, largest first, lower ids first among equals: the statement's order.
std::vector<std::size_t> most_likely_first(const std::vector<double>& logits) {
  std::vector<std::size_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
  return order;
}

// On its support, a decoder keeps temperature's ratios: log p_i - log p_j = (l_i - l_j) / T, and the mass is 1.
bool keeps_temperature_ratios(const Distribution& d, const std::vector<double>& logits, double temperature) {
  const auto kept = support(d);
  if (kept.empty() || std::abs(std::accumulate(d.begin(), d.end(), 0.0) - 1) > 1e-6) return false;
  const std::size_t first = *kept.begin();
  for (const std::size_t i : kept)
    if (std::abs(std::log(d[i] / d[first]) - (logits[i] - logits[first]) / temperature) > 1e-5) return false;
  return true;
}

// The mass softmax(logits / T) puts on the first n tokens of the most-likely-first order.
double prefix_mass(const std::vector<double>& logits, double temperature, std::size_t n) {
  const auto full = library(logits, sampling(temperature));
  const auto order = most_likely_first(logits);
  double mass = 0;
  for (std::size_t r = 0; r < n; ++r) mass += full[order[r]];
  return mass;
}

// ---- the untrained model and the draws -------------------------------------------------------------------------

struct Decoder {
  std::string name;
  nn::Sampling sampling;
  std::function<Distribution(const std::vector<double>&)> student;
};

constexpr double sample_temperature = 0.5;  // sharpens the untrained model's nearly flat logits, so draws can tell
constexpr std::size_t sample_k = 8;
constexpr double sample_p = 0.5;  // moved to halfway between the two prefix masses around it: see nucleus_p

// The last row of logits of an untrained library GPT (vocabulary 64) on 12 random tokens: nearly flat, as the
// statement says, with logits spread by a few tenths.
std::vector<double> untrained_logits(const Context& ctx) {
  nn::GptConfig config;
  config.vocab_size = 64;
  config.context = 16;
  config.n_layer = 2;
  config.n_head = 2;
  config.n_embd = 32;
  const nn::Gpt<float> model(config, ctx.seed_for("untrained-model"));
  auto rng = ctx.rng("context");
  std::uniform_int_distribution<int> token(0, int(config.vocab_size) - 1);
  nn::Tokens tokens(12);
  for (auto& t : tokens) t = token(rng);
  const auto logits = model.logits(tokens);
  const auto last = xt::row(logits, logits.shape(0) - 1);
  return std::vector<double>(last.begin(), last.end());
}

// p for the nucleus on these logits: sample_p, moved to the midpoint of the two prefix masses on either side of it,
// so that no rounding of a correct float implementation can move the cut.
double nucleus_p(const std::vector<double>& logits) {
  std::size_t n = 1;
  while (prefix_mass(logits, sample_temperature, n) < sample_p) ++n;
  return (prefix_mass(logits, sample_temperature, n - 1) + prefix_mass(logits, sample_temperature, n)) / 2;
}

std::vector<Decoder> decoders(const std::vector<double>& logits) {
  nn::Sampling greedy_sampling;
  greedy_sampling.greedy = true;
  const double p = nucleus_p(logits);
  return {
      {"greedy", greedy_sampling, [](const std::vector<double>& l) { return arch13_16::greedy(l); }},
      {"temperature", sampling(sample_temperature),
       [](const std::vector<double>& l) { return arch13_16::with_temperature(l, sample_temperature); }},
      {"top-k", sampling(sample_temperature, sample_k),
       [](const std::vector<double>& l) { return arch13_16::top_k(l, sample_k, sample_temperature); }},
      {"nucleus", sampling(sample_temperature, 0, p),
       [p](const std::vector<double>& l) { return arch13_16::nucleus(l, p, sample_temperature); }},
  };
}

std::size_t draw_count(const Context& ctx) { return ctx.full() ? 1000000 : 20000; }

// The student's draws from `distribution`, checked to be token ids; the full budget draws in chunks, with progress.
std::vector<int> student_draws(const Distribution& distribution, std::size_t count, std::mt19937_64& rng,
                               const std::string& what, bool show_progress) {
  const std::size_t chunk = show_progress ? 50000 : count;
  std::vector<int> draws;
  std::optional<nn::ProgressBar> bar;
  if (show_progress) {
    std::cerr << what << ": " << count << " draws\n";
    bar.emplace(std::cerr, (count + chunk - 1) / chunk);
  }
  const auto start = std::chrono::steady_clock::now();
  while (draws.size() < count) {
    const auto some = arch13_16::draw(distribution, std::min(chunk, count - draws.size()), rng);
    if (some.size() != std::min(chunk, count - draws.size()))
      throw workbook::WrongResult("draw returned " + std::to_string(some.size()) + " tokens where " +
                                  std::to_string(std::min(chunk, count - draws.size())) + " were asked for");
    draws.insert(draws.end(), some.begin(), some.end());
    if (bar) {  // the bar's "loss" column has no meaning here: it shows 0
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      bar->update((draws.size() + chunk - 1) / chunk, 0, double(draws.size()) / elapsed.count());
    }
  }
  if (bar) bar->finish();
  for (const int t : draws)
    if (t < 0 || std::size_t(t) >= distribution.size())
      throw workbook::WrongResult("draw returned " + std::to_string(t) + ", which is not a token id");
  return draws;
}

std::vector<double> counts(const std::vector<int>& draws, std::size_t vocab) {
  std::vector<double> c(vocab, 0.0);
  for (const int t : draws) c[std::size_t(t)] += 1;
  return c;
}

// The chi-square statistic's critical value at significance 1e-6 with `df` degrees of freedom, by Wilson and
// Hilferty's cube-root normal approximation (z = 4.7534 is the standard normal's upper 1e-6 point).
double chi_square_critical(std::size_t df) {
  const double v = double(df), z = 4.7534;
  return v * std::pow(1 - 2 / (9 * v) + z * std::sqrt(2 / (9 * v)), 3);
}

// Draws against an expected distribution: any draw where it is 0 fails; otherwise Pearson's chi-square over the
// tokens it can produce (bins expected below 5 pooled into one) must stay under the critical value.
CheckResult goodness_of_fit(const std::vector<int>& draws, const Distribution& expected) {
  const auto observed = counts(draws, expected.size());
  const double n = double(draws.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (expected[i] == 0 && observed[i] > 0)
      return workbook::holds(false, nullptr,
                             "token " + std::to_string(i) + " was drawn " + std::to_string(int(observed[i])) +
                                 " times, but this decoder never picks it");
  double statistic = 0, pooled_observed = 0, pooled_expected = 0;
  std::size_t bins = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] == 0) continue;
    if (n * expected[i] < 5) {
      pooled_observed += observed[i];
      pooled_expected += n * expected[i];
      continue;
    }
    statistic += std::pow(observed[i] - n * expected[i], 2) / (n * expected[i]);
    ++bins;
  }
  if (pooled_expected > 0) {
    statistic += std::pow(pooled_observed - pooled_expected, 2) / pooled_expected;
    ++bins;
  }
  if (bins < 2)
    return workbook::holds(true, nlohmann::json{{"draws", n}, {"tokens", bins}}, "");  // one token: nothing to test
  const double critical = chi_square_critical(bins - 1);
  return workbook::holds(statistic <= critical,
                         nlohmann::json{{"chi_square", statistic}, {"degrees_of_freedom", bins - 1},
                                        {"critical_value", critical}},
                         "chi-square " + std::to_string(statistic) + " over " + std::to_string(bins - 1) +
                             " degrees of freedom exceeds " + std::to_string(critical) +
                             " (significance 1e-6): the draws do not follow the distribution");
}

// Each decoder's draws, once per (seed, budget): the checks and the figure share them.
const std::map<std::string, std::vector<int>>& decoder_draws(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::map<std::string, std::vector<int>>> cache;
  const std::pair key{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto logits = untrained_logits(ctx);
  std::map<std::string, std::vector<int>> draws;
  for (const auto& decoder : decoders(logits)) {
    auto rng = ctx.rng("draws-" + decoder.name);
    const auto distribution = checked(decoder.name, decoder.student(logits), logits.size());
    draws[decoder.name] = student_draws(distribution, draw_count(ctx), rng, decoder.name, ctx.full());
  }
  return cache[key] = std::move(draws);
}

CheckResult decoder_fits(const Context& ctx, const std::string& name) {
  const auto logits = untrained_logits(ctx);
  for (const auto& decoder : decoders(logits))
    if (decoder.name == name) return goodness_of_fit(decoder_draws(ctx).at(name), library(logits, decoder.sampling));
  throw std::logic_error("no decoder " + name);
}

// ---- parts ------------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Write greedy and with_temperature. The checks compare your distributions with the library's on
random logits over 2 to 49 tokens, and check the two properties that define them: greedy puts all the mass on the
first largest logit, even when a later token ties with it; temperature gives every token a positive probability, the
probabilities add up to 1, and the ratio of any two is exp((l_i - l_j) / T).)")
      .check("greedy", CheckKind::property,
             "for random logits, some with the largest value repeated at a later token, your greedy is 1 at the "
             "lowest id of the largest logit and 0 elsewhere",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-greedy"), [] {
                 auto logits = random_row();
                 if (*rc::gen::arbitrary<bool>()) logits.push_back(*std::max_element(logits.begin(), logits.end()));
                 Distribution expected(logits.size(), 0.0);
                 expected[most_likely_first(logits).front()] = 1;
                 RC_ASSERT(checked("greedy", arch13_16::greedy(logits), logits.size()) == expected);
               });
             })
      .check("temperature ratios", CheckKind::property,
             "for random logits and T in {0.25, 0.5, 1, 2, 4}, your probabilities are positive, add up to 1 within "
             "1e-6, and log(p_i / p_j) = (l_i - l_j) / T within 1e-5 for every pair",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-ratios"), [] {
                 const auto logits = random_row();
                 const double t = random_temperature();
                 const auto p = checked("with_temperature", arch13_16::with_temperature(logits, t), logits.size());
                 RC_ASSERT(support(p).size() == logits.size());
                 RC_ASSERT(keeps_temperature_ratios(p, logits, t));
               });
             })
      .check("temperature = library", CheckKind::property,
             "for random logits and T in {0.25, 0.5, 1, 2, 4}, your distribution equals the library's within 1e-5 "
             "relative",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-library"), [] {
                 const auto logits = random_row();
                 const double t = random_temperature();
                 RC_ASSERT(same(checked("with_temperature", arch13_16::with_temperature(logits, t), logits.size()),
                                library(logits, sampling(t))));
               });
             })
      .hint("Subtract the largest logit before exponentiating: the ratios do not change and nothing overflows.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Write top_k and nucleus. The checks compare them with the library's distributions, and check
what defines them: top-k keeps exactly the k largest logits (lower ids first when a tie straddles the cut); the
nucleus keeps a prefix of the most-likely-first order whose probability under softmax(logits / T) reaches p, and no
shorter prefix does. Both keep temperature's ratios on the tokens they keep and add up to 1.)")
      .check("top-k keeps the k largest", CheckKind::property,
             "for random logits, k from 1 to vocab + 2 and random T, the tokens your top_k keeps are the k of largest "
             "logit, with temperature's ratios among them and total 1",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-top-k"), [] {
                 const auto logits = random_row();
                 const auto k = *rc::gen::inRange<std::size_t>(1, logits.size() + 3);
                 const double t = random_temperature();
                 const auto p = checked("top_k", arch13_16::top_k(logits, k, t), logits.size());
                 const auto order = most_likely_first(logits);
                 const std::set<std::size_t> largest(order.begin(), order.begin() + std::ptrdiff_t(std::min(k, order.size())));
                 RC_ASSERT(support(p) == largest);
                 RC_ASSERT(keeps_temperature_ratios(p, logits, t));
               });
             })
      .check("top-k ties", CheckKind::property,
             "for logits on a coarse grid (many ties) and k cutting through a tie, your top_k equals the library's",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-ties"), [] {
                 auto logits = random_row();
                 for (auto& l : logits) l = std::round(l / 2);  // a handful of distinct values
                 const auto k = *rc::gen::inRange<std::size_t>(1, logits.size() + 1);
                 RC_ASSERT(same(checked("top_k", arch13_16::top_k(logits, k, 1.0), logits.size()),
                                library(logits, sampling(1.0, k))));
               });
             })
      .check("nucleus is the smallest set reaching p", CheckKind::property,
             "for random logits, p between 0.01 and 1 and random T: your nucleus keeps the first n tokens of the "
             "most-likely-first order, their mass reaches p and that of the first n - 1 does not, with temperature's "
             "ratios among them and total 1 (p within 1e-6 of a prefix's mass is redrawn)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-nucleus"), [] {
                 const auto logits = random_row();
                 const double t = random_temperature();
                 auto rng = workbook::oracle::property_rng();
                 double p = 0;
                 std::size_t n = 0;
                 do {
                   p = std::uniform_real_distribution<double>(0.01, 1.0)(rng);
                   n = 1;
                   while (n < logits.size() && prefix_mass(logits, t, n) < p) ++n;
                 } while (std::abs(prefix_mass(logits, t, n) - p) < 1e-6 ||
                          std::abs(prefix_mass(logits, t, n - 1) - p) < 1e-6);
                 const auto kept = checked("nucleus", arch13_16::nucleus(logits, p, t), logits.size());
                 const auto order = most_likely_first(logits);
                 RC_ASSERT(support(kept) == std::set<std::size_t>(order.begin(), order.begin() + std::ptrdiff_t(n)));
                 RC_ASSERT(keeps_temperature_ratios(kept, logits, t));
               });
             })
      .check("nucleus = library", CheckKind::property,
             "for random logits, p in {0.1, 0.5, 0.9} and random T, your nucleus equals the library's (cases "
             "where p lies within 1e-6 of a prefix's mass are redrawn)",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-library"), [] {
                 const auto logits = random_row();
                 const double t = random_temperature();
                 const double p = *rc::gen::element(0.1, 0.5, 0.9);
                 for (std::size_t n = 1; n < logits.size(); ++n) RC_PRE(std::abs(prefix_mass(logits, t, n) - p) > 1e-6);
                 RC_ASSERT(same(checked("nucleus", arch13_16::nucleus(logits, p, t), logits.size()),
                                library(logits, sampling(t, 0, p))));
               });
             })
      .hint("Sort the token ids by logit once (a stable sort keeps lower ids first among equals); the top-k set and "
            "the nucleus are both prefixes of that order.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 3, R"(Write draw, then sample from each decoder on the last row of logits of an untrained GPT from
the library (vocabulary 64, 2 blocks of width 32, 12 random context tokens; the weights and tokens come from the
run's seed): greedy; temperature 0.5; top-k with k = 8 at temperature 0.5; nucleus at temperature 0.5 with p
close to 0.5 (moved to halfway between the two prefix masses around 0.5, so that rounding cannot decide the cut).
The quick run draws 20,000 tokens per decoder, --full a million. The checks hold your draws to the library's
distribution of each decoder: a single draw of a token the decoder never picks fails; otherwise Pearson's
chi-square test at significance 1e-6 (bins expected below 5 draws pooled; the critical value by Wilson and
Hilferty's approximation). A first check tests draw alone, on a distribution the checks choose.)")
      .check("draw alone", CheckKind::property,
             "20,000 draws from a fixed distribution over 10 tokens, three of probability 0, pass the chi-square test "
             "against it",
             [](const Context& ctx) {
               const Distribution fixed{0.0, 0.05, 0.1, 0.0, 0.3, 0.15, 0.05, 0.0, 0.25, 0.1};
               auto rng = ctx.rng("c-draw-alone");
               return goodness_of_fit(student_draws(fixed, 20000, rng, "draw alone", false), fixed);
             })
      .check("greedy draws", CheckKind::property,
             "every draw from your greedy distribution on the untrained model is the library's greedy token",
             [](const Context& ctx) { return decoder_fits(ctx, "greedy"); })
      .check("temperature draws", CheckKind::property,
             "your draws from temperature 0.5 on the untrained model pass the chi-square test against the library's "
             "distribution",
             [](const Context& ctx) { return decoder_fits(ctx, "temperature"); })
      .check("top-k draws", CheckKind::property,
             "your top-k draws never leave the library's 8 tokens and pass the chi-square test against its "
             "distribution",
             [](const Context& ctx) { return decoder_fits(ctx, "top-k"); })
      .check("nucleus draws", CheckKind::property,
             "your nucleus draws never leave the library's nucleus and pass the chi-square test against its "
             "distribution",
             [](const Context& ctx) { return decoder_fits(ctx, "nucleus"); })
      .hint("One uniform number per draw: the token is the first whose cumulative probability exceeds it. Build the "
            "cumulative sums once per call, not once per draw.");
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Look at figure `decoders`: the four empirical distributions on the untrained model, tokens
ordered from most to least likely. Describe how they differ and why: what does an untrained model's next-token
distribution look like, and why? What does greedy decoding do with it, what do temperatures below and above 1 do,
and how many tokens do top-k and the nucleus keep here compared with a trained model whose distribution is peaked?)")
      .manual(2);
}

// The empirical frequency of each token under each decoder, tokens ranked by the untrained model's logits.
workbook::Plot decoders_figure(const Context& ctx) {
  const auto logits = untrained_logits(ctx);
  const auto order = most_likely_first(logits);
  std::vector<workbook::Series> series;
  for (const auto& [name, draws] : decoder_draws(ctx)) {
    const auto c = counts(draws, logits.size());
    workbook::Series s{name, {}, {}, workbook::Series::Style::linespoints};
    for (std::size_t r = 0; r < order.size(); ++r) {
      s.x.push_back(double(r + 1));
      s.y.push_back(c[order[r]] / double(draws.size()));
    }
    series.push_back(std::move(s));
  }
  auto plot = workbook::xy_plot("Four decoders on an untrained GPT's next token", "token rank (by logit)",
                                "empirical frequency", std::move(series));
  plot.logy = true;
  plot.measured = true;  // the untrained model's logits come from the machine's BLAS kernels
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Greedy, temperature, top-k and nucleus decoding";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(A language model gives a score (a logit) to every token of its vocabulary; a decoder turns that
row of scores into the next token. Write four decoders as the distribution each one draws from, and one function
that draws from any of them with a random generator you are given. Greedy always takes the highest score.
Temperature sampling draws from softmax(logits / T). Top-k draws from the same softmax kept on the k highest
scores. Nucleus (top-p) sampling keeps the fewest most likely tokens that together hold probability at least p.
Parts (a) and (b) check each distribution exactly; part (c) draws many tokens from an untrained model and tests
your draws statistically; part (d) asks what the four distributions look like there.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  ex.plot("decoders",
          "Empirical next-token frequencies of greedy, temperature 0.5, top-8 and nucleus decoding on one context of "
          "an untrained GPT (log scale; a decoder's line stops at the tokens it never drew).",
          decoders_figure);
}
