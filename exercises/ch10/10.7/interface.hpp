#pragma once
// Interface for ch10/10.7, the parameters of a transformer block. Implement block_parameters in namespace
// ch10_7.

#include <cstddef>
#include <string>
#include <vector>

namespace ch10_7 {

enum class Component { attention, feed_forward, layer_norm };

// One parameter tensor of the block: the component it belongs to, a name of your choice ("w_q", "ln1.gain",
// ...) and its shape.
struct ParameterTensor {
  Component component;
  std::string name;
  std::vector<std::size_t> shape;
};

// Every parameter tensor of one transformer block: multi-head self-attention with `heads` heads (query, key and
// value projections and the output projection, the heads splitting d_model evenly), a feed-forward network
// d_model -> d_ff -> d_model (two linear layers), and two LayerNorms over d_model, each with a gain and a shift.
// with_biases: whether the linear layers (the attention projections and the two FFN layers) carry bias vectors.
// The LayerNorms' gains and shifts are listed either way.
std::vector<ParameterTensor> block_parameters(std::size_t d_model, std::size_t heads, std::size_t d_ff,
                                              bool with_biases);

}  // namespace ch10_7
