#pragma once
// Text generation from a Gpt: greedy, temperature, top-k and nucleus (top-p) sampling, with or without the
// KV cache, and speculative decoding with a small draft model checked by the target model.
#include <random>

#include "nn/gpt.hpp"

namespace nn {

struct Sampling {
  bool greedy = false;       // argmax; the other fields are then ignored
  double temperature = 1.0;  // > 0
  std::size_t top_k = 0;     // keep the k most likely tokens; 0 keeps all
  double top_p = 1.0;        // keep the smallest set of most likely tokens whose probability reaches top_p
};

// The distribution a sampler draws from: softmax(logits / temperature), cut to top-k and to the nucleus,
// renormalised. Greedy: all mass on the argmax (the lowest index among ties).
std::vector<double> next_token_distribution(const float* logits, std::size_t vocab, const Sampling& sampling);
std::vector<double> next_token_distribution(const double* logits, std::size_t vocab, const Sampling& sampling);

// One draw from a distribution (inverse CDF on one uniform number).
int draw(const std::vector<double>& distribution, std::mt19937_64& rng);

// n_new tokens after prompt. With use_cache each step feeds one token through the KV cache; without it each
// step recomputes the whole sequence. Same seed, same tokens either way (the caches' logits equal the
// recomputed ones up to rounding, checked in the tests). prompt + n_new must fit the context.
template <class T>
Tokens generate(const Gpt<T>& model, const Tokens& prompt, std::size_t n_new, const Sampling& sampling,
                std::uint64_t seed, bool use_cache = true);

struct SpeculativeStats {
  std::size_t proposed = 0;  // draft tokens offered to the target
  std::size_t accepted = 0;  // of those, accepted
  std::size_t target_calls = 0;  // forward passes of the target model
};

// Speculative decoding (Leviathan et al. 2023): the draft proposes `lookahead` tokens, the target scores all
// of them in one pass; token x is kept with probability min(1, p(x)/q(x)), the first rejected one is
// replaced by a draw from max(0, p - q) renormalised, and when all are kept one more token comes from p.
// The output has exactly the target's distribution; with greedy sampling it equals the target's greedy
// output token for token.
template <class T>
Tokens speculative_generate(const Gpt<T>& target, const Gpt<T>& draft, const Tokens& prompt, std::size_t n_new,
                            std::size_t lookahead, const Sampling& sampling, std::uint64_t seed,
                            SpeculativeStats* stats = nullptr);

}  // namespace nn
