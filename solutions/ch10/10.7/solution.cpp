// Reference solution for ch10/10.7: the block's tensors, listed as a PyTorch module would hold them.

#include "ch10/10.7/interface.hpp"

namespace ch10_7 {

std::vector<ParameterTensor> block_parameters(std::size_t d_model, std::size_t heads, std::size_t d_ff,
                                              bool with_biases) {
  std::vector<ParameterTensor> tensors;
  auto add = [&](Component component, std::string name, std::vector<std::size_t> shape) {
    tensors.push_back({component, std::move(name), std::move(shape)});
  };
  // Attention: per head, d_model -> d_model / heads for queries, keys and values; then (heads x width) -> d_model.
  const std::size_t width = d_model / heads;
  for (std::size_t h = 0; h < heads; ++h)
    for (const char* map : {"w_q", "w_k", "w_v"}) {
      add(Component::attention, std::string(map) + "." + std::to_string(h), {d_model, width});
      if (with_biases) add(Component::attention, std::string(map) + ".bias." + std::to_string(h), {width});
    }
  add(Component::attention, "w_o", {heads * width, d_model});
  if (with_biases) add(Component::attention, "w_o.bias", {d_model});
  // FFN: d_model -> d_ff -> d_model.
  add(Component::feed_forward, "w_1", {d_model, d_ff});
  add(Component::feed_forward, "w_2", {d_ff, d_model});
  if (with_biases) {
    add(Component::feed_forward, "b_1", {d_ff});
    add(Component::feed_forward, "b_2", {d_model});
  }
  // Two LayerNorms, a gain and a shift each.
  for (const char* norm : {"ln1", "ln2"}) {
    add(Component::layer_norm, std::string(norm) + ".gain", {d_model});
    add(Component::layer_norm, std::string(norm) + ".shift", {d_model});
  }
  return tensors;
}

}  // namespace ch10_7
