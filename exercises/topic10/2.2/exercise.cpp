// topic10/2.2: picking the induction head out of a bank of attention patterns. The patterns are simulated
// here (one of six kinds of head, blended with random noise drawn from the run's streams) and the position
// of the induction head in the bank is drawn at random, so the expected index is known by construction.
// The oracle for the score is the definition written as plain loops. Besides the ordinary banks, the checks
// feed tokens that never repeat (the score is 0 by definition), rows with tied weights, banks whose heads tie
// exactly (the lowest index wins) and a bank where the single weight the seed looks at points to the wrong head.

#include "topic10/2.2/interface.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using Tokens = std::vector<std::size_t>;

// ---- the definition, as plain loops -------------------------------------------------------------------

// The (query i, key j) pairs the score looks at: j right after an earlier occurrence of token i, j < i.
std::vector<std::pair<std::size_t, std::size_t>> induction_pairs(const Tokens& tokens) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    for (std::size_t j = 1; j < i; ++j)
      if (tokens[j - 1] == tokens[i]) pairs.push_back({i, j});
  return pairs;
}

double oracle_score(const Tokens& tokens, const Matrix& pattern) {
  double total = 0;
  std::size_t queries = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    bool has_target = false;
    for (std::size_t j = 1; j < i; ++j)
      if (tokens[j - 1] == tokens[i]) {
        has_target = true;
        total += pattern(i, j);
      }
    queries += has_target;
  }
  return queries == 0 ? 0.0 : total / double(queries);
}

// ---- simulated heads ----------------------------------------------------------------------------------

enum class Kind { previous, uniform, first, self, duplicate, induction };
const std::vector<Kind> all_kinds = {Kind::previous, Kind::uniform,   Kind::first,
                                     Kind::self,     Kind::duplicate, Kind::induction};

std::string name_of(Kind kind) {
  switch (kind) {
    case Kind::previous: return "previous-token";
    case Kind::uniform: return "uniform";
    case Kind::first: return "first-token";
    case Kind::self: return "self";
    case Kind::duplicate: return "duplicate-token";
    case Kind::induction: return "induction";
  }
  return "";
}

// The positions head `kind` attends to from query i.
std::vector<std::size_t> targets_of(Kind kind, const Tokens& tokens, std::size_t i) {
  std::vector<std::size_t> targets;
  switch (kind) {
    case Kind::previous: return {i == 0 ? 0 : i - 1};
    case Kind::uniform:
      for (std::size_t j = 0; j <= i; ++j) targets.push_back(j);
      break;
    case Kind::first: return {0};
    case Kind::self: return {i};
    case Kind::duplicate:  // earlier copies of the current token
      for (std::size_t j = 0; j < i; ++j)
        if (tokens[j] == tokens[i]) targets.push_back(j);
      break;
    case Kind::induction:  // the positions right after those copies
      for (std::size_t j = 1; j < i; ++j)
        if (tokens[j - 1] == tokens[i]) targets.push_back(j);
      break;
  }
  return targets;
}

// The noise-free pattern of one kind of head on `tokens` (T x T, causal, rows adding up to 1): row i spread
// evenly over its targets, or all on position 0 when there are none (real heads with nothing to do park
// their attention on the first token).
Matrix clean_pattern(Kind kind, const Tokens& tokens) {
  Matrix pattern = xt::zeros<double>({tokens.size(), tokens.size()});
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto targets = targets_of(kind, tokens, i);
    if (targets.empty()) pattern(i, 0) = 1;
    for (std::size_t j : targets) pattern(i, j) += 1.0 / double(targets.size());
  }
  return pattern;
}

// (1 - noise) * pattern + noise * R, with R a random causal pattern (each row uniform draws, normalised).
Matrix with_noise(Matrix pattern, double noise, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < pattern.shape(0); ++i) {
    std::vector<double> r(i + 1);
    double sum = 0;
    for (auto& v : r) sum += v = uniform(rng);
    for (std::size_t j = 0; j <= i; ++j) pattern(i, j) = (1 - noise) * pattern(i, j) + noise * r[j] / sum;
  }
  return pattern;
}

xt::xtensor<double, 3> to_bank(const std::vector<Matrix>& heads) {
  const std::size_t t_len = heads.front().shape(0);
  xt::xtensor<double, 3> bank = xt::xtensor<double, 3>::from_shape({heads.size(), t_len, t_len});
  for (std::size_t h = 0; h < heads.size(); ++h) xt::view(bank, h, xt::all(), xt::all()) = heads[h];
  return bank;
}

// A bank with one induction head among `distractors`, every head blended with noise in [0, max_noise].
// The induction head goes to a random index, returned in `induction_at`.
std::vector<Matrix> simulated_bank(const Tokens& tokens, std::vector<Kind> distractors, double max_noise,
                                   std::mt19937_64& rng, std::size_t& induction_at) {
  induction_at = std::uniform_int_distribution<std::size_t>(0, distractors.size())(rng);
  distractors.insert(distractors.begin() + std::ptrdiff_t(induction_at), Kind::induction);
  std::uniform_real_distribution<double> noise(0.0, max_noise);
  std::vector<Matrix> heads;
  for (Kind kind : distractors) heads.push_back(with_noise(clean_pattern(kind, tokens), noise(rng), rng));
  return heads;
}

// A random causal pattern with no structure at all: the general input for the score.
Matrix random_pattern(std::size_t t_len, std::mt19937_64& rng) {
  return with_noise(xt::zeros<double>({t_len, t_len}), 1.0, rng);
}

// The five distractor kinds in a random order (the bank of part c).
std::vector<Kind> shuffled_distractors(std::mt19937_64& rng) {
  std::vector<Kind> distractors(all_kinds.begin(), all_kinds.end() - 1);
  std::shuffle(distractors.begin(), distractors.end(), rng);
  return distractors;
}

const Tokens seed_tokens = {1, 2, 3, 1, 2};
// Noise up to 0.2: the induction head keeps at least 0.8 on its targets, while no distractor can reach
// more than 0.25 + 0.2 on the repeated-segment inputs used below (derivation at part c).
const double max_noise = 0.2;
// The score is a short sum of products: both routes agree to rounding.
const workbook::Tolerance rounding{1e-12, 1e-14};

// ---- awkward inputs -----------------------------------------------------------------------------------

// Rows with exact ties: row i puts equal weight on 2 or 3 positions <= i, one of them an induction target
// when query i has one, the others before or after it. A score that counts where each row's largest weight
// falls (first or last of the tied maxima) gets these wrong; the sum of weights on the targets does not.
Matrix tied_pattern(const Tokens& tokens, std::mt19937_64& rng) {
  const std::size_t t_len = tokens.size();
  Matrix pattern = xt::zeros<double>({t_len, t_len});
  for (std::size_t i = 0; i < t_len; ++i) {
    std::vector<std::size_t> chosen, all(i + 1);
    for (std::size_t j = 0; j <= i; ++j) all[j] = j;
    std::shuffle(all.begin(), all.end(), rng);
    const auto targets = targets_of(Kind::induction, tokens, i);
    if (!targets.empty()) chosen.push_back(targets[std::uniform_int_distribution<std::size_t>(0, targets.size() - 1)(rng)]);
    const std::size_t size = std::min<std::size_t>(i + 1, 2 + rng() % 2);
    for (std::size_t j : all)
      if (chosen.size() < size && std::find(chosen.begin(), chosen.end(), j) == chosen.end()) chosen.push_back(j);
    for (std::size_t j : chosen) pattern(i, j) = 1.0 / double(chosen.size());
  }
  return pattern;
}

// `count` heads with exactly equal scores: copies of one pattern whose weights off the induction targets are
// shuffled within each row (the weights the score reads, and their order, are identical in every copy).
std::vector<Matrix> equal_score_heads(const Matrix& pattern, const Tokens& tokens, std::size_t count, std::mt19937_64& rng) {
  std::vector<Matrix> heads;
  for (std::size_t c = 0; c < count; ++c) {
    Matrix copy = pattern;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const auto targets = targets_of(Kind::induction, tokens, i);
      std::vector<std::size_t> others;
      for (std::size_t j = 0; j <= i; ++j)
        if (std::find(targets.begin(), targets.end(), j) == targets.end()) others.push_back(j);
      auto shuffled = others;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      for (std::size_t n = 0; n < others.size(); ++n) copy(i, shuffled[n]) = pattern(i, others[n]);
    }
    heads.push_back(copy);
  }
  return heads;
}

// ---- the parts ----------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 1,
          "For [1, 2, 3, 1, 2], list the (query i, key j) pairs that the score looks at, in order of i, and say "
          "which key position the query at position 4 should attend to.")
      .array_answer("a_pairs", "the pairs (i, j), one per row", {2, 2},
                    [] {
                      const auto pairs = induction_pairs(seed_tokens);
                      xt::xarray<double> rows = xt::zeros<double>({pairs.size(), std::size_t{2}});
                      for (std::size_t r = 0; r < pairs.size(); ++r) {
                        rows(r, 0) = double(pairs[r].first);
                        rows(r, 1) = double(pairs[r].second);
                      }
                      return rows;
                    },
                    workbook::Precision::exact())
      .integer_answer("a_target", "the key position for the query at position 4",
                      std::int64_t(induction_pairs(seed_tokens).back().second))
      .hint("Position 0 is never a target: it has no token before it.");
}

// The student's scores of several patterns on one token sequence, against the plain-loop definition.
workbook::CheckResult scores_match(const Tokens& tokens, const std::vector<Matrix>& patterns) {
  xt::xarray<double> got = xt::zeros<double>({patterns.size()}), want = got;
  for (std::size_t h = 0; h < patterns.size(); ++h) {
    got(h) = topic10_2_2::induction_score(tokens, patterns[h]);
    want(h) = oracle_score(tokens, patterns[h]);
  }
  return workbook::close(got, want, rounding);
}

void score_checks(workbook::Part& b) {
  using workbook::CheckKind;
  b.check("six clean heads", CheckKind::close,
          "the scores of the six noise-free heads (previous-token, uniform, first-token, self, duplicate-token, "
          "induction) on [1, 2, 3, 1, 2] against the closed form [0, 0.225, 0, 0, 0, 1]",
          [](const Context&) {
            // I = {3, 4}, J(3) = {1}, J(4) = {2}. Only the uniform head, (1/4 + 1/5) / 2 = 0.225, and the
            // induction head, (1 + 1) / 2 = 1, put any weight on (3, 1) or (4, 2); the others look at
            // (i, i-1), (i, 0), (i, i) and, for the duplicate-token head, (3, 0) and (4, 1).
            xt::xarray<double> got = xt::zeros<double>({all_kinds.size()});
            for (std::size_t h = 0; h < all_kinds.size(); ++h)
              got(h) = topic10_2_2::induction_score(seed_tokens, clean_pattern(all_kinds[h], seed_tokens));
            return workbook::close(got, xt::xarray<double>{0, 0.225, 0, 0, 0, 1}, rounding);
          });
  b.check("random patterns", CheckKind::close,
          "the scores of 8 random patterns on 24 random tokens from a vocabulary of 4 against the plain-loop "
          "definition",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-random");
            std::uniform_int_distribution<std::size_t> pick(0, 3);
            Tokens tokens(24);
            for (auto& t : tokens) t = pick(rng);
            std::vector<Matrix> patterns;
            for (int h = 0; h < 8; ++h) patterns.push_back(random_pattern(tokens.size(), rng));
            return scores_match(tokens, patterns);
          });
  b.check("no repeats", CheckKind::close,
          "random patterns on tokens that never repeat (lengths 1, 2, 5 and 12, all tokens distinct): no query "
          "has a target, and the score is defined as 0 then",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-distinct");
            xt::xarray<double> got = xt::zeros<double>({4});
            std::size_t h = 0;
            for (std::size_t length : {1, 2, 5, 12}) {
              Tokens tokens(length);
              for (std::size_t t = 0; t < length; ++t) tokens[t] = 3 * t + 7;
              got(h++) = topic10_2_2::induction_score(tokens, random_pattern(length, rng));
            }
            return workbook::close(got, xt::zeros<double>({4}), rounding);
          });
  b.check("tied weights", CheckKind::close,
          "patterns whose rows put exactly equal weight on 2 or 3 positions, one of them an induction target, on "
          "20 tokens from a vocabulary of 3, against the plain-loop definition",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-tied");
            Tokens tokens(20);
            for (auto& t : tokens) t = rng() % 3;
            std::vector<Matrix> patterns;
            for (int h = 0; h < 6; ++h) patterns.push_back(tied_pattern(tokens, rng));
            return scores_match(tokens, patterns);
          });
}

void part_b(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& b = ex.part("b", 2, "Implement induction_score.");
  score_checks(b);
  b.check("any input", CheckKind::property,
          "for random lengths 1..30 and vocabularies of 1..6 tokens (so some inputs have no repeat at all), the "
          "score of a random pattern matches the plain-loop definition within 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto length = *rc::gen::inRange<std::size_t>(1, 31);
              const auto vocab = *rc::gen::inRange<std::size_t>(1, 7);
              const auto tokens = *rc::gen::container<Tokens>(length, rc::gen::inRange<std::size_t>(0, vocab));
              auto rng = workbook::oracle::property_rng();
              const auto pattern = random_pattern(length, rng);
              const double got = topic10_2_2::induction_score(tokens, pattern);
              RC_ASSERT(workbook::close(got, oracle_score(tokens, pattern), rounding).status == workbook::Status::pass);
            });
          });
  b.check("period 2", CheckKind::close,
          "the noise-free previous-token head on [1, 2, 1, 2, 1, 2] against the closed form: a perfect score, "
          "the same as an induction head's (period-2 inputs cannot tell the two apart)",
          [](const Context&) {
            const Tokens period_two = {1, 2, 1, 2, 1, 2};
            return workbook::close(topic10_2_2::induction_score(period_two, clean_pattern(Kind::previous, period_two)),
                                   1.0, rounding);
          })
      .hint("Skip queries with no target entirely: they count neither in the sum nor in |I|.");
}

void bank_checks(workbook::Part& c) {
  using workbook::CheckKind;
  c.check("[1,2,3,1,2] bank", CheckKind::equal,
          "a bank of the six kinds of head on [1, 2, 3, 1, 2], each with noise up to 0.2, the five distractors "
          "shuffled and the induction head at a random index: your index against that index",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-bank");
            std::size_t induction_at = 0;
            const auto bank = to_bank(simulated_bank(seed_tokens, shuffled_distractors(rng), max_noise, rng, induction_at));
            return workbook::equal(std::int64_t(topic10_2_2::find_induction_head(seed_tokens, bank)),
                                   std::int64_t(induction_at));
          });
  c.check("most attention on the 3", CheckKind::equal,
          "the same kind of bank: your index against the head that puts the largest weight on the 3 from the "
          "current position (the seed's criterion), found by a plain loop",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-seed-goal");
            std::size_t induction_at = 0;
            const auto heads = simulated_bank(seed_tokens, shuffled_distractors(rng), max_noise, rng, induction_at);
            std::size_t most = 0;
            for (std::size_t h = 1; h < heads.size(); ++h)
              if (heads[h](4, 2) > heads[most](4, 2)) most = h;
            return workbook::equal(std::int64_t(topic10_2_2::find_induction_head(seed_tokens, to_bank(heads))),
                                   std::int64_t(most));
          });
}

// Banks where a shortcut picks another head: a decoy that wins on the single weight A(4, 2), and exact ties.
void decoy_and_tie_checks(workbook::Part& c) {
  using workbook::CheckKind;
  c.check("score, not one weight", CheckKind::equal,
          "a bank on [1, 2, 3, 1, 2] where one distractor puts all the current position's attention on the 3 but "
          "attends to the previous token everywhere else, and the noisy induction head puts less there but has the "
          "higher score: your index against the induction head's",
          [](const Context& ctx) {
            // The decoy scores (A(3, 1) + A(4, 2)) / 2 = (0 + 1) / 2 = 0.5; the induction head with noise up to
            // 0.2 scores at least 0.8 but has A(4, 2) < 1 whenever its noise is positive (drawn in [0.05, 0.2]).
            auto rng = ctx.rng("c-decoy");
            Matrix decoy = clean_pattern(Kind::previous, seed_tokens);
            xt::view(decoy, 4, xt::all()) = 0.0;
            decoy(4, 2) = 1.0;
            const double noise = std::uniform_real_distribution<double>(0.05, max_noise)(rng);
            std::vector<Matrix> heads = {clean_pattern(Kind::uniform, seed_tokens), decoy};
            const std::size_t induction_at = 1 + rng() % 2;
            heads.insert(heads.begin() + std::ptrdiff_t(induction_at),
                         with_noise(clean_pattern(Kind::induction, seed_tokens), noise, rng));
            return workbook::equal(std::int64_t(topic10_2_2::find_induction_head(seed_tokens, to_bank(heads))),
                                   std::int64_t(induction_at));
          });
  c.check("equal scores", CheckKind::equal,
          "two banks whose best heads tie exactly: copies of a noisy induction head at three random indices of a "
          "bank of 7 on a repeated segment, and a bank of 5 random heads on tokens that never repeat (all score 0); "
          "your two indices against the lowest tied index of each",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-ties");
            const Tokens tokens = {4, 9, 2, 7, 4, 9, 2};
            const auto induction = with_noise(clean_pattern(Kind::induction, tokens), 0.2, rng);
            std::vector<Matrix> heads;
            for (Kind kind : {Kind::previous, Kind::uniform, Kind::self, Kind::duplicate})
              heads.push_back(with_noise(clean_pattern(kind, tokens), 0.2, rng));
            std::vector<std::size_t> slots = {1, 2, 3, 4, 5, 6};  // the lowest copy is never at index 0
            std::shuffle(slots.begin(), slots.end(), rng);
            slots.resize(3);
            std::sort(slots.begin(), slots.end());
            const auto copies = equal_score_heads(induction, tokens, 3, rng);
            for (std::size_t c = 0; c < 3; ++c)  // in increasing order of slot, so each copy ends at its slot
              heads.insert(heads.begin() + std::ptrdiff_t(slots[c]), copies[c]);
            const Tokens distinct = {0, 1, 2, 3, 4, 5};
            std::vector<Matrix> zero_heads;
            for (int h = 0; h < 5; ++h) zero_heads.push_back(random_pattern(distinct.size(), rng));
            return workbook::equal(std::vector<std::int64_t>{std::int64_t(topic10_2_2::find_induction_head(tokens, to_bank(heads))),
                                                             std::int64_t(topic10_2_2::find_induction_head(distinct, to_bank(zero_heads)))},
                                   std::vector<std::int64_t>{std::int64_t(slots[0]), 0});
          });
}

void part_c(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& c = ex.part("c", 2,
                    "Implement find_induction_head and use it on [1, 2, 3, 1, 2]: which head puts the most "
                    "attention on the 3 from the current position?");
  bank_checks(c);
  decoy_and_tie_checks(c);
  c.check("repeated segments", CheckKind::property,
          "for a random segment of 3 to 10 distinct tokens followed by a repeat of its first 1 to all of its "
          "tokens, and a bank of 1 to 7 random distractors plus one induction head at a random index (noise up to "
          "0.2), your detector returns the induction head",
          [](const Context& ctx) {
            // Why the answer is unambiguous: in the second copy J(i) = {i - n + 1} and in the first copy J(i)
            // is empty. With n >= 3 the previous-token (i - 1), first-token (0), self (i) and duplicate-token
            // (i - n) heads put nothing on i - n + 1, and the uniform head puts 1/(i+1) <= 1/(n+1) <= 1/4 there.
            // Noise moves a score by at most e <= 0.2, so distractors stay <= 0.45 and the induction head >= 0.8.
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(3, 11);
              const auto m = *rc::gen::inRange<std::size_t>(1, n + 1);
              const auto vocab = *rc::gen::inRange<std::size_t>(n, 30);
              auto rng = workbook::oracle::property_rng();
              Tokens segment(vocab);
              for (std::size_t v = 0; v < vocab; ++v) segment[v] = v;
              std::shuffle(segment.begin(), segment.end(), rng);
              segment.resize(n);  // n distinct tokens
              Tokens tokens = segment;
              tokens.insert(tokens.end(), segment.begin(), segment.begin() + std::ptrdiff_t(m));
              const auto count = *rc::gen::inRange<std::size_t>(1, 8);
              std::vector<Kind> distractors;
              for (std::size_t h = 0; h < count; ++h)
                distractors.push_back(all_kinds[*rc::gen::inRange<std::size_t>(0, all_kinds.size() - 1)]);
              std::size_t induction_at = 0;
              const auto bank = to_bank(simulated_bank(tokens, distractors, max_noise, rng, induction_at));
              RC_ASSERT(topic10_2_2::find_induction_head(tokens, bank) == induction_at);
            });
          })
      .hint("Score every head with induction_score and keep the first index with the largest score.");
}

void plots(workbook::Exercise& ex) {
  ex.plot("bank", "the six noise-free heads on [1, 2, 3, 1, 2] side by side (each block: rows = query position, "
                  "columns = key position)",
          [](const Context&) {
            const std::size_t t_len = seed_tokens.size(), gap = 1, width = t_len + gap;
            std::string title;
            for (std::size_t h = 0; h < all_kinds.size(); ++h) title += (h ? " | " : "") + name_of(all_kinds[h]);
            // NaN columns between the blocks are left blank
            xt::xtensor<double, 2> z = xt::xtensor<double, 2>::from_shape({t_len, all_kinds.size() * width - gap});
            z.fill(std::numeric_limits<double>::quiet_NaN());
            for (std::size_t h = 0; h < all_kinds.size(); ++h)
              xt::view(z, xt::all(), xt::range(h * width, h * width + t_len)) = clean_pattern(all_kinds[h], seed_tokens);
            return workbook::heatmap(title, "key positions 0..4 of each head, blocks left to right in the order of the title",
                                     "query position", "attention weight", z);
          });
  ex.plot("scores", "your induction score of each head in a noisy bank on [1, 2, 3, 1, 2]", [](const Context& ctx) {
    auto rng = ctx.rng("plot");
    std::uniform_real_distribution<double> noise(0.0, max_noise);
    std::string title = "Induction score per head on [1, 2, 3, 1, 2]:";
    for (std::size_t h = 0; h < all_kinds.size(); ++h) title += " " + std::to_string(h + 1) + " " + name_of(all_kinds[h]);
    workbook::Series bars{"noise up to 0.2", {}, {}, workbook::Series::Style::boxes};
    for (std::size_t h = 0; h < all_kinds.size(); ++h) {
      const double e = noise(rng);
      bars.x.push_back(h + 1.0);
      bars.y.push_back(topic10_2_2::induction_score(seed_tokens, with_noise(clean_pattern(all_kinds[h], seed_tokens), e, rng)));
    }
    return workbook::xy_plot(title, "head", "induction score", {bars});
  });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Finding the induction head";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::plot};
  ex.statement =
      "Interpretability work finds induction heads by feeding a model text that repeats itself and measuring, "
      "head by head, how much attention goes to the right place: from a token that has occurred before to the "
      "token that followed its earlier occurrence. With a library such as TransformerLens the patterns come out "
      "of the model's activation cache; here they are simulated, a T x T matrix per head whose row i holds the "
      "attention weights of query position i (rows add up to 1, zero above the diagonal).\n\n"
      "Take the input [1, 2, 3, 1, 2, ?], positions counted from 0. The model is at position 4 (the second 2), "
      "about to predict the '?'. An induction head there looks back for the earlier 2 and attends to the "
      "token that followed it, whose value it then helps to predict.\n\n"
      "Measure this with the induction score. For query i let J(i) be the set of key positions j with "
      "1 <= j < i and tokens[j-1] = tokens[i] (each one comes right after an earlier copy of token i), and let "
      "I be the set of queries whose J(i) is not empty. A head with pattern A scores "
      "(1/|I|) * sum over i in I of sum over j in J(i) of A(i, j), the average share of attention that lands on "
      "induction targets, between 0 and 1; it is 0 when I is empty. Implement induction_score and "
      "find_induction_head.\n\n"
      "The simulated heads are of six kinds: previous-token (all weight on i - 1), uniform (1/(i+1) on every "
      "j <= i), first-token (all on position 0), self (all on i), duplicate-token (spread over earlier "
      "copies of token i) and induction (spread over J(i)); the last two put everything on position 0 when "
      "they have no target. Each is blended with a random pattern R as (1 - e) A + e R, e up to 0.2.";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  plots(ex);
}
