#pragma once
// Interface for arch13/16, four ways to pick the next token. Implement the five functions in namespace arch13_16.
// The kit offers nothing of the nn library here: the distributions and the draw are what you write.

#include <cstddef>
#include <random>
#include <vector>

namespace arch13_16 {

// Each decoder turns one row of logits (one score per token id 0..vocab-1) into the distribution it draws from:
// a probability per token id, summing to 1, zero for every token it never picks.

// Greedy decoding: all the mass on the most likely token; among equal logits, the lowest id.
std::vector<double> greedy(const std::vector<double>& logits);

// Temperature sampling: softmax(logits / temperature), temperature > 0.
std::vector<double> with_temperature(const std::vector<double>& logits, double temperature);

// Top-k sampling: softmax(logits / temperature) kept on the k tokens of largest logit (among equal logits, lower
// ids first), zero elsewhere, renormalised. k >= 1; k >= vocab keeps every token.
std::vector<double> top_k(const std::vector<double>& logits, std::size_t k, double temperature);

// Nucleus (top-p) sampling: order the tokens by their probability under softmax(logits / temperature), most likely
// first (among equals, lower ids first); keep the shortest prefix of that order whose probabilities add up to at
// least p, zero elsewhere, renormalised. 0 < p <= 1.
std::vector<double> nucleus(const std::vector<double>& logits, double p, double temperature);

// `count` independent draws of a token id from `distribution` (as the four functions above return it), using only
// `rng` for randomness.
std::vector<int> draw(const std::vector<double>& distribution, std::size_t count, std::mt19937_64& rng);

}  // namespace arch13_16
