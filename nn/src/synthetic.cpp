#include "nn/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace nn {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("synthetic data: " + what);
}

int uniform_int(std::mt19937_64& rng, int lo, int hi) {  // lo..hi inclusive
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// streams (count, length + 1) -> tokens = each stream's first length, targets = its last length.
SequenceSet next_token_set(const Tokens& streams, std::size_t count, std::size_t length) {
  SequenceSet set{Tokens(count * length), Tokens(count * length), count, length};
  for (std::size_t i = 0; i < count; ++i) {
    const auto row = streams.begin() + std::ptrdiff_t(i * (length + 1));
    std::copy_n(row, length, set.tokens.begin() + std::ptrdiff_t(i * length));
    std::copy_n(row + 1, length, set.targets.begin() + std::ptrdiff_t(i * length));
  }
  return set;
}

Tokens distinct_tokens(std::size_t how_many, int vocab, std::mt19937_64& rng) {
  Tokens all(static_cast<std::size_t>(vocab));
  std::iota(all.begin(), all.end(), 0);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(how_many);
  return all;
}

// A second generator for the noise, so that the clean data depends on the seed alone, not on the noise level.
std::mt19937_64 noise_generator(std::uint64_t seed) { return std::mt19937_64(seed ^ 0x9e3779b97f4a7c15ULL); }

}  // namespace

// ---- (1) pattern -----------------------------------------------------------------------------------

SequenceSet pattern_sequences(std::size_t count, std::size_t length, std::size_t period, int vocab, double noise,
                              std::uint64_t seed) {
  require(period >= 1 && period <= std::size_t(std::max(vocab, 0)), "pattern: need 1 <= period <= vocab");
  require(noise >= 0 && noise <= 1, "pattern: noise must lie in [0, 1]");
  std::mt19937_64 rng(seed);
  auto noise_rng = noise_generator(seed);
  std::bernoulli_distribution corrupted(noise);
  const Tokens motif = distinct_tokens(period, vocab, rng);
  Tokens streams(count * (length + 1));
  for (std::size_t i = 0; i < count; ++i) {
    const auto phase = std::size_t(uniform_int(rng, 0, int(period) - 1));
    for (std::size_t t = 0; t <= length; ++t) {
      int token = motif[(phase + t) % period];
      if (corrupted(noise_rng)) token = uniform_int(noise_rng, 0, vocab - 1);
      streams[i * (length + 1) + t] = token;
    }
  }
  return next_token_set(streams, count, length);
}

// ---- (2) counting ----------------------------------------------------------------------------------

SequenceSet counting_sequences(std::size_t count, std::size_t length, int vocab, int counted, std::uint64_t seed) {
  require(vocab >= 1 && counted >= 0 && counted < vocab, "counting: need 0 <= counted < vocab");
  std::mt19937_64 rng(seed);
  SequenceSet set{Tokens(count * length), Tokens(count * length), count, length};
  for (std::size_t i = 0; i < count; ++i) {
    int so_far = 0;
    for (std::size_t t = 0; t < length; ++t) {
      const int token = uniform_int(rng, 0, vocab - 1);
      so_far += token == counted;
      set.tokens[i * length + t] = token;
      set.targets[i * length + t] = so_far;
    }
  }
  return set;
}

// ---- (3) long-range dependency ---------------------------------------------------------------------

SequenceSet long_range_sequences(std::size_t count, std::size_t length, std::size_t distance, int n_keys, int vocab,
                                 std::uint64_t seed) {
  require(n_keys >= 1 && vocab > n_keys, "long range: need 1 <= n_keys < vocab (room for distractors)");
  require(distance < length, "long range: need distance < length");
  std::mt19937_64 rng(seed);
  SequenceSet set{Tokens(count * length), Tokens(count * length, ignore_index), count, length};
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t row = i * length;
    for (std::size_t t = 0; t < length; ++t) set.tokens[row + t] = uniform_int(rng, n_keys, vocab - 1);
    const int key = uniform_int(rng, 0, n_keys - 1);
    set.tokens[row + length - 1 - distance] = key;
    set.targets[row + length - 1] = key;
  }
  return set;
}

// ---- (4) sessions with item features ---------------------------------------------------------------

namespace {

// Balanced random categories: item j gets category j mod n_categories, then the labels are shuffled.
std::vector<int> random_categories(int n_items, int n_categories, std::mt19937_64& rng) {
  std::vector<int> category(static_cast<std::size_t>(n_items));
  for (int j = 0; j < n_items; ++j) category[std::size_t(j)] = j % n_categories;
  std::shuffle(category.begin(), category.end(), rng);
  return category;
}

std::vector<Tokens> members_by_category(const std::vector<int>& category, int n_categories) {
  std::vector<Tokens> members(static_cast<std::size_t>(n_categories));
  for (std::size_t j = 0; j < category.size(); ++j) members[std::size_t(category[j])].push_back(int(j));
  return members;
}

// category (n_items) -> (n_items, n_categories) one-hot rows.
Matrix<double> one_hot(const std::vector<int>& category, int n_categories) {
  Matrix<double> features = xt::zeros<double>({category.size(), std::size_t(n_categories)});
  for (std::size_t j = 0; j < category.size(); ++j) features(j, std::size_t(category[j])) = 1.0;
  return features;
}

}  // namespace

SessionData session_sequences(std::size_t count, std::size_t length, int n_items, int n_categories, double noise,
                              std::uint64_t seed) {
  require(n_categories >= 1 && n_items >= n_categories && n_items % n_categories == 0,
          "sessions: n_categories must divide n_items");
  require(noise >= 0 && noise <= 1, "sessions: noise must lie in [0, 1]");
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution wanders(noise);
  const auto category = random_categories(n_items, n_categories, rng);
  const auto members = members_by_category(category, n_categories);
  const int group_size = n_items / n_categories;
  Tokens streams(count * (length + 1));
  for (std::size_t i = 0; i < count; ++i) {
    int item = uniform_int(rng, 0, n_items - 1);
    for (std::size_t t = 0; t <= length; ++t) {
      streams[i * (length + 1) + t] = item;
      const auto& next_group = members[std::size_t((category[std::size_t(item)] + 1) % n_categories)];
      item = wanders(rng) ? uniform_int(rng, 0, n_items - 1)
                          : next_group[std::size_t(uniform_int(rng, 0, group_size - 1))];
    }
  }
  return {next_token_set(streams, count, length), one_hot(category, n_categories), category};
}

// ---- (5) embedded patterns ---------------------------------------------------------------------------

LabelledSequences embedded_patterns(std::size_t count, std::size_t length, std::size_t pattern_length,
                                    std::size_t n_patterns, int vocab, std::uint64_t pattern_seed,
                                    std::uint64_t sequence_seed) {
  require(pattern_length >= 1 && pattern_length <= length, "embedded patterns: need 1 <= pattern_length <= length");
  require(n_patterns >= 1 && vocab >= 2, "embedded patterns: need a pattern and two tokens");
  require(std::pow(double(vocab), double(pattern_length)) >= 2.0 * double(n_patterns),
          "embedded patterns: too few distinct patterns of that length");
  std::mt19937_64 pattern_rng(pattern_seed);
  LabelledSequences set;
  set.count = count;
  set.length = length;
  while (set.patterns.size() < n_patterns) {
    Tokens pattern(pattern_length);
    for (auto& token : pattern) token = uniform_int(pattern_rng, 0, vocab - 1);
    if (std::find(set.patterns.begin(), set.patterns.end(), pattern) == set.patterns.end())
      set.patterns.push_back(pattern);
  }
  std::mt19937_64 rng(sequence_seed);
  set.tokens.resize(count * length);
  for (auto& token : set.tokens) token = uniform_int(rng, 0, vocab - 1);
  for (std::size_t i = 0; i < count; ++i) {
    const int label = uniform_int(rng, 0, int(n_patterns));
    set.labels.push_back(label);
    set.starts.push_back(label == 0 ? -1 : uniform_int(rng, 0, int(length - pattern_length)));
    if (label > 0)
      std::copy(set.patterns[std::size_t(label - 1)].begin(), set.patterns[std::size_t(label - 1)].end(),
                set.tokens.begin() + std::ptrdiff_t(i * length + std::size_t(set.starts.back())));
  }
  return set;
}

// ---- (6) StreamRec sessions ---------------------------------------------------------------------------

StreamRecSessions streamrec_sessions(const StreamRecConfig& c) {
  require(c.n_categories >= 1 && c.n_walk_items >= c.n_categories && c.n_walk_items % c.n_categories == 0,
          "StreamRec: n_categories must divide n_walk_items");
  require(c.n_pairs >= 1 && c.distance >= 1 && c.distance <= c.length, "StreamRec: need a pair and 1 <= distance <= length");
  require(c.noise >= 0 && c.noise <= 1 && c.plant_probability >= 0 && c.plant_probability <= 1,
          "StreamRec: noise and plant_probability are probabilities");
  std::mt19937_64 catalogue_rng(c.catalogue_seed), rng(c.seed);
  StreamRecSessions out;
  out.n_items = c.n_walk_items + 2 * c.n_pairs;
  out.item_category = random_categories(c.n_walk_items, c.n_categories, catalogue_rng);
  const auto members = members_by_category(out.item_category, c.n_categories);
  for (int i = 0; i < 2 * c.n_pairs; ++i) out.item_category.push_back(uniform_int(catalogue_rng, 0, c.n_categories - 1));
  const int group_size = c.n_walk_items / c.n_categories;
  std::bernoulli_distribution wanders(c.noise), planted(c.plant_probability);
  std::discrete_distribution<int> engaging({0.6, 0.25, 0.1, 0.05});

  const std::size_t events = c.length + 1;
  Tokens items(c.count * events);
  out.categories.resize(c.count * c.length);
  out.gaps.resize(c.count * c.length);
  out.engagement.resize(c.count * c.length);
  out.planted_row.assign(c.count, -1);
  for (std::size_t s = 0; s < c.count; ++s) {
    int t0 = -1, pair = 0;
    if (planted(rng)) {
      t0 = uniform_int(rng, 0, int(c.length - c.distance));
      pair = uniform_int(rng, 0, c.n_pairs - 1);
      out.planted_row[s] = t0 + int(c.distance) - 1;
    }
    int item = uniform_int(rng, 0, c.n_walk_items - 1), previous_engagement = 0;
    for (std::size_t t = 0; t < events; ++t) {
      if (t0 >= 0 && t == std::size_t(t0)) item = c.n_walk_items + pair;
      if (t0 >= 0 && t == std::size_t(t0) + c.distance) item = c.n_walk_items + c.n_pairs + pair;
      items[s * events + t] = item;
      const int category = out.item_category[std::size_t(item)], engagement = engaging(rng);
      const double gap = t == 0 ? 0.0 : std::exponential_distribution<double>(1.0 / (1 + 2 * previous_engagement))(rng);
      if (t < c.length) {
        out.categories[s * c.length + t] = category;
        out.gaps[s * c.length + t] = gap;
        out.engagement[s * c.length + t] = engagement;
      }
      previous_engagement = engagement;
      const auto& group = members[std::size_t(engagement >= 2 ? category : (category + 1) % c.n_categories)];
      item = wanders(rng) ? uniform_int(rng, 0, c.n_walk_items - 1) : group[std::size_t(uniform_int(rng, 0, group_size - 1))];
    }
  }
  out.sessions = next_token_set(items, c.count, c.length);
  return out;
}

}  // namespace nn
