#pragma once
// Interface for arch13/10, telling three generation bugs apart. Implement the three tests in namespace arch13_10.
// The kit offers nothing of the nn library here: the models run in the grader, you get what they computed.

#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_10 {

// What the grader measured on one model (a GPT: V = 65 tokens, logits computed in float, sent in double). The
// model has a training path (one forward over a whole sequence, as training runs it) and a generation path
// (what generation runs: from scratch over a prefix, or one token at a time with a KV cache). Every table has one
// row per position t of `tokens`, the logits that predict token t + 1.
struct Observations {
  std::vector<std::int64_t> tokens;   // the sequence, T tokens
  std::int64_t changed_from;          // `altered` equals `tokens` before this position and differs from it on
  std::vector<std::int64_t> altered;  // every position from here on
  xt::xtensor<double, 2> training;          // (T, V): the training path's one forward over `tokens`
  xt::xtensor<double, 2> training_altered;  // (T, V): the same over `altered`
  xt::xtensor<double, 2> generation_recomputed;  // (T, V): row t is the last row of the generation path's
                                                 // forward from scratch over tokens 0 .. t
  xt::xtensor<double, 2> generation_cached;      // (T, V): row t is what the generation path returns when token t
                                                 // is fed to it after tokens 0 .. t - 1, through its KV cache
};

// Each test looks at one model's observations and says whether that model has the bug the test is for. On a
// healthy model every test must say false; on a model with one of the three bugs, exactly that bug's test true.
bool flags_missing_mask(const Observations& seen);       // attention not causal: a position sees later ones
bool flags_position_mismatch(const Observations& seen);  // positions applied differently when generating
bool flags_broken_cache(const Observations& seen);       // the KV cache loses or corrupts what it stores

}  // namespace arch13_10
