#pragma once
// Interface for ch10/10.20, the entropy of attention heads. Implement the three functions in namespace ch10_20.
// The kit offers nothing of the nn library here: the model is trained by the exercise, and its attention weights
// reach you as arrays.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch10_20 {

// The attention weights of a model over a few sequences: (examples, layers, heads, queries, keys). Entry
// (e, l, h, i, j) is the weight that query position i of head h in layer l gives to key position j on sequence e;
// each row over j is non-negative and sums to 1, and may hold exact zeros.
using Attention = xt::xtensor<double, 5>;

// The entropy of each row of `weights` (rows, n), in nats: H(a) = -sum_j a_j ln a_j, a term with a_j = 0 counting
// as 0. Returns (rows).
xt::xtensor<double, 1> row_entropy(const xt::xtensor<double, 2>& weights);

// The average attention entropy of every head: for layer l and head h, the mean of the entropies of the rows
// (e, l, h, i, :) over every example e and every query position i. Returns (layers, heads).
xt::xtensor<double, 2> head_entropy(const Attention& attention);

struct HeadLabels {
  double threshold = 0;           // your threshold, in nats, strictly between 0 and ln(n_keys)
  xt::xtensor<int, 2> focused;    // (layers, heads): 1 where the head is focused, 0 where it is diffuse
};

// Labels every head of an entropy table (layers, heads) as focused or diffuse, with a threshold of your choice
// for rows over n_keys keys: a head whose entropy is below the threshold is focused, one above it diffuse (a head
// exactly at the threshold may go either way). Return the threshold you used with the labels.
HeadLabels classify_heads(const xt::xtensor<double, 2>& entropy, std::size_t n_keys);

}  // namespace ch10_20
