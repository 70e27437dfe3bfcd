// Reference solution for arch13/19. Hugging Face's GPT-2 names its tensors as the library does, behind an optional
// "transformer." prefix, and adds each block's causal-mask buffers (attn.bias, attn.masked_bias), which are not
// parameters. Its Conv1D layers store W as (in, out) and compute x W + b; the library's linear layers store (out, in)
// and compute x W^T + b, so those four weights are transposed. The file has no output head: GPT-2 ties it to wte.

#include "arch13/19/interface.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace arch13_19 {

namespace {

bool is_conv1d_weight(std::string_view name) {
  constexpr std::array<std::string_view, 4> conv1d = {".attn.c_attn.weight", ".attn.c_proj.weight",
                                                      ".mlp.c_fc.weight", ".mlp.c_proj.weight"};
  return std::any_of(conv1d.begin(), conv1d.end(), [&](std::string_view suffix) { return name.ends_with(suffix); });
}

bool is_mask_buffer(std::string_view name) { return name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias"); }

// (rows, cols) row-major -> (cols, rows) row-major.
NamedTensor transposed(const NamedTensor& t) {
  const std::size_t rows = t.shape[0], cols = t.shape[1];
  NamedTensor out{t.name, {cols, rows}, xt::xtensor<float, 1>::from_shape({t.values.size()})};
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) out.values[j * rows + i] = t.values[i * cols + j];
  return out;
}

}  // namespace

std::vector<NamedTensor> to_library_layout(const std::vector<NamedTensor>& checkpoint) {
  constexpr std::string_view prefix = "transformer.";
  std::vector<NamedTensor> out;
  for (NamedTensor t : checkpoint) {
    if (t.name.starts_with(prefix)) t.name.erase(0, prefix.size());
    if (is_mask_buffer(t.name)) continue;
    out.push_back(is_conv1d_weight(t.name) ? transposed(t) : t);
    if (t.name == "wte.weight") out.push_back({"lm_head.weight", t.shape, t.values});  // the tied head
  }
  return out;
}

}  // namespace arch13_19
