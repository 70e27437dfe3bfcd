// Loading GPT-2 weights from a tiny file laid out exactly as Hugging Face's model.safetensors.
#define BOOST_TEST_MODULE nn_gpt2_loader
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <deque>

#include "nn/gpt2_loader.hpp"
#include "scratch_dir.hpp"

namespace {

constexpr std::size_t n_layer = 2, C = 4, V = 7, ctx = 5;

struct HfTensor {
  std::vector<std::size_t> shape;  // as HF stores it (Conv1D weights (C_in, C_out))
  std::vector<float> values;
};

// HF's tensors by the name in the file. Within a tensor every element differs, so that a misplaced element
// cannot go unnoticed: tensor k, element i holds (k mod 16) * 128 + i, an integer below 2048 and so exact in
// half precision too.
struct HfModel {
  std::map<std::string, HfTensor> tensors;

  void add(const std::string& name, std::vector<std::size_t> shape) {
    std::size_t count = 1;
    for (auto d : shape) count *= d;
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i) values[i] = float(tensors.size() % 16 * 128 + i);
    tensors[name] = {std::move(shape), std::move(values)};
  }

  // The tensor for one of our names: the name itself or behind the "transformer." prefix.
  const HfTensor& find(const std::string& ours) const {
    const auto it = tensors.find(ours);
    return it != tensors.end() ? it->second : tensors.at("transformer." + ours);
  }
};

// HF GPT-2's file: the "transformer." prefix on layer 1, wpe and ln_f (files in the wild have it on all
// keys or none), the attention-mask buffers, Conv1D weights (C_in, C_out).
HfModel tiny_hf_gpt2() {
  HfModel hf;
  hf.add("wte.weight", {V, C});
  hf.add("transformer.wpe.weight", {ctx, C});
  for (std::size_t l = 0; l < n_layer; ++l) {
    const std::string h = (l == 1 ? "transformer.h." : "h.") + std::to_string(l) + ".";
    hf.add(h + "ln_1.weight", {C});
    hf.add(h + "ln_1.bias", {C});
    hf.add(h + "attn.bias", {1, 1, ctx, ctx});
    hf.add(h + "attn.masked_bias", {});
    hf.add(h + "attn.c_attn.weight", {C, 3 * C});
    hf.add(h + "attn.c_attn.bias", {3 * C});
    hf.add(h + "attn.c_proj.weight", {C, C});
    hf.add(h + "attn.c_proj.bias", {C});
    hf.add(h + "ln_2.weight", {C});
    hf.add(h + "ln_2.bias", {C});
    hf.add(h + "mlp.c_fc.weight", {C, 4 * C});
    hf.add(h + "mlp.c_fc.bias", {4 * C});
    hf.add(h + "mlp.c_proj.weight", {4 * C, C});
    hf.add(h + "mlp.c_proj.bias", {C});
  }
  hf.add("transformer.ln_f.weight", {C});
  hf.add("transformer.ln_f.bias", {C});
  return hf;
}

// IEEE half bits of an integer n in [0, 2048): exponent e = floor(log2 n), the bits below the leading one
// shifted into the 10-bit mantissa.
std::uint16_t half_of_small_integer(unsigned n) {
  if (n == 0) return 0;
  unsigned e = 0;
  while ((n >> (e + 1)) != 0) ++e;
  return static_cast<std::uint16_t>(((e + 15) << 10) | ((n << (10 - e)) & 0x3ff));
}

nn::TensorData half_tensor(const HfTensor& t) {
  nn::TensorData data{"F16", t.shape, std::vector<std::byte>(2 * t.values.size())};
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    const std::uint16_t bits = half_of_small_integer(static_cast<unsigned>(t.values[i]));
    std::memcpy(data.bytes.data() + 2 * i, &bits, 2);  // little-endian host, as the format
  }
  return data;
}

enum class Precision { f32, f16 };

void write_hf_file(const std::filesystem::path& path, const HfModel& hf, Precision precision = Precision::f32) {
  std::map<std::string, nn::TensorData> tensors;
  for (const auto& [name, t] : hf.tensors)
    tensors[name] = precision == Precision::f32 ? nn::tensor_data(t.values, t.shape) : half_tensor(t);
  nn::write_safetensors(path, tensors, {{"format", "pt"}});
}

// Our parameters, owning their storage (a deque keeps element addresses stable as it grows).
struct OwnedParams {
  std::deque<std::vector<float>> values, grads;
  std::vector<nn::ParamRef<float>> refs;

  void add(const std::string& name, std::vector<std::size_t> shape) {
    std::size_t count = 1;
    for (auto d : shape) count *= d;
    values.emplace_back(count, -1.0f);
    grads.emplace_back(count, 0.0f);
    refs.push_back({name, std::move(shape), values.back().data(), grads.back().data(), count});
  }
};

// Our GPT's parameter list (names and PyTorch-linear shapes (C_out, C_in)).
OwnedParams our_gpt_params(bool untied_head) {
  OwnedParams p;
  p.add("wte.weight", {V, C});
  p.add("wpe.weight", {ctx, C});
  for (std::size_t l = 0; l < n_layer; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    p.add(h + "ln_1.weight", {C});
    p.add(h + "ln_1.bias", {C});
    p.add(h + "attn.c_attn.weight", {3 * C, C});
    p.add(h + "attn.c_attn.bias", {3 * C});
    p.add(h + "attn.c_proj.weight", {C, C});
    p.add(h + "attn.c_proj.bias", {C});
    p.add(h + "ln_2.weight", {C});
    p.add(h + "ln_2.bias", {C});
    p.add(h + "mlp.c_fc.weight", {4 * C, C});
    p.add(h + "mlp.c_fc.bias", {4 * C});
    p.add(h + "mlp.c_proj.weight", {C, 4 * C});
    p.add(h + "mlp.c_proj.bias", {C});
  }
  p.add("ln_f.weight", {C});
  p.add("ln_f.bias", {C});
  if (untied_head) p.add("lm_head.weight", {V, C});
  return p;
}

bool is_conv1d_weight(const std::string& name) {
  for (const char* layer : {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"})
    if (name.find(layer) != std::string::npos && name.ends_with(".weight")) return true;
  return false;
}

enum class Expect { transposed_conv1d, as_stored };

// Elements of our parameters that differ from what HF's tensors say they should hold: our (o, i) is HF's
// (i, o) for a Conv1D weight; everything else is copied as stored; lm_head is wte.
std::size_t mismatches(const OwnedParams& ours, const HfModel& hf, Expect expect) {
  std::size_t wrong = 0;
  for (const auto& p : ours.refs) {
    const HfTensor& source = hf.find(p.name == "lm_head.weight" ? "wte.weight" : p.name);
    const bool transpose = expect == Expect::transposed_conv1d && is_conv1d_weight(p.name);
    for (std::size_t k = 0; k < p.size; ++k) {
      const std::size_t o = k / p.shape.back(), i = k % p.shape.back();
      const float expected = transpose ? source.values[i * source.shape[1] + o] : source.values[k];
      if (p.value[k] != expected) ++wrong;
    }
  }
  return wrong;
}

struct LoadedFile {
  nn_test::ScratchDir dir{"nn_gpt2_loader"};
  HfModel hf = tiny_hf_gpt2();
  nn::SafetensorsFile file = [this] {
    write_hf_file(dir / "model.safetensors", hf);
    return nn::SafetensorsFile::read(dir / "model.safetensors");
  }();
};

}  // namespace

BOOST_AUTO_TEST_CASE(shape_is_inferred_from_the_weights) {
  LoadedFile f;
  const nn::Gpt2Shape shape = nn::infer_gpt2_shape(f.file);
  BOOST_TEST(shape.vocab_size == V);
  BOOST_TEST(shape.context_length == ctx);
  BOOST_TEST(shape.n_embd == C);
  BOOST_TEST(shape.n_layer == n_layer);
}

BOOST_AUTO_TEST_CASE(every_parameter_is_filled_with_conv1d_weights_transposed) {
  LoadedFile f;
  for (bool untied : {false, true}) {
    OwnedParams ours = our_gpt_params(untied);
    nn::load_gpt2(f.file, ours.refs);
    BOOST_TEST(mismatches(ours, f.hf, Expect::transposed_conv1d) == 0u, "untied head: " << untied);
  }
  // one element by hand: our c_fc (o=5, i=2) of (16, 4) is HF's (2, 5) of (4, 16)
  OwnedParams ours = our_gpt_params(false);
  nn::load_gpt2(f.file, ours.refs);
  const auto& c_fc =
      *std::find_if(ours.refs.begin(), ours.refs.end(), [](const auto& p) { return p.name == "h.0.mlp.c_fc.weight"; });
  BOOST_TEST(c_fc.value[5 * C + 2] == f.hf.tensors.at("h.0.mlp.c_fc.weight").values[2 * 16 + 5]);
}

// Our real model, not the list above: a GPT built from the inferred shape takes every tensor (a parameter name
// that drifted in the blocks would be reported as unfillable), and gets what the hand-written list gets.
BOOST_AUTO_TEST_CASE(a_gpt_of_the_inferred_shape_loads_the_file) {
  LoadedFile f;
  for (bool tied : {true, false}) {
    nn::GptConfig config = nn::gpt2_config(nn::infer_gpt2_shape(f.file), 2);
    config.tie_weights = tied;
    nn::Gpt<float> model(config, 1);
    const auto params = model.parameters();
    nn::load_gpt2(f.file, params);
    OwnedParams expected = our_gpt_params(!tied);
    nn::load_gpt2(f.file, expected.refs);
    BOOST_REQUIRE_EQUAL(params.size(), expected.refs.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      BOOST_TEST(params[i].name == expected.refs[i].name);
      BOOST_TEST(std::equal(params[i].value, params[i].value + params[i].size, expected.refs[i].value),
                 params[i].name);
    }
  }
}

BOOST_AUTO_TEST_CASE(gpt2_config_takes_head_size_64_unless_told) {
  const nn::Gpt2Shape small{50257, 1024, 768, 12};
  BOOST_TEST(nn::gpt2_config(small).n_head == 12u);
  BOOST_TEST(nn::gpt2_config(small, 8).n_head == 8u);
  BOOST_CHECK_THROW(nn::gpt2_config(small, 7), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(half_precision_weights_load_as_float) {
  nn_test::ScratchDir dir("nn_gpt2_loader");
  const HfModel hf = tiny_hf_gpt2();
  write_hf_file(dir / "model_f16.safetensors", hf, Precision::f16);
  const auto file = nn::SafetensorsFile::read(dir / "model_f16.safetensors");
  BOOST_TEST(file.info("wte.weight").dtype == "F16");
  OwnedParams ours = our_gpt_params(true);
  nn::load_gpt2(file, ours.refs);
  BOOST_TEST(mismatches(ours, hf, Expect::transposed_conv1d) == 0u);
}

// The element check must be able to fail: loaded weights are not HF's untransposed layout.
BOOST_AUTO_TEST_CASE(element_check_detects_a_missing_transpose) {
  LoadedFile f;
  OwnedParams ours = our_gpt_params(false);
  nn::load_gpt2(f.file, ours.refs);
  BOOST_TEST(mismatches(ours, f.hf, Expect::as_stored) > 0u);
}

BOOST_AUTO_TEST_CASE(parameters_the_file_cannot_fill_are_all_named) {
  LoadedFile f;
  OwnedParams ours = our_gpt_params(false);
  ours.add("h.2.ln_1.weight", {C});
  ours.add("rope.freqs", {2});
  const auto message = nn_test::error_message<std::runtime_error>([&] { nn::load_gpt2(f.file, ours.refs); });
  BOOST_TEST(nn_test::mentions(message, {"model.safetensors", "h.2.ln_1.weight", "rope.freqs"}),
             message.value_or("no error"));
  BOOST_TEST(ours.values.front()[0] == -1.0f);  // nothing was written
}

BOOST_AUTO_TEST_CASE(shape_mismatch_names_both_shapes) {
  LoadedFile f;
  OwnedParams ours;
  ours.add("h.0.mlp.c_fc.weight", {C, 4 * C});  // HF's layout instead of ours
  const auto message = nn_test::error_message<std::runtime_error>([&] { nn::load_gpt2(f.file, ours.refs); });
  BOOST_TEST(nn_test::mentions(message, {"h.0.mlp.c_fc.weight", "[4, 16]", "expected [16, 4]"}),
             message.value_or("no error"));
}

BOOST_AUTO_TEST_CASE(gaps_in_the_block_numbers_are_rejected) {
  nn_test::ScratchDir dir("nn_gpt2_loader");
  HfModel hf;
  hf.add("wte.weight", {V, C});
  hf.add("wpe.weight", {ctx, C});
  hf.add("h.0.ln_1.weight", {C});
  hf.add("h.2.ln_1.weight", {C});
  write_hf_file(dir / "gappy.safetensors", hf);
  const auto file = nn::SafetensorsFile::read(dir / "gappy.safetensors");
  const auto message = nn_test::error_message<std::runtime_error>([&] { nn::infer_gpt2_shape(file); });
  BOOST_TEST(nn_test::mentions(message, {"gappy.safetensors", "h.2"}), message.value_or("no error"));
}
