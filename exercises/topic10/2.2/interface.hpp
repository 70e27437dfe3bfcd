#pragma once
// Interface for topic10/2.2, finding the induction head among attention patterns. Implement both functions
// in namespace topic10_2_2.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace topic10_2_2 {

// The induction score of one head on one input. pattern is T x T: row i holds the weights from query
// position i over key positions j (rows add up to 1, zero above the diagonal); tokens has length T.
// With J(i) = { j : 1 <= j < i and tokens[j-1] == tokens[i] } (the positions right after an earlier
// occurrence of token i) and I = { i : J(i) is not empty }, the score is
//     (1 / |I|) * sum over i in I of ( sum over j in J(i) of pattern(i, j) ),
// and 0 when I is empty.
double induction_score(const std::vector<std::size_t>& tokens, const xt::xtensor<double, 2>& pattern);

// patterns is H x T x T, one pattern per head. Returns the index of the head with the highest induction
// score (the lowest such index on a tie).
std::size_t find_induction_head(const std::vector<std::size_t>& tokens, const xt::xtensor<double, 3>& patterns);

}  // namespace topic10_2_2
