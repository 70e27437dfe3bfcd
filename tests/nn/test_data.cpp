// The samplers (split, language-model windows, classification batches) and the synthetic datasets'
// stated properties. Expected values come from the tokens themselves (an identity stream makes a window
// show where it came from) or from plain loops in this file.
#define BOOST_TEST_MODULE nn_data
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "nn/data_loader.hpp"
#include "nn/synthetic.hpp"

namespace {

nn::Tokens identity_stream(int n) {  // token i at position i
  nn::Tokens t(static_cast<std::size_t>(n));
  std::iota(t.begin(), t.end(), 0);
  return t;
}

// Whether an observed frequency is within 5 standard errors of p over n draws.
bool frequency_matches(double observed, double p, std::size_t n) {
  return std::abs(observed - p) <= 5 * std::sqrt(p * (1 - p) / double(n)) + 1e-12;
}

bool same_batch(const nn::LmBatch& a, const nn::LmBatch& b) { return a.inputs == b.inputs && a.targets == b.targets; }

}  // namespace

// ---- split ------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(split_keeps_order_and_cuts_once) {
  const auto tokens = identity_stream(10);
  const auto parts = nn::split(tokens, 0.2);
  BOOST_TEST(parts.train == nn::Tokens({0, 1, 2, 3, 4, 5, 6, 7}));
  BOOST_TEST(parts.val == nn::Tokens({8, 9}));
  BOOST_TEST(nn::split(tokens, 0.0).val.empty());
  BOOST_TEST(nn::split(tokens, 1.0).train.empty());
  BOOST_CHECK_THROW(nn::split(tokens, 1.5), std::invalid_argument);
}

// ---- language-model windows -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(windows_are_contiguous_and_targets_shifted_by_one) {
  const std::size_t batch = 4, time = 8;
  nn::LmLoader loader(identity_stream(50), batch, time, 1);
  for (int draw = 0; draw < 20; ++draw) {
    const auto b = loader.next();
    BOOST_TEST(b.batch == batch);
    BOOST_TEST(b.time == time);
    BOOST_TEST_REQUIRE(b.inputs.size() == batch * time);
    BOOST_TEST_REQUIRE(b.targets.size() == batch * time);
    for (std::size_t r = 0; r < batch; ++r) {
      const int start = b.inputs[r * time];
      BOOST_TEST(start + int(time) <= 49);  // the last target is still inside the stream
      for (std::size_t t = 0; t < time; ++t) {
        BOOST_TEST(b.inputs[r * time + t] == start + int(t));
        BOOST_TEST(b.targets[r * time + t] == start + int(t) + 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_start_is_drawn_including_the_last) {
  // 12 tokens, windows of 4 + 1: starts 0..7. An off-by-one in the range would never draw 7 (or draw 8).
  nn::LmLoader loader(identity_stream(12), 4, 4, 5);
  std::set<int> starts;
  for (int draw = 0; draw < 100; ++draw) {
    const auto b = loader.next();
    for (std::size_t r = 0; r < 4; ++r) starts.insert(b.inputs[r * 4]);
  }
  BOOST_TEST(starts == std::set<int>({0, 1, 2, 3, 4, 5, 6, 7}));
}

BOOST_AUTO_TEST_CASE(same_seed_same_batches_other_seed_other_batches) {
  const auto tokens = identity_stream(1000);
  nn::LmLoader a(tokens, 3, 5, 42), b(tokens, 3, 5, 42), c(tokens, 3, 5, 43);
  bool all_same_as_c = true;
  for (int draw = 0; draw < 5; ++draw) {
    const auto ba = a.next(), bb = b.next(), bc = c.next();
    BOOST_TEST(same_batch(ba, bb));
    all_same_as_c = all_same_as_c && same_batch(ba, bc);
  }
  BOOST_TEST(!all_same_as_c);
}

BOOST_AUTO_TEST_CASE(a_stream_shorter_than_a_window_is_refused) {
  BOOST_CHECK_THROW(nn::LmLoader(identity_stream(8), 2, 8, 0), std::invalid_argument);
  BOOST_CHECK_NO_THROW(nn::LmLoader(identity_stream(9), 2, 8, 0));
}

// ---- classification batches -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(each_epoch_covers_every_index_once) {
  nn::ClassBatcher batcher(10, 4, 7);
  BOOST_TEST(batcher.batches_per_epoch() == 3u);
  std::vector<std::vector<std::size_t>> orders;
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::size_t> seen;
    for (std::size_t i = 0; i < batcher.batches_per_epoch(); ++i) {
      const auto batch = batcher.next();
      BOOST_TEST(batch.size() == (i < 2 ? 4u : 2u));  // the last batch holds the remainder
      BOOST_TEST(batcher.epoch() == epoch);
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
    orders.push_back(seen);
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> all(10);
    std::iota(all.begin(), all.end(), std::size_t(0));
    BOOST_TEST(seen == all);
  }
  BOOST_TEST(!(orders[0] == orders[1] && orders[1] == orders[2]));  // reshuffled each epoch
}

BOOST_AUTO_TEST_CASE(batcher_repeats_with_its_seed) {
  nn::ClassBatcher a(20, 3, 11), b(20, 3, 11), c(20, 3, 12);
  bool all_same_as_c = true;
  for (int i = 0; i < 10; ++i) {
    const auto ba = a.next(), bb = b.next(), bc = c.next();
    BOOST_TEST(ba == bb);
    all_same_as_c = all_same_as_c && ba == bc;
  }
  BOOST_TEST(!all_same_as_c);
}

// ---- synthetic: pattern -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(clean_pattern_repeats_its_motif) {
  const std::size_t count = 5, length = 12, period = 4;
  const auto set = nn::pattern_sequences(count, length, period, 10, 0.0, 3);
  BOOST_TEST(set.count == count);
  BOOST_TEST(set.length == length);
  BOOST_TEST_REQUIRE(set.tokens.size() == count * length);
  BOOST_TEST_REQUIRE(set.targets.size() == count * length);
  std::set<int> motif_tokens;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t row = i * length;
    for (std::size_t t = 0; t + 1 < length; ++t) BOOST_TEST(set.targets[row + t] == set.tokens[row + t + 1]);
    for (std::size_t t = 0; t + period < length; ++t) BOOST_TEST(set.tokens[row + t] == set.tokens[row + t + period]);
    const std::set<int> window(set.tokens.begin() + std::ptrdiff_t(row),
                               set.tokens.begin() + std::ptrdiff_t(row + period));
    BOOST_TEST(window.size() == period);  // distinct motif tokens
    motif_tokens.insert(window.begin(), window.end());
  }
  BOOST_TEST(motif_tokens.size() == period);  // one motif for the whole dataset
}

BOOST_AUTO_TEST_CASE(noisy_pattern_reaches_its_stated_optimum) {
  const std::size_t count = 200, length = 50;
  const int vocab = 8;
  const double noise = 0.3;
  const auto clean = nn::pattern_sequences(count, length, 5, vocab, 0.0, 9);
  const auto noisy = nn::pattern_sequences(count, length, 5, vocab, noise, 9);
  BOOST_TEST(noisy.tokens == nn::pattern_sequences(count, length, 5, vocab, noise, 9).tokens);
  BOOST_TEST(noisy.tokens != nn::pattern_sequences(count, length, 5, vocab, noise, 10).tokens);
  // The oracle that predicts the clean next token scores (1 - noise) + noise / vocab.
  std::size_t hits = 0;
  for (std::size_t i = 0; i < noisy.targets.size(); ++i) hits += noisy.targets[i] == clean.targets[i];
  const double accuracy = double(hits) / double(noisy.targets.size());
  const double optimum = (1 - noise) + noise / vocab;
  BOOST_TEST(frequency_matches(accuracy, optimum, noisy.targets.size()), accuracy << " vs " << optimum);
  BOOST_TEST(!frequency_matches(accuracy, 0.5 + 0.5 / vocab, noisy.targets.size()));  // a wrong noise level shows
}

// ---- synthetic: embedded patterns ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(embedded_patterns_sit_where_their_label_says) {
  const std::size_t count = 3000, length = 20, pattern_length = 5, n_patterns = 3;
  const auto set = nn::embedded_patterns(count, length, pattern_length, n_patterns, 8, 1, 2);
  BOOST_TEST_REQUIRE(set.tokens.size() == count * length);
  BOOST_TEST_REQUIRE(set.labels.size() == count);
  BOOST_TEST_REQUIRE(set.patterns.size() == n_patterns);
  std::vector<std::size_t> per_class(n_patterns + 1), starts(length - pattern_length + 1);
  for (std::size_t i = 0; i < count; ++i) {
    const int label = set.labels[i];
    BOOST_TEST_REQUIRE((label >= 0 && label <= int(n_patterns)));
    ++per_class[std::size_t(label)];
    BOOST_TEST(((label == 0) == (set.starts[i] == -1)));
    if (label == 0) continue;
    ++starts[std::size_t(set.starts[i])];
    const auto at = set.tokens.begin() + std::ptrdiff_t(i * length + std::size_t(set.starts[i]));
    BOOST_TEST(std::equal(at, at + std::ptrdiff_t(pattern_length), set.patterns[std::size_t(label - 1)].begin()));
  }
  for (auto n : per_class) BOOST_TEST(frequency_matches(double(n) / count, 1.0 / (n_patterns + 1), count));
  BOOST_TEST(*std::min_element(starts.begin(), starts.end()) > 0);  // every start is used
  // The same pattern seed gives the same patterns over new sequences; the same seeds the same data.
  const auto other = nn::embedded_patterns(count, length, pattern_length, n_patterns, 8, 1, 3);
  BOOST_TEST((other.patterns == set.patterns));
  BOOST_TEST((other.tokens != set.tokens));
  BOOST_TEST((nn::embedded_patterns(count, length, pattern_length, n_patterns, 8, 1, 2).tokens == set.tokens));
}

// ---- synthetic: StreamRec sessions --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(streamrec_sessions_follow_their_walk_and_hold_their_planted_pairs) {
  nn::StreamRecConfig config;
  config.count = 2000;
  config.length = 30;
  config.distance = 20;
  const auto data = nn::streamrec_sessions(config);
  const std::size_t n = config.count, T = config.length;
  BOOST_TEST_REQUIRE(data.sessions.tokens.size() == n * T);
  BOOST_TEST_REQUIRE(data.n_items == config.n_walk_items + 2 * config.n_pairs);
  const int first_trigger = config.n_walk_items, first_target = config.n_walk_items + config.n_pairs;
  std::size_t plants = 0, saves = 0, stays = 0, moves_on = 0, views = 0;
  std::vector<std::size_t> by_engagement(4);
  double gap_after_view = 0, gap_after_share = 0;
  std::size_t after_view = 0, after_share = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const auto row = data.planted_row[s];
    if (row >= 0) {  // the trigger sits distance positions before the planted target, which is its pair
      ++plants;
      const auto target = data.sessions.targets[s * T + std::size_t(row)];
      const auto trigger = data.sessions.tokens[s * T + std::size_t(row + 1) - config.distance];
      BOOST_TEST_REQUIRE(trigger >= first_trigger);
      BOOST_TEST_REQUIRE(trigger < first_target);
      BOOST_TEST(target == trigger + config.n_pairs);
    }
    for (std::size_t t = 0; t < T; ++t) {
      const auto i = s * T + t;
      const int item = data.sessions.tokens[i], e = data.engagement[i];
      BOOST_TEST_REQUIRE(data.categories[i] == data.item_category[std::size_t(item)]);
      BOOST_TEST_REQUIRE((t > 0 || data.gaps[i] == 0.0));
      BOOST_TEST_REQUIRE(data.gaps[i] >= 0.0);
      ++by_engagement[std::size_t(e)];
      if (item >= first_trigger) BOOST_TEST_REQUIRE(row >= 0);  // pair items appear only when planted
      if (t + 1 < T) {
        const int next = data.categories[i + 1];
        if (data.sessions.tokens[i + 1] >= first_trigger) continue;  // planted, not walked
        const int c = data.categories[i];
        if (e >= 2) ++saves, stays += next == c;
        else ++views, moves_on += next == (c + 1) % config.n_categories;
        if (e == 0) gap_after_view += data.gaps[i + 1], ++after_view;
        if (e == 3) gap_after_share += data.gaps[i + 1], ++after_share;
      }
    }
  }
  BOOST_TEST(frequency_matches(double(plants) / n, config.plant_probability, n));
  // The walk: the category stays after a save or share and moves on after a view or click, but for the noise
  // (a uniform item lands in the expected category with probability 1 / n_categories).
  const double kept = (1 - config.noise) + config.noise / config.n_categories;
  BOOST_TEST(frequency_matches(double(stays) / saves, kept, saves));
  BOOST_TEST(frequency_matches(double(moves_on) / views, kept, views));
  const double total = double(n * T);
  BOOST_TEST(frequency_matches(by_engagement[0] / total, 0.6, n * T));
  BOOST_TEST(frequency_matches(by_engagement[3] / total, 0.05, n * T));
  BOOST_TEST(gap_after_view / after_view < 1.2);  // mean 1 minute
  BOOST_TEST(gap_after_share / after_share > 5.5);  // mean 7 minutes
  const auto again = nn::streamrec_sessions(config);
  BOOST_TEST((again.sessions.tokens == data.sessions.tokens));
  BOOST_TEST((again.gaps == data.gaps));
  auto held_out = config;  // new sessions over the same catalogue
  held_out.seed = 2;
  const auto other = nn::streamrec_sessions(held_out);
  BOOST_TEST((other.item_category == data.item_category));
  BOOST_TEST((other.sessions.tokens != data.sessions.tokens));
}

// ---- synthetic: counting ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(counting_targets_are_inclusive_prefix_counts) {
  const std::size_t count = 10, length = 30;
  const int counted = 2;
  const auto set = nn::counting_sequences(count, length, 4, counted, 5);
  BOOST_TEST(set.tokens == nn::counting_sequences(count, length, 4, counted, 5).tokens);
  bool exclusive_count_matches = true;
  for (std::size_t i = 0; i < count; ++i) {
    int so_far = 0;
    for (std::size_t t = 0; t < length; ++t) {
      const int before = so_far;
      so_far += set.tokens[i * length + t] == counted;
      BOOST_TEST(set.targets[i * length + t] == so_far);
      exclusive_count_matches = exclusive_count_matches && set.targets[i * length + t] == before;
      BOOST_TEST((set.tokens[i * length + t] >= 0 && set.tokens[i * length + t] < 4));
    }
  }
  BOOST_TEST(!exclusive_count_matches);  // counting "so far, excluding this token" would be caught
}

// ---- synthetic: long-range dependency ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_planted_key_alone_determines_the_target) {
  const std::size_t count = 300, length = 20, distance = 13;
  const int n_keys = 4, vocab = 12;
  const auto set = nn::long_range_sequences(count, length, distance, n_keys, vocab, 8);
  BOOST_TEST(set.tokens == nn::long_range_sequences(count, length, distance, n_keys, vocab, 8).tokens);
  std::vector<int> key_counts(n_keys, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t row = i * length;
    const int key = set.tokens[row + length - 1 - distance];
    BOOST_TEST_REQUIRE((key >= 0 && key < n_keys));
    ++key_counts[std::size_t(key)];
    BOOST_TEST(set.targets[row + length - 1] == key);
    for (std::size_t t = 0; t < length; ++t) {
      if (t != length - 1 - distance) BOOST_TEST((set.tokens[row + t] >= n_keys && set.tokens[row + t] < vocab));
      if (t != length - 1) BOOST_TEST(set.targets[row + t] == nn::ignore_index);
    }
  }
  // Keys uniform: the stated chance level 1 / n_keys holds for a model that cannot see the key.
  for (int k : key_counts) BOOST_TEST(frequency_matches(double(k) / count, 1.0 / n_keys, count));
  BOOST_CHECK_THROW(nn::long_range_sequences(1, 5, 5, 2, 4, 0), std::invalid_argument);
}

// ---- synthetic: sessions ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(session_features_are_balanced_one_hot_categories) {
  const auto data = nn::session_sequences(4, 6, 12, 3, 0.0, 2);
  BOOST_TEST_REQUIRE(data.category.size() == 12u);
  BOOST_TEST_REQUIRE((data.features.shape(0) == 12u && data.features.shape(1) == 3u));
  std::vector<int> sizes(3, 0);
  for (std::size_t j = 0; j < 12; ++j) {
    ++sizes[std::size_t(data.category[j])];
    for (std::size_t c = 0; c < 3; ++c) BOOST_TEST(data.features(j, c) == (int(c) == data.category[j] ? 1.0 : 0.0));
  }
  BOOST_TEST(sizes == std::vector<int>({4, 4, 4}));
  BOOST_CHECK_THROW(nn::session_sequences(1, 2, 10, 3, 0.0, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(next_item_follows_the_category_rule) {
  const std::size_t count = 100, length = 40;
  const int n_items = 20, n_categories = 4;
  const double noise = 0.25;
  for (double level : {0.0, noise}) {
    const auto data = nn::session_sequences(count, length, n_items, n_categories, level, 6);
    const auto& s = data.sessions;
    BOOST_TEST_REQUIRE(s.tokens.size() == count * length);
    BOOST_TEST(s.tokens == nn::session_sequences(count, length, n_items, n_categories, level, 6).sessions.tokens);
    std::size_t follows = 0;
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t t = 0; t < length; ++t) {
        const std::size_t at = i * length + t;
        if (t + 1 < length) BOOST_TEST(s.targets[at] == s.tokens[at + 1]);
        const int c = data.category[std::size_t(s.tokens[at])];
        follows += data.category[std::size_t(s.targets[at])] == (c + 1) % n_categories;
      }
    // the stated optimal category accuracy: (1 - noise) + noise / n_categories
    const double rate = double(follows) / double(count * length);
    const double stated = (1 - level) + level / n_categories;
    BOOST_TEST(frequency_matches(rate, stated, count * length), "noise " << level << ": " << rate << " vs " << stated);
  }
}
