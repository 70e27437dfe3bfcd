#pragma once
// Interface for ch10/10.9, causal and prefix-LM masks. Implement the three functions in namespace ch10_9.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_9 {

// Masks are n x n and added to the scores: entry (i, j) is 0 where query i may attend to key j and
// -infinity where it may not. Positions are counted from 0 in code.

// The causal mask of a decoder: query i may attend to keys 0 .. i.
xt::xtensor<double, 2> causal_mask(std::size_t n);

// The prefix-LM mask: positions 0 .. prefix_length - 1 form the prefix, the rest the target. A prefix query
// attends to every prefix key and to no target key; a target query attends to every prefix key and to the
// target keys up to and including its own position. 0 <= prefix_length <= n.
xt::xtensor<double, 2> prefix_lm_mask(std::size_t n, std::size_t prefix_length);

// For every matrix b of the batch (scores of shape (batch, n, n)): softmax along each row of
// scores[b] + mask. A key masked with -infinity must get weight exactly 0. Every row of the mask has at least
// one 0 entry. Returns the weights, same shape as the scores.
xt::xtensor<double, 3> masked_softmax(const xt::xtensor<double, 3>& scores, const xt::xtensor<double, 2>& mask);

}  // namespace ch10_9
