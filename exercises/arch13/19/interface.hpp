#pragma once
// Interface for arch13/19, GPT-2's weights in a model of your own layout. Implement to_library_layout in namespace
// arch13_19. The kit offers nothing of the nn library here: the mapping is what you write.

#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_19 {

// One tensor under its name, its shape and its values in row-major order, as a safetensors file stores it. The values
// are one flat array (it crosses the channel as raw bytes: a real GPT-2 holds 124 million of them).
struct NamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  xt::xtensor<float, 1> values;
};

// `checkpoint` holds every tensor of a Hugging Face GPT-2 `model.safetensors`, under the names and in the shapes the
// file uses (see the statement). Returns the parameters of the library's GPT (nn::Gpt) of the same size, with a
// separate output head: "wte.weight" (vocab, n_embd), "wpe.weight" (context, n_embd), for every block l
// "h.{l}.ln_1.weight" / ".bias" (n_embd), "h.{l}.attn.c_attn.weight" (3 n_embd, n_embd) / ".bias" (3 n_embd),
// "h.{l}.attn.c_proj.weight" (n_embd, n_embd) / ".bias", "h.{l}.ln_2.weight" / ".bias",
// "h.{l}.mlp.c_fc.weight" (4 n_embd, n_embd) / ".bias" (4 n_embd), "h.{l}.mlp.c_proj.weight" (n_embd, 4 n_embd) /
// ".bias", then "ln_f.weight" / ".bias" and "lm_head.weight" (vocab, n_embd). Every weight matrix of the library is
// (out, in): y = x W^T + b. Each name once; the order does not matter.
std::vector<NamedTensor> to_library_layout(const std::vector<NamedTensor>& checkpoint);

}  // namespace arch13_19
