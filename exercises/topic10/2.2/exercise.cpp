// topic10/2.2: picking the induction head out of a bank of attention patterns. The patterns are simulated
// here (one of six kinds of head, blended with random noise drawn from the run's streams) and the position
// of the induction head in the bank is drawn at random, so the expected index is known by construction.
// The oracle for the score is the definition written as plain loops.

#include "topic10/2.2/interface.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "workbook/oracle.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;
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
        total += pattern[i][j];
      }
    queries += has_target;
  }
  return queries == 0 ? 0.0 : total / queries;
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

// Spreads row i evenly over `targets`, or puts it all on position 0 when there are none (real heads with
// nothing to do park their attention on the first token).
void spread(Vector& row, const std::vector<std::size_t>& targets) {
  if (targets.empty()) {
    row[0] = 1;
    return;
  }
  for (std::size_t j : targets) row[j] += 1.0 / targets.size();
}

// The noise-free pattern of one kind of head on `tokens` (T x T, causal, rows adding up to 1).
Matrix clean_pattern(Kind kind, const Tokens& tokens) {
  const std::size_t t_len = tokens.size();
  Matrix pattern(t_len, Vector(t_len, 0.0));
  for (std::size_t i = 0; i < t_len; ++i) {
    std::vector<std::size_t> targets;
    switch (kind) {
      case Kind::previous: targets = {i == 0 ? 0 : i - 1}; break;
      case Kind::uniform:
        for (std::size_t j = 0; j <= i; ++j) targets.push_back(j);
        break;
      case Kind::first: targets = {0}; break;
      case Kind::self: targets = {i}; break;
      case Kind::duplicate:  // earlier copies of the current token
        for (std::size_t j = 0; j < i; ++j)
          if (tokens[j] == tokens[i]) targets.push_back(j);
        break;
      case Kind::induction:  // the positions right after those copies
        for (std::size_t j = 1; j < i; ++j)
          if (tokens[j - 1] == tokens[i]) targets.push_back(j);
        break;
    }
    spread(pattern[i], targets);
  }
  return pattern;
}

// (1 - noise) * pattern + noise * R, with R a random causal pattern (each row uniform draws, normalised).
Matrix with_noise(Matrix pattern, double noise, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    Vector r(i + 1);
    double sum = 0;
    for (auto& v : r) sum += v = uniform(rng);
    for (std::size_t j = 0; j <= i; ++j) pattern[i][j] = (1 - noise) * pattern[i][j] + noise * r[j] / sum;
  }
  return pattern;
}

xt::xtensor<double, 2> to_tensor(const Matrix& m) { return xt::xtensor<double, 2>(workbook::oracle::to_array(m)); }

xt::xtensor<double, 3> to_bank(const std::vector<Matrix>& heads) {
  const std::size_t t_len = heads.front().size();
  xt::xtensor<double, 3> bank = xt::xtensor<double, 3>::from_shape({heads.size(), t_len, t_len});
  for (std::size_t h = 0; h < heads.size(); ++h)
    for (std::size_t i = 0; i < t_len; ++i)
      for (std::size_t j = 0; j < t_len; ++j) bank(h, i, j) = heads[h][i][j];
  return bank;
}

// A bank with one induction head among `distractors`, every head blended with noise in [0, max_noise].
// The induction head goes to a random index, returned in `induction_at`.
std::vector<Matrix> simulated_bank(const Tokens& tokens, std::vector<Kind> distractors, double max_noise,
                                   std::mt19937_64& rng, std::size_t& induction_at) {
  induction_at = std::uniform_int_distribution<std::size_t>(0, distractors.size())(rng);
  distractors.insert(distractors.begin() + induction_at, Kind::induction);
  std::uniform_real_distribution<double> noise(0.0, max_noise);
  std::vector<Matrix> heads;
  for (Kind kind : distractors) heads.push_back(with_noise(clean_pattern(kind, tokens), noise(rng), rng));
  return heads;
}

// A random causal pattern with no structure at all: the general input for the score.
Matrix random_pattern(std::size_t t_len, std::mt19937_64& rng) {
  return with_noise(Matrix(t_len, Vector(t_len, 0.0)), 1.0, rng);
}

const Tokens seed_tokens = {1, 2, 3, 1, 2};
// Noise up to 0.2: the induction head keeps at least 0.8 on its targets, while no distractor can reach
// more than 0.25 + 0.2 on the repeated-segment inputs used below (derivation at part c).
const double max_noise = 0.2;
// The score is a short sum of products: both routes agree to rounding.
const workbook::Tolerance rounding{1e-12, 1e-14};

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Finding the induction head";
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::plot};
  ex.statement =
      "Interpretability work finds induction heads by feeding a model text that repeats itself and measuring, "
      "head by head, how much attention goes to the right place: from a token that has occurred before to the "
      "token that followed its earlier occurrence. With a library such as TransformerLens the patterns come out "
      "of the model's activation cache; here they are simulated, a T x T matrix per head whose row i holds the "
      "attention weights of query position i (rows add up to 1, zero above the diagonal).\n\n"
      "Take the input [1, 2, 3, 1, 2, ?], positions counted from 0. The model is at position 4 (the second 2), "
      "about to predict the '?'. The earlier 2 sits at position 1 and was followed by the 3 at position 2, so "
      "an induction head at position 4 should look at position 2.\n\n"
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

  // ---- (a) by hand --------------------------------------------------------------------------------------
  ex.part("a", 1,
          "For [1, 2, 3, 1, 2], list the (query i, key j) pairs that the score looks at, in order of i, and say "
          "which key position the query at position 4 should attend to.")
      .array_answer("a_pairs", "the pairs (i, j), one per row", {2, 2},
                    [] {
                      Matrix rows;
                      for (const auto& [i, j] : induction_pairs(seed_tokens)) rows.push_back({double(i), double(j)});
                      return workbook::oracle::to_array(rows);
                    },
                    {0, 1e-9})
      .integer_answer("a_target", "the key position for the query at position 4",
                      std::int64_t(induction_pairs(seed_tokens).back().second))
      .hint("Position 0 is never a target: it has no token before it.");

  // ---- (b) the score ------------------------------------------------------------------------------------
  auto& b = ex.part("b", 2, "Implement induction_score.");
  b.check("six clean heads", CheckKind::close,
          "the scores of the six noise-free heads (previous-token, uniform, first-token, self, duplicate-token, "
          "induction) on [1, 2, 3, 1, 2] against the closed form [0, 0.225, 0, 0, 0, 1]",
          [](const Context&) {
            // I = {3, 4}, J(3) = {1}, J(4) = {2}. Only the uniform head, (1/4 + 1/5) / 2 = 0.225, and the
            // induction head, (1 + 1) / 2 = 1, put any weight on (3, 1) or (4, 2); the others look at
            // (i, i-1), (i, 0), (i, i) and, for the duplicate-token head, (3, 0) and (4, 1).
            xt::xarray<double> got = xt::zeros<double>({all_kinds.size()});
            for (std::size_t h = 0; h < all_kinds.size(); ++h)
              got(h) = topic10_2_2::induction_score(seed_tokens, to_tensor(clean_pattern(all_kinds[h], seed_tokens)));
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
            xt::xarray<double> got = xt::zeros<double>({8}), want = got;
            for (std::size_t h = 0; h < 8; ++h) {
              const auto pattern = random_pattern(tokens.size(), rng);
              got(h) = topic10_2_2::induction_score(tokens, to_tensor(pattern));
              want(h) = oracle_score(tokens, pattern);
            }
            return workbook::close(got, want, rounding);
          });
  b.check("any input", CheckKind::property,
          "for random lengths 1..30 and vocabularies of 1..6 tokens (so some inputs have no repeat at all and "
          "score 0), the score of a random pattern matches the plain-loop definition within 1e-12",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto length = *rc::gen::inRange<std::size_t>(1, 31);
              const auto vocab = *rc::gen::inRange<std::size_t>(1, 7);
              const auto tokens = *rc::gen::container<Tokens>(length, rc::gen::inRange<std::size_t>(0, vocab));
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              const auto pattern = random_pattern(length, rng);
              const double got = topic10_2_2::induction_score(tokens, to_tensor(pattern));
              RC_ASSERT(workbook::close(got, oracle_score(tokens, pattern), rounding).status == workbook::Status::pass);
            });
          });
  b.check("period 2", CheckKind::close,
          "the noise-free previous-token head on [1, 2, 1, 2, 1, 2] scores 1, the same as a perfect induction "
          "head: period-2 inputs cannot tell the two apart",
          [](const Context&) {
            const Tokens period_two = {1, 2, 1, 2, 1, 2};
            return workbook::close(
                topic10_2_2::induction_score(period_two, to_tensor(clean_pattern(Kind::previous, period_two))), 1.0,
                rounding);
          })
      .hint("Skip queries with no target entirely: they count neither in the sum nor in |I|.");

  // ---- (c) the detector ---------------------------------------------------------------------------------
  auto& c = ex.part("c", 2,
                    "Implement find_induction_head and use it on [1, 2, 3, 1, 2]: which head puts the most "
                    "attention on the 3 from the current position?");
  c.check("[1,2,3,1,2] bank", CheckKind::equal,
          "a bank of the six kinds of head on [1, 2, 3, 1, 2], each with noise up to 0.2, the five distractors "
          "shuffled and the induction head at a random index: your index against that index",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-bank");
            std::vector<Kind> distractors(all_kinds.begin(), all_kinds.end() - 1);
            std::shuffle(distractors.begin(), distractors.end(), rng);
            std::size_t induction_at = 0;
            const auto bank = to_bank(simulated_bank(seed_tokens, distractors, max_noise, rng, induction_at));
            return workbook::equal(std::int64_t(topic10_2_2::find_induction_head(seed_tokens, bank)),
                                   std::int64_t(induction_at));
          });
  c.check("most attention on the 3", CheckKind::equal,
          "the same kind of bank: your index against the head with the largest weight A(4, 2), the seed's "
          "criterion, found by a plain loop",
          [](const Context& ctx) {
            auto rng = ctx.rng("c-seed-goal");
            std::vector<Kind> distractors(all_kinds.begin(), all_kinds.end() - 1);
            std::shuffle(distractors.begin(), distractors.end(), rng);
            std::size_t induction_at = 0;
            const auto heads = simulated_bank(seed_tokens, distractors, max_noise, rng, induction_at);
            std::size_t most = 0;
            for (std::size_t h = 1; h < heads.size(); ++h)
              if (heads[h][4][2] > heads[most][4][2]) most = h;
            return workbook::equal(std::int64_t(topic10_2_2::find_induction_head(seed_tokens, to_bank(heads))),
                                   std::int64_t(most));
          });
  c.check("repeated segments", CheckKind::property,
          "for a random segment of n = 3..10 distinct tokens followed by its first m = 1..n tokens again, and a "
          "bank of 1..7 random distractors plus one induction head at a random index (noise up to 0.2), your "
          "detector returns the induction head",
          [](const Context& ctx) {
            // Why the answer is unambiguous: in the second copy J(i) = {i - n + 1} and in the first copy J(i)
            // is empty. With n >= 3 the previous-token (i - 1), first-token (0), self (i) and duplicate-token
            // (i - n) heads put nothing on i - n + 1, and the uniform head puts 1/(i+1) <= 1/(n+1) <= 1/4 there.
            // Noise moves a score by at most e <= 0.2, so distractors stay <= 0.45 and the induction head >= 0.8.
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto n = *rc::gen::inRange<std::size_t>(3, 11);
              const auto m = *rc::gen::inRange<std::size_t>(1, n + 1);
              const auto vocab = *rc::gen::inRange<std::size_t>(n, 30);
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              Tokens segment(vocab);
              for (std::size_t v = 0; v < vocab; ++v) segment[v] = v;
              std::shuffle(segment.begin(), segment.end(), rng);
              segment.resize(n);  // n distinct tokens
              Tokens tokens = segment;
              tokens.insert(tokens.end(), segment.begin(), segment.begin() + m);
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

  // ---- plots --------------------------------------------------------------------------------------------
  ex.plot("bank", "the six noise-free heads on [1, 2, 3, 1, 2] side by side (each block: rows = query position, "
                  "columns = key position)",
          [](const Context&) {
            const std::size_t t_len = seed_tokens.size(), gap = 1, width = t_len + gap;
            workbook::Plot p;
            p.kind = workbook::Plot::Kind::heatmap;
            for (std::size_t h = 0; h < all_kinds.size(); ++h) p.title += (h ? " | " : "") + name_of(all_kinds[h]);
            p.xlabel = "key positions 0..4 of each head, blocks left to right in the order of the title";
            p.ylabel = "query position";
            p.zlabel = "attention weight";
            // NaN columns between the blocks are left blank
            p.z = xt::xtensor<double, 2>::from_shape({t_len, all_kinds.size() * width - gap});
            p.z.fill(std::numeric_limits<double>::quiet_NaN());
            for (std::size_t h = 0; h < all_kinds.size(); ++h) {
              const auto pattern = clean_pattern(all_kinds[h], seed_tokens);
              for (std::size_t i = 0; i < t_len; ++i)
                for (std::size_t j = 0; j < t_len; ++j) p.z(i, h * width + j) = pattern[i][j];
            }
            return p;
          });
  ex.plot("scores", "your induction score of each head in a noisy bank on [1, 2, 3, 1, 2]", [](const Context& ctx) {
    auto rng = ctx.rng("plot");
    std::uniform_real_distribution<double> noise(0.0, max_noise);
    workbook::Plot p;
    p.title = "Induction score per head on [1, 2, 3, 1, 2]:";
    for (std::size_t h = 0; h < all_kinds.size(); ++h) p.title += " " + std::to_string(h + 1) + " " + name_of(all_kinds[h]);
    p.xlabel = "head";
    p.ylabel = "induction score";
    workbook::Series bars{"noise up to 0.2", {}, {}, workbook::Series::Style::boxes};
    for (std::size_t h = 0; h < all_kinds.size(); ++h) {
      const auto pattern = with_noise(clean_pattern(all_kinds[h], seed_tokens), noise(rng), rng);
      bars.x.push_back(h + 1.0);
      bars.y.push_back(topic10_2_2::induction_score(seed_tokens, to_tensor(pattern)));
    }
    p.series = {bars};
    return p;
  });
}
