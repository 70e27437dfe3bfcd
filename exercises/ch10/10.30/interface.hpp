#pragma once
// Interface for ch10/10.30, what a fixed-depth transformer can count. Implement counting_set in namespace ch10_30.
// The kit offers nothing of the nn library here: the data set is what you write.

#include <cstddef>
#include <random>
#include <vector>

namespace ch10_30 {

// Sequences over a vocabulary of four tokens: 0 is A, 1 is B, 2 and 3 are fillers.
struct CountingSet {
  std::vector<int> tokens;  // (count, length) row-major: tokens[i * length + t] is position t of sequence i
  std::vector<int> labels;  // (count): 1 when sequence i holds more A than B, 0 when it holds fewer
  std::size_t count = 0;
  std::size_t length = 0;
};

// count sequences of `length` tokens (length >= 2), drawn from rng, such that:
//  - no sequence holds as many A as B (a tie has no label, so it never appears);
//  - each sequence's label is 1 with probability 1/2, independently of the others;
//  - independently of its label, each sequence is a hard case with probability hard_fraction: its numbers of A and
//    B differ by exactly one; every other sequence's numbers differ by two or more.
// Within those rules the tokens are yours to choose (every position must be able to hold any token).
CountingSet counting_set(std::size_t count, std::size_t length, double hard_fraction, std::mt19937_64& rng);

}  // namespace ch10_30
