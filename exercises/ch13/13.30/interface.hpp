#pragma once
// Interface for ch13/13.30, the parameters of multi-head attention counted head by head. Implement in namespace
// ch13_30. The kit offers nothing of the nn library here.
//
// The layer: model width d, h heads with h dividing d, each head of width d / h. Head i has its own query, key and
// value projections W_Q^i, W_K^i, W_V^i, each mapping d to d / h; the heads' outputs are concatenated (width d) and
// mapped back to d by one output projection W_O. Counts are numbers of scalar parameters.

#include <cstdint>

namespace ch13_30 {

// One head's projections, without biases.
struct HeadCounts {
  std::int64_t query = 0;  // W_Q^i
  std::int64_t key = 0;    // W_K^i
  std::int64_t value = 0;  // W_V^i
};

HeadCounts per_head(std::int64_t d, std::int64_t h);

// W_O's parameters, without its bias.
std::int64_t output_projection(std::int64_t d, std::int64_t h);

// The whole layer without biases: the h heads' projections summed, plus W_O.
std::int64_t total(std::int64_t d, std::int64_t h);

// The whole layer when every projection also has a bias (each head's W_Q^i, W_K^i, W_V^i a bias of its output
// width, W_O one of width d).
std::int64_t total_with_biases(std::int64_t d, std::int64_t h);

}  // namespace ch13_30
