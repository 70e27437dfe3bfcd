#pragma once
// Seeded synthetic datasets for the exercises: small tasks whose best possible accuracy is known, so a
// trained model can be judged against it. Same arguments and seed -> same data.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

// count sequences of length positions, row-major (count, length): tokens[i * length + t] is the input at
// position t of sequence i and targets[i * length + t] what is predicted there; ignore_index marks
// positions that are not scored.
struct SequenceSet {
  Tokens tokens;
  Tokens targets;
  std::size_t count = 0;
  std::size_t length = 0;
};

// (1) A repeating motif with noise. The motif is `period` distinct tokens of [0, vocab) (period <= vocab),
// fixed for the whole dataset; each sequence reads it from a random phase. Every token of the stream is
// replaced, with probability `noise`, by a uniform token of [0, vocab). targets are the stream's next
// tokens (noisy too), so this is plain next-token prediction.
// Optimal accuracy: (1 - noise) + noise / vocab. The next token is the motif's next token with that
// probability and any other given token with probability noise / vocab, so no predictor does better; one
// that knows the motif and has found the phase from the context does as well.
// The clean stream depends on the seed only: noise = 0 with the same seed gives the uncorrupted tokens.
SequenceSet pattern_sequences(std::size_t count, std::size_t length, std::size_t period, int vocab, double noise,
                              std::uint64_t seed);

// (2) Counting. Tokens uniform in [0, vocab); the target at position t is how many of tokens 0..t
// (inclusive) equal `counted`, a class in [0, length].
// Optimal accuracy: 1 (the target is a function of the prefix).
SequenceSet counting_sequences(std::size_t count, std::size_t length, int vocab, int counted, std::uint64_t seed);

// (3) A planted long-range dependency. Tokens [0, n_keys) are keys, [n_keys, vocab) distractors. Each
// sequence is distractors except one uniform key at position length - 1 - distance; only the last
// position is scored, and its target is that key (distance = how far back from the predicting position
// the key sits, in [0, length - 1]).
// Optimal accuracy: 1 for a model that sees `distance` positions back; 1 / n_keys (chance) for one that
// does not, since the distractors carry no information about the key.
SequenceSet long_range_sequences(std::size_t count, std::size_t length, std::size_t distance, int n_keys, int vocab,
                                 std::uint64_t seed);

// (4) Users' sessions over a catalogue of items, each item with a feature vector.
// Items 0..n_items-1 fall into n_categories equal groups at random (n_categories divides n_items); an
// item's features are the one-hot of its category. A session starts at a uniform item; the next item is,
// with probability 1 - noise, a uniform item of category (c + 1) mod n_categories where c is the current
// item's category, and otherwise a uniform item of the whole catalogue. The next item depends on the
// current one through its features only, so a model reading features can score items it never saw.
// Optimal accuracy, next item: (1 - noise) / g + noise / n_items with g = n_items / n_categories (guess any
// item of the next category); next item's category: (1 - noise) + noise / n_categories.
struct SessionData {
  SequenceSet sessions;      // item ids; the target is the session's next item
  Matrix<double> features;   // (n_items, n_categories)
  std::vector<int> category;  // (n_items)
};
SessionData session_sequences(std::size_t count, std::size_t length, int n_items, int n_categories, double noise,
                              std::uint64_t seed);

// (5) Embedded patterns: chapter 10's pattern-classification task (data/README.md). n_patterns patterns of
// pattern_length tokens each are drawn once from [0, vocab), all different (fixed by the seed). A sequence
// is `length` uniform tokens of [0, vocab) and has a class uniform in [0, n_patterns]: class 0 embeds
// nothing; class c >= 1 overwrites positions s .. s + pattern_length - 1 with pattern c - 1, the start s
// uniform in [0, length - pattern_length]. The label says whether a pattern appears and which.
// Optimal accuracy: just below 1. A sequence is ambiguous only when its background already spells a
// pattern somewhere, which happens with probability at most
// n_patterns (length - pattern_length + 1) / vocab^pattern_length.
struct LabelledSequences {
  Tokens tokens;  // (count, length) row-major
  Tokens labels;  // (count)
  Tokens starts;  // (count): where the pattern starts, -1 for class 0
  std::vector<Tokens> patterns;
  std::size_t count = 0;
  std::size_t length = 0;
};
LabelledSequences embedded_patterns(std::size_t count, std::size_t length, std::size_t pattern_length,
                                    std::size_t n_patterns, int vocab, std::uint64_t pattern_seed,
                                    std::uint64_t sequence_seed);

// (6) StreamRec sessions (data/README.md): one user's visit to a streaming platform, an event per position: the
// item, its category, the minutes since the previous event and how the user engaged with it (0 view, 1 click,
// 2 save, 3 share). Used by chapter 10's StreamRec exercises (10.26-10.29).
// Items [0, n_walk_items) are the catalogue the walk visits, split into n_categories equal groups at random as in
// (4). Items [n_walk_items, n_walk_items + n_pairs) are triggers and the next n_pairs are their targets: trigger p
// is paired with target p; the walk never visits either, and each has a uniform category.
// The walk: the first item is a uniform catalogue item; after an event on category c with engagement e the next
// item is, with probability noise, a uniform catalogue item; otherwise a uniform item of category c when e >= 2
// (saved or shared: more of the same) and of category (c + 1) mod n_categories when e <= 1. Engagement is drawn
// on its own at each event: view 0.6, click 0.25, save 0.1, share 0.05. The gap before an event is exponential
// with mean 1 + 2 e' minutes, e' the previous event's engagement (the first event's gap is 0).
// Planted dependency: with probability plant_probability a session holds one pair: trigger p (uniform) at a
// position t0 uniform in [0, length - distance], its target at t0 + distance; the walk goes on from each as from
// any item. targets[t] is the item at t + 1 (one event past the last position is generated for it).
// Best possible next-item accuracy: on the row whose target is the planted one (planted_row), 1 for a model that
// sees distance - 1 positions back and 1 / n_pairs for one that does not (any trigger was equally likely);
// on the walk's rows (1 - noise) / g + noise / n_walk_items with g = n_walk_items / n_categories, for a model
// that reads the current item's category and engagement.
struct StreamRecConfig {
  std::size_t count = 1000;
  std::size_t length = 50;
  int n_walk_items = 200;
  int n_categories = 10;  // divides n_walk_items
  int n_pairs = 10;
  double noise = 0.1;
  double plant_probability = 0.5;
  std::size_t distance = 10;  // k: how far after the trigger its target comes, in [1, length]
  std::uint64_t catalogue_seed = 1;  // the items' categories: training and held-out sessions share it
  std::uint64_t seed = 1;            // the sessions
};
struct StreamRecSessions {
  SequenceSet sessions;            // item ids, (count, length); targets: the next item
  Tokens categories;               // (count, length): each event's item category
  std::vector<double> gaps;        // (count, length): minutes since the previous event
  Tokens engagement;               // (count, length): 0 view, 1 click, 2 save, 3 share
  Tokens planted_row;              // (count): the position whose target is the planted target, -1 when none
  std::vector<int> item_category;  // (n_items)
  int n_items = 0;                 // n_walk_items + 2 n_pairs: the vocabulary of item ids
};
StreamRecSessions streamrec_sessions(const StreamRecConfig& config);

}  // namespace nn
