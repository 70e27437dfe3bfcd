// The models against PyTorch: tests/nn/fixtures/*.safetensors hold the weights, inputs, outputs, loss and
// every gradient of three tiny models computed by tools/make_nn_fixtures.py (float64, plain torch ops).
// The same weights are loaded here, in double and in float, and everything is compared.
//
// Error measure, per tensor: max |ours - torch| / max |torch| (relative to the tensor's scale, so the entries
// that are exactly zero in exact arithmetic, such as the key-bias gradients, do not divide by zero).
// Targets: logits and loss 1e-5, gradients 1e-4 in float; double reaches ~1e-12.
#define BOOST_TEST_MODULE nn_torch_fixture
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "nn/encoder.hpp"
#include "nn/gpt.hpp"
#include "nn/safetensors.hpp"

namespace {

const std::string fixtures = NN_FIXTURE_DIR;

std::size_t meta_size(const nn::SafetensorsFile& f, const std::string& key) { return std::stoul(f.metadata().at(key)); }

nn::GptConfig gpt_config(const nn::SafetensorsFile& f) {
  nn::GptConfig c;
  c.vocab_size = meta_size(f, "vocab_size");
  c.context = meta_size(f, "context");
  c.n_layer = meta_size(f, "n_layer");
  c.n_head = meta_size(f, "n_head");
  c.n_kv_head = meta_size(f, "n_kv_head");
  c.n_embd = meta_size(f, "n_embd");
  c.ffn_hidden = meta_size(f, "ffn_hidden");
  const bool llama = f.metadata().at("norm") == "rmsnorm";
  c.norm = llama ? nn::NormKind::rmsnorm : nn::NormKind::layernorm;
  c.ffn = f.metadata().at("activation") == "swiglu" ? nn::FfnKind::swiglu : nn::FfnKind::gelu;
  c.position = f.metadata().at("position") == "rope" ? nn::PositionKind::rope : nn::PositionKind::learned;
  c.bias = f.metadata().at("bias") == "true";
  c.tie_weights = f.metadata().at("tied") == "true";
  return c;
}

// Every parameter of ours must be in the file with the same element count; every file parameter must be ours.
template <class T>
void load_parameters(const nn::SafetensorsFile& f, const std::vector<nn::ParamRef<T>>& params) {
  std::size_t in_file = 0;
  for (const auto& name : f.names()) in_file += name.rfind("param/", 0) == 0;
  BOOST_REQUIRE_EQUAL(params.size(), in_file);
  for (const auto& p : params) {
    const auto values = f.values<double>("param/" + p.name);
    BOOST_REQUIRE_MESSAGE(values.size() == p.size, p.name << ": size " << values.size() << " vs ours " << p.size);
    std::copy(values.begin(), values.end(), p.value);
  }
}

nn::Tokens tokens(const nn::SafetensorsFile& f, const std::string& name) {
  const auto v = f.values<std::int64_t>(name);
  return nn::Tokens(v.begin(), v.end());
}

template <class T>
double relative_error(const T* ours, const std::vector<double>& torch) {
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < torch.size(); ++i) {
    worst = std::max(worst, std::abs(double(ours[i]) - torch[i]));
    scale = std::max(scale, std::abs(torch[i]));
  }
  return worst / std::max(scale, 1e-300);
}

struct Tolerances {
  double outputs;
  double gradients;
};
template <class T>
Tolerances tolerances() {
  return std::is_same_v<T, float> ? Tolerances{1e-5, 1e-4} : Tolerances{1e-10, 1e-10};
}

template <class T>
void check_gradients(const nn::SafetensorsFile& f, const std::vector<nn::ParamRef<T>>& params, const char* what) {
  double worst = 0;
  std::string worst_name;
  for (const auto& p : params) {
    const double e = relative_error(p.grad, f.values<double>("grad/" + p.name));
    BOOST_TEST(e <= tolerances<T>().gradients, what << " grad " << p.name << ": " << e);
    if (e >= worst) worst = e, worst_name = p.name;
  }
  BOOST_TEST_MESSAGE(what << ": worst gradient error " << worst << " (" << worst_name << ")");
}

template <class T>
void check_gpt(const std::string& file) {
  const auto f = nn::SafetensorsFile::read(fixtures + "/" + file);
  nn::Gpt<T> model(gpt_config(f), 0);
  load_parameters(f, model.parameters());
  const std::size_t B = meta_size(f, "batch"), Tn = meta_size(f, "seq_len");
  nn::zero_grads(model.parameters());
  const auto& logits = model.forward(tokens(f, "input/tokens"), B, Tn);
  const T loss = model.loss(tokens(f, "input/targets"));
  model.backward();
  const double logit_error = relative_error(logits.data(), f.values<double>("output/logits"));
  const double loss_error = std::abs(double(loss) - f.values<double>("output/loss")[0]) / f.values<double>("output/loss")[0];
  BOOST_TEST(logit_error <= tolerances<T>().outputs);
  BOOST_TEST(loss_error <= tolerances<T>().outputs);
  BOOST_TEST_MESSAGE(file << (sizeof(T) == 4 ? " float" : " double") << ": logits " << logit_error << ", loss " << loss_error);
  check_gradients(f, model.parameters(), file.c_str());
}

template <class T>
void check_encoder() {
  const auto f = nn::SafetensorsFile::read(fixtures + "/tiny_encoder.safetensors");
  nn::EncoderConfig c;
  c.vocab_size = meta_size(f, "vocab_size");
  c.context = meta_size(f, "context");
  c.n_layer = meta_size(f, "n_layer");
  c.n_head = meta_size(f, "n_head");
  c.n_embd = meta_size(f, "n_embd");
  c.ffn_hidden = meta_size(f, "ffn_hidden");
  c.n_classes = meta_size(f, "n_classes");
  nn::Encoder<T> model(c, 0);
  load_parameters(f, model.parameters());
  const auto lengths64 = f.values<std::int64_t>("input/key_lengths");
  const std::vector<std::size_t> lengths(lengths64.begin(), lengths64.end());
  nn::zero_grads(model.parameters());
  model.forward(tokens(f, "input/tokens"), meta_size(f, "batch"), meta_size(f, "seq_len"), lengths);
  const T loss = model.loss(tokens(f, "input/mlm_targets"), tokens(f, "input/labels"));
  model.backward();
  BOOST_TEST(relative_error(model.mlm_logits().data(), f.values<double>("output/mlm_logits")) <= tolerances<T>().outputs);
  BOOST_TEST(relative_error(model.cls_logits().data(), f.values<double>("output/cls_logits")) <= tolerances<T>().outputs);
  const double expected = f.values<double>("output/loss")[0];
  BOOST_TEST(std::abs(double(loss) - expected) / expected <= tolerances<T>().outputs);
  check_gradients(f, model.parameters(), "tiny_encoder");
}

}  // namespace

BOOST_AUTO_TEST_CASE(gpt2_style_matches_pytorch_in_double) { check_gpt<double>("tiny_gpt.safetensors"); }
BOOST_AUTO_TEST_CASE(gpt2_style_matches_pytorch_in_float) { check_gpt<float>("tiny_gpt.safetensors"); }
BOOST_AUTO_TEST_CASE(llama_style_matches_pytorch_in_double) { check_gpt<double>("tiny_llama.safetensors"); }
BOOST_AUTO_TEST_CASE(llama_style_matches_pytorch_in_float) { check_gpt<float>("tiny_llama.safetensors"); }
BOOST_AUTO_TEST_CASE(encoder_matches_pytorch_in_double) { check_encoder<double>(); }
BOOST_AUTO_TEST_CASE(encoder_matches_pytorch_in_float) { check_encoder<float>(); }

// The comparison can fail: one weight changed by 1e-3 moves the logits past the float tolerance.
BOOST_AUTO_TEST_CASE(a_perturbed_weight_is_detected) {
  const auto f = nn::SafetensorsFile::read(fixtures + "/tiny_gpt.safetensors");
  nn::Gpt<double> model(gpt_config(f), 0);
  load_parameters(f, model.parameters());
  model.parameters()[2].value[0] += 1e-3;
  const auto& logits = model.forward(tokens(f, "input/tokens"), 2, 6);
  BOOST_TEST(relative_error(logits.data(), f.values<double>("output/logits")) > 1e-5);
}

// The gradient comparison can fail too: the largest gradient element of one tensor 1% off (as a backward that
// drops a small term would leave it) is 1e-2 of the tensor's scale, past the float tolerance of 1e-4.
BOOST_AUTO_TEST_CASE(a_perturbed_gradient_is_detected) {
  const auto f = nn::SafetensorsFile::read(fixtures + "/tiny_gpt.safetensors");
  nn::Gpt<double> model(gpt_config(f), 0);
  const auto params = model.parameters();
  load_parameters(f, params);
  nn::zero_grads(params);
  model.forward(tokens(f, "input/tokens"), meta_size(f, "batch"), meta_size(f, "seq_len"));
  model.loss(tokens(f, "input/targets"));
  model.backward();
  const auto& p = params[2];
  const auto torch = f.values<double>("grad/" + p.name);
  BOOST_REQUIRE(relative_error(p.grad, torch) <= tolerances<double>().gradients);
  double* largest = std::max_element(p.grad, p.grad + p.size, [](double a, double b) { return std::abs(a) < std::abs(b); });
  *largest *= 1.01;
  BOOST_TEST(relative_error(p.grad, torch) > tolerances<float>().gradients);
}
