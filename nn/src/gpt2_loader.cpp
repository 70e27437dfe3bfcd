#include "nn/gpt2_loader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

namespace nn {

namespace {

constexpr std::string_view hf_prefix = "transformer.";

[[noreturn]] void fail(const SafetensorsFile& file, const std::string& what) {
  throw std::runtime_error("GPT-2 weights " + file.path().string() + ": " + what);
}

std::string_view without_prefix(std::string_view name) {
  return name.starts_with(hf_prefix) ? name.substr(hf_prefix.size()) : name;
}

// The file's key for one of our names: the name itself or the name behind HF's "transformer." prefix.
std::optional<std::string> stored_name(const SafetensorsFile& file, const std::string& ours) {
  if (file.has(ours)) return ours;
  const std::string prefixed = std::string(hf_prefix) + ours;
  if (file.has(prefixed)) return prefixed;
  return std::nullopt;
}

// Where our parameter's values come from; lm_head.weight falls back to wte.weight (GPT-2 ties them).
std::optional<std::string> source_of(const SafetensorsFile& file, const std::string& ours) {
  auto source = stored_name(file, ours);
  if (!source && ours == "lm_head.weight") source = stored_name(file, "wte.weight");
  return source;
}

// HF's Conv1D weights, stored (C_in, C_out) where ours are (C_out, C_in).
bool stored_transposed(const ParamRef<float>& p) {
  constexpr std::array<std::string_view, 4> suffixes = {".attn.c_attn.weight", ".attn.c_proj.weight",
                                                        ".mlp.c_fc.weight", ".mlp.c_proj.weight"};
  return p.shape.size() == 2 &&
         std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view s) { return p.name.ends_with(s); });
}

// The shape the file must store our parameter in.
std::vector<std::size_t> expected_stored_shape(const ParamRef<float>& p) {
  if (stored_transposed(p)) return {p.shape[1], p.shape[0]};
  return p.shape;
}

// (rows, cols) of a 2-D tensor the file must have.
std::pair<std::size_t, std::size_t> matrix_shape(const SafetensorsFile& file, const std::string& ours) {
  const auto source = stored_name(file, ours);
  if (!source) fail(file, "no tensor " + ours);
  const auto& shape = file.info(*source).shape;
  if (shape.size() != 2) fail(file, *source + " has shape " + shape_string(shape) + ", not 2-D");
  return {shape[0], shape[1]};
}

// The block index of a key "h.{l}.<rest>" (prefix allowed), or none for any other key.
std::optional<std::size_t> layer_index(std::string_view name) {
  name = without_prefix(name);
  if (!name.starts_with("h.")) return std::nullopt;
  name.remove_prefix(2);
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), index);
  if (error != std::errc() || end == name.data() || end == name.data() + name.size() || *end != '.')
    return std::nullopt;
  return index;
}

std::size_t count_layers(const SafetensorsFile& file) {
  std::set<std::size_t> indices;
  for (const auto& name : file.names())
    if (const auto index = layer_index(name)) indices.insert(*index);
  if (!indices.empty() && *indices.rbegin() + 1 != indices.size())
    fail(file, "blocks h.N are not numbered 0 .. " + std::to_string(indices.size() - 1) + " (highest is h." +
                   std::to_string(*indices.rbegin()) + ")");
  return indices.size();
}

// Every parameter has a source of the right shape; otherwise throws naming all that lack one.
void check_sources(const SafetensorsFile& file, const std::vector<ParamRef<float>>& params) {
  std::string missing;
  for (const auto& p : params)
    if (!source_of(file, p.name)) missing += (missing.empty() ? "" : ", ") + p.name;
  if (!missing.empty()) fail(file, "no tensor for parameter(s) " + missing);
  for (const auto& p : params) {
    const std::string source = *source_of(file, p.name);
    const auto& stored = file.info(source).shape;
    const auto expected = expected_stored_shape(p);
    if (stored != expected)
      fail(file, "parameter " + p.name + " has shape " + shape_string(p.shape) + " but " + source + " is " +
                     shape_string(stored) + " (expected " + shape_string(expected) + ")");
  }
}

// src (rows, cols) row-major -> dst (cols, rows) row-major.
void transpose_into(const float* src, std::size_t rows, std::size_t cols, float* dst) {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

}  // namespace

Gpt2Shape infer_gpt2_shape(const SafetensorsFile& file) {
  const auto [vocab_size, n_embd] = matrix_shape(file, "wte.weight");
  const auto [context_length, position_width] = matrix_shape(file, "wpe.weight");
  if (position_width != n_embd)
    fail(file, "wte has " + std::to_string(n_embd) + " columns but wpe has " + std::to_string(position_width));
  return {vocab_size, context_length, n_embd, count_layers(file)};
}

GptConfig gpt2_config(const Gpt2Shape& shape, std::size_t n_head) {
  GptConfig c;  // its defaults are GPT-2's layout
  c.vocab_size = shape.vocab_size;
  c.context = shape.context_length;
  c.n_embd = shape.n_embd;
  c.n_layer = shape.n_layer;
  c.n_head = n_head ? n_head : shape.n_embd / 64;
  if (c.n_head == 0 || c.n_embd % c.n_head != 0)
    throw std::invalid_argument("gpt2_config: " + std::to_string(c.n_head) + " heads do not divide n_embd " +
                                std::to_string(c.n_embd) + " (give n_head from the model's config.json)");
  return c;
}

void load_gpt2(const SafetensorsFile& file, const std::vector<ParamRef<float>>& params) {
  check_sources(file, params);
  for (const auto& p : params) {
    const std::vector<float> stored = file.values<float>(*source_of(file, p.name));
    if (stored_transposed(p))
      transpose_into(stored.data(), p.shape[1], p.shape[0], p.value);  // stored (C_in, C_out)
    else
      std::copy(stored.begin(), stored.end(), p.value);
  }
}

}  // namespace nn
