// The models end to end: whole-model gradient checks (double), the decoder block with cross-attention, the KV
// cache against recomputation, sampling, speculative decoding, and short training runs whose loss must fall.
#define BOOST_TEST_MODULE nn_models
#include <boost/test/unit_test.hpp>

#include <map>

#include "gradcheck.hpp"
#include "nn/attention_probe.hpp"
#include "nn/encoder.hpp"
#include "nn/generate.hpp"
#include "nn/gpt.hpp"
#include "nn/optim.hpp"
#include "nn/vit.hpp"

namespace {

// Perturbs the weights away from the initialisation (norm gains of exactly 1 and zero biases hide mistakes).
template <class Model>
void jitter(Model& model, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.3);
  for (const auto& p : model.parameters())
    for (std::size_t i = 0; i < p.size; ++i) p.value[i] += normal(rng);
}

template <class Model>
std::vector<nn_test::Checked> all_parameters(Model& model) {
  std::vector<nn_test::Checked> out;
  for (const auto& p : model.parameters()) out.push_back({p.name, p.value, p.grad, p.size});
  return out;
}

nn::Tokens random_tokens(std::size_t n, std::size_t vocab, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> token(0, int(vocab) - 1);
  nn::Tokens t(n);
  for (auto& x : t) x = token(rng);
  return t;
}

nn::GptConfig tiny_gpt2() {
  nn::GptConfig c;
  c.vocab_size = 7;
  c.context = 6;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 8;
  return c;
}

nn::GptConfig tiny_llama() {
  nn::GptConfig c = tiny_gpt2();
  c.n_head = 4;
  c.n_kv_head = 2;
  c.ffn_hidden = 12;
  c.norm = nn::NormKind::rmsnorm;
  c.ffn = nn::FfnKind::swiglu;
  c.position = nn::PositionKind::rope;
  c.bias = false;
  c.tie_weights = false;
  return c;
}

// The short training runs: `steps` AdamW steps (lr 3e-3) on forward_and_loss(), a forward pass that returns its
// loss. Returns the mean loss of the first `window` steps and of the last `window` (more than one where every
// step draws a new batch).
struct LossDrop {
  float first = 0;
  float last = 0;
};
template <class Model, class ForwardAndLoss>
LossDrop train_briefly(Model& model, int steps, ForwardAndLoss forward_and_loss, int window = 1) {
  nn::AdamW<float> optimizer(model.parameters(), {3e-3});
  LossDrop drop;
  for (int step = 0; step < steps; ++step) {
    nn::zero_grads(model.parameters());
    const float loss = forward_and_loss();
    if (step < window) drop.first += loss / float(window);
    if (step >= steps - window) drop.last += loss / float(window);
    model.backward();
    optimizer.step();
  }
  return drop;
}

nn::GptConfig relative_bias_config(nn::GptConfig c) {
  c.position = nn::PositionKind::none;
  c.relative_bias_distance = 2;
  return c;
}

nn::GptConfig decoding_config(bool llama) {
  nn::GptConfig c = llama ? tiny_llama() : tiny_gpt2();
  c.vocab_size = 13;
  c.context = 24;
  c.n_embd = 16;
  return c;
}

nn_test::GradcheckResult gpt_gradcheck(const nn::GptConfig& config, std::uint64_t seed) {
  nn::Gpt<double> model(config, seed);
  jitter(model, seed);
  std::mt19937_64 rng(seed);
  const std::size_t B = 2, T = 5;
  const nn::Tokens tokens = random_tokens(B * T, config.vocab_size, rng);
  const nn::Tokens targets = random_tokens(B * T, config.vocab_size, rng);
  nn::zero_grads(model.parameters());
  model.forward(tokens, B, T);
  model.loss(targets);
  model.backward();
  return nn_test::gradcheck([&] { model.forward(tokens, B, T); return model.loss(targets); }, all_parameters(model));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradients)

BOOST_AUTO_TEST_CASE(gpt2_layout_matches_finite_differences) {
  const auto r = gpt_gradcheck(tiny_gpt2(), 1);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

BOOST_AUTO_TEST_CASE(llama_layout_matches_finite_differences) {  // RMSNorm, SwiGLU, RoPE, GQA, untied, no bias
  const auto r = gpt_gradcheck(tiny_llama(), 2);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

BOOST_AUTO_TEST_CASE(sinusoidal_multi_query_matches_finite_differences) {
  nn::GptConfig c = tiny_gpt2();
  c.position = nn::PositionKind::sinusoidal;
  c.n_kv_head = 1;
  const auto r = gpt_gradcheck(c, 3);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

// T5-style: no absolute positions, a learned relative bias per head in every block (the jitter makes it non-zero).
BOOST_AUTO_TEST_CASE(relative_bias_without_positions_matches_finite_differences) {
  const auto r = gpt_gradcheck(relative_bias_config(tiny_gpt2()), 19);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

// Two sequences of 5 tokens, the second padded after 3, for a 2-layer encoder of width 8 with 3 classes.
nn::EncoderConfig tiny_encoder() {
  nn::EncoderConfig c;
  c.vocab_size = 9;
  c.context = 5;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 8;
  c.n_classes = 3;
  return c;
}
const nn::Tokens tiny_tokens = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
const std::vector<std::size_t> tiny_lengths = {5, 3};
const nn::Tokens tiny_labels = {2, 0};

// The encoder's gradients against central differences, for MLM targets `mlm` (empty: none) and tiny_labels.
nn_test::GradcheckResult encoder_gradcheck(const nn::EncoderConfig& c, const nn::Tokens& mlm, std::uint64_t seed) {
  nn::Encoder<double> model(c, seed);
  jitter(model, seed);
  nn::zero_grads(model.parameters());
  model.forward(tiny_tokens, 2, 5, tiny_lengths);
  model.loss(mlm, tiny_labels);
  model.backward();
  return nn_test::gradcheck([&] { model.forward(tiny_tokens, 2, 5, tiny_lengths); return model.loss(mlm, tiny_labels); },
                            all_parameters(model));
}

BOOST_AUTO_TEST_CASE(encoder_with_padding_matches_finite_differences) {
  const auto r = encoder_gradcheck(tiny_encoder(), {-1, 2, -1, 7, -1, 1, -1, 8, -1, -1}, 4);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

BOOST_AUTO_TEST_CASE(encoder_with_mean_pooling_and_a_window_matches_finite_differences) {
  auto c = tiny_encoder();
  c.pooling = nn::EncoderConfig::Pooling::mean;
  c.key_ranges = {{0, 2}, {0, 3}, {1, 4}, {2, 5}, {3, 5}};  // one neighbour each side
  const auto r = encoder_gradcheck(c, {}, 6);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

// An attention core from outside (what an exercise plugs a student's function in with): the library's own
// attention behind it, passed through split_heads / merge_heads as an exercise does, changes no number; a
// core that computes something else changes the loss, so the blocks do call it.
BOOST_AUTO_TEST_CASE(an_attention_core_from_outside_replaces_the_blocks_attention) {
  const auto loss_and_grads = [&](const nn::AttentionCore<double>* core) {
    nn::Encoder<double> model(tiny_encoder(), 8);
    jitter(model, 8);
    model.set_attention_core(core);
    nn::zero_grads(model.parameters());
    model.forward(tiny_tokens, 2, 5, {});
    const double loss = model.loss({}, tiny_labels);
    model.backward();
    std::vector<double> grads;
    for (const auto& p : model.parameters()) grads.insert(grads.end(), p.grad, p.grad + p.size);
    return std::make_pair(loss, grads);
  };
  nn::AttentionCore<double> same;  // the library's attention, one head per slab and back
  same.forward = [](const auto& q, const auto& k, const auto& v, const nn::AttentionShape& s, const nn::AttentionMask& m) {
    const auto round_trip = [&](const nn::Matrix<double>& x) { return nn::merge_heads(nn::split_heads(x, s.batch, s.n_head), s.batch); };
    nn::AttentionCache<double> cache;
    return nn::attention_forward(round_trip(q), round_trip(k), round_trip(v), s, m, nn::RelativeBias<double>{}, cache);
  };
  same.backward = [](const auto& dout, const auto& q, const auto& k, const auto& v, const nn::AttentionShape& s,
                     const nn::AttentionMask& m) {
    nn::AttentionCache<double> cache;
    nn::attention_forward(q, k, v, s, m, nn::RelativeBias<double>{}, cache);
    return nn::attention_backward(dout, q, k, v, s, m, nn::RelativeBias<double>{}, cache);
  };
  const auto [own_loss, own_grads] = loss_and_grads(nullptr);
  const auto [core_loss, core_grads] = loss_and_grads(&same);
  BOOST_TEST(core_loss == own_loss);
  BOOST_TEST(core_grads == own_grads, boost::test_tools::per_element());
  nn::AttentionCore<double> values_only = same;  // uniform weights: the mean of the values
  values_only.forward = [](const auto&, const auto&, const auto& v, const nn::AttentionShape&, const nn::AttentionMask&) {
    return nn::Matrix<double>(v * 0.5);
  };
  BOOST_TEST(loss_and_grads(&values_only).first != own_loss);
}

BOOST_AUTO_TEST_CASE(an_input_from_outside_replaces_the_embeddings) {
  std::mt19937_64 rng(5);
  const nn::Tokens tokens = random_tokens(12, 7, rng), targets = random_tokens(12, 7, rng);
  const auto loss_and_grads = [&](bool from_outside) {
    nn::Gpt<double> model(tiny_gpt2(), 9);
    jitter(model, 9);
    std::map<std::string, nn::ParamRef<double>> by_name;
    for (const auto& p : model.parameters()) by_name.emplace(p.name, p);
    const auto wte = by_name.at("wte.weight"), wpe = by_name.at("wpe.weight");
    const std::size_t C = 8;
    nn::GptInput<double> same;  // the model's own embedding, done outside: wte[token] + wpe[position]
    same.forward = [&](const nn::Tokens& t, std::size_t, std::size_t time) {
      nn::Matrix<double> x = nn::Matrix<double>::from_shape({t.size(), C});
      for (std::size_t r = 0; r < t.size(); ++r)
        for (std::size_t c = 0; c < C; ++c) x(r, c) = wte.value[std::size_t(t[r]) * C + c] + wpe.value[r % time * C + c];
      return x;
    };
    same.backward = [&](const nn::Matrix<double>& dx) {
      for (std::size_t r = 0; r < tokens.size(); ++r)
        for (std::size_t c = 0; c < C; ++c) {
          wte.grad[std::size_t(tokens[r]) * C + c] += dx(r, c);
          wpe.grad[r % 6 * C + c] += dx(r, c);
        }
    };
    if (from_outside) model.set_input(&same);
    nn::zero_grads(model.parameters());
    model.forward(tokens, 2, 6);
    const double loss = model.loss(targets);
    model.backward();
    std::vector<double> grads;
    for (const auto& p : model.parameters()) grads.insert(grads.end(), p.grad, p.grad + p.size);
    return std::make_pair(loss, grads);
  };
  const auto [own_loss, own_grads] = loss_and_grads(false);
  const auto [outside_loss, outside_grads] = loss_and_grads(true);
  BOOST_TEST(outside_loss == own_loss, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(outside_grads == own_grads, boost::test_tools::tolerance(1e-12) << boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_gpts_recorded_attention_is_causal_and_normalised) {
  nn::GptConfig config = tiny_gpt2();
  nn::Gpt<float> model(config, 3);
  std::mt19937_64 rng(3);
  const nn::Tokens tokens = random_tokens(12, 7, rng);
  const auto logits_before = model.logits({tokens.begin(), tokens.begin() + 6});
  const auto layers = nn::gpt_attention(model, tokens, 2, 6);
  BOOST_TEST_REQUIRE(layers.size() == config.n_layer);
  for (const auto& weights : layers) {
    BOOST_TEST_REQUIRE(weights.size() == 2 * config.n_head * 6 * 6);
    for (std::size_t row = 0; row < 2 * config.n_head * 6; ++row) {
      const std::size_t i = row % 6;
      double sum = 0;
      for (std::size_t j = 0; j < 6; ++j) {
        sum += weights[row * 6 + j];
        if (j > i) BOOST_TEST(weights[row * 6 + j] == 0.0f);
      }
      BOOST_TEST(sum == 1.0, boost::test_tools::tolerance(1e-5));
    }
  }
  BOOST_TEST(model.logits({tokens.begin(), tokens.begin() + 6}) == logits_before);  // the probe leaves no core behind
}

BOOST_AUTO_TEST_CASE(vit_matches_finite_differences) {
  nn::VitConfig c;
  c.image_size = 4;
  c.channels = 2;
  c.patch = 2;
  c.n_layer = 1;
  c.n_head = 2;
  c.n_embd = 8;
  c.n_classes = 3;
  nn::Vit<double> model(c, 5);
  jitter(model, 5);
  std::mt19937_64 rng(5);
  const auto images = nn_test::random_matrix(2, 2 * 4 * 4, rng);
  const nn::Tokens labels = {1, 2};
  nn::zero_grads(model.parameters());
  model.forward(images);
  model.loss(labels);
  model.backward();
  const auto r = nn_test::gradcheck([&] { model.forward(images); return model.loss(labels); }, all_parameters(model));
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

BOOST_AUTO_TEST_CASE(decoder_block_with_cross_attention_matches_finite_differences) {
  nn::BlockConfig c;
  c.n_embd = 8;
  c.n_head = 2;
  c.n_kv_head = 1;
  c.ffn_hidden = 16;
  c.cross_attention = true;
  const std::size_t B = 2, T = 3, M = 4, memory_width = 6;
  std::mt19937_64 rng(6);
  nn::BlockTensors<double> p = nn::init_block<double>(c, memory_width, 1, rng), g = nn::zero_block<double>(c, memory_width);
  std::vector<nn::ParamRef<double>> params;
  nn::append_block_params(params, "", p, g);
  for (const auto& ref : params)
    for (std::size_t i = 0; i < ref.size; ++i) ref.value[i] += std::normal_distribution<double>(0, 0.3)(rng);
  nn::SequenceLayout s;
  s.self = {B, T, T, 2, 1, 4, 0};
  s.cross = {B, T, M, 2, 1, 4, 0};
  s.cross_mask.kind = nn::MaskKind::bidirectional;
  s.cross_mask.key_lengths = {4, 2};
  auto x = nn_test::random_matrix(B * T, 8, rng);
  auto memory = nn_test::random_matrix(B * M, memory_width, rng);
  const auto r_out = nn_test::random_matrix(B * T, 8, rng);
  nn::BlockActivations<double> acts;
  nn::block_forward(c, p, x, &memory, s, static_cast<nn::KvCacheLayer<double>*>(nullptr), &acts, nn::BlockRun{});
  nn_test::Mat dmemory = xt::zeros<double>(memory.shape());
  const nn_test::Mat dx = nn::block_backward(c, p, r_out, &memory, s, acts, g, &dmemory);
  auto checked = std::vector<nn_test::Checked>{nn_test::checked("x", x, dx), nn_test::checked("memory", memory, dmemory)};
  for (const auto& ref : params) checked.push_back({ref.name, ref.value, ref.grad, ref.size});
  const auto r = nn_test::gradcheck([&] {
    nn::BlockActivations<double> scratch;
    return nn_test::project(nn::block_forward(c, p, x, &memory, s, static_cast<nn::KvCacheLayer<double>*>(nullptr),
                                              &scratch, nn::BlockRun{}), r_out);
  }, checked);
  BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, r.worst);
}

// Residual dropout inside a block, in training: every forward draws its masks from a fresh rng with one seed, so
// the finite differences see the same masks as the backward. Then an evaluation forward on the same activations
// (no dropout) must be what the next backward differentiates, not the masks of the training forward before it.
BOOST_AUTO_TEST_CASE(block_with_residual_dropout_matches_finite_differences_in_training_and_after) {
  nn::BlockConfig c;
  c.n_embd = 8;
  c.n_head = 2;
  c.n_kv_head = 2;
  c.ffn_hidden = 16;
  c.dropout = 0.3;
  const std::size_t B = 2, T = 3;
  std::mt19937_64 rng(12);
  nn::BlockTensors<double> p = nn::init_block<double>(c, 0, 1, rng), g = nn::zero_block<double>(c, 0);
  std::vector<nn::ParamRef<double>> params;
  nn::append_block_params(params, "", p, g);
  for (const auto& ref : params)
    for (std::size_t i = 0; i < ref.size; ++i) ref.value[i] += std::normal_distribution<double>(0, 0.3)(rng);
  nn::SequenceLayout s;
  s.self = {B, T, T, 2, 2, 4, 0};
  auto x = nn_test::random_matrix(B * T, 8, rng);
  const auto r_out = nn_test::random_matrix(B * T, 8, rng);
  nn::BlockActivations<double> acts;
  auto forward = [&](bool training, nn::BlockActivations<double>& a) {
    std::mt19937_64 dropout_rng(99);
    return nn::block_forward(c, p, x, static_cast<const nn::Matrix<double>*>(nullptr), s,
                             static_cast<nn::KvCacheLayer<double>*>(nullptr), &a, nn::BlockRun{training, &dropout_rng});
  };
  for (bool training : {true, false}) {
    nn::zero_grads(params);
    forward(true, acts);  // a training forward first, whose masks an evaluation forward must clear
    if (!training) forward(false, acts);
    const nn_test::Mat dx = nn::block_backward(c, p, r_out, static_cast<const nn::Matrix<double>*>(nullptr), s, acts, g,
                                               static_cast<nn::Matrix<double>*>(nullptr));
    auto checked = std::vector<nn_test::Checked>{nn_test::checked("x", x, dx)};
    for (const auto& ref : params) checked.push_back({ref.name, ref.value, ref.grad, ref.size});
    const auto r = nn_test::gradcheck([&] {
      nn::BlockActivations<double> scratch;
      return nn_test::project(forward(training, scratch), r_out);
    }, checked);
    BOOST_TEST(r.max_rel_error <= nn_test::gradcheck_tolerance, (training ? "training: " : "evaluation: ") << r.worst);
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_model_gradient_is_caught) {
  nn::Gpt<double> model(tiny_gpt2(), 7);
  jitter(model, 7);
  std::mt19937_64 rng(7);
  const nn::Tokens tokens = random_tokens(6, 7, rng), targets = random_tokens(6, 7, rng);
  nn::zero_grads(model.parameters());
  model.forward(tokens, 1, 6);
  model.loss(targets);
  model.backward();
  model.parameters()[3].grad[0] *= 1.01;  // one gradient element off by 1%
  const auto r = nn_test::gradcheck([&] { model.forward(tokens, 1, 6); return model.loss(targets); }, all_parameters(model));
  BOOST_TEST(r.max_rel_error > nn_test::gradcheck_tolerance);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decoding)

// In double: the cached step multiplies one row where recomputation multiplies twenty, so BLAS may pick other
// kernels and round differently; in float that alone reached 2.6e-4 relative on a logit near 1e-3 (Xeon, OpenBLAS
// 0.3.21), which says nothing about the cache. In double the two agree to rounding, far inside 1e-9.
BOOST_AUTO_TEST_CASE(kv_cache_logits_equal_recomputation) {
  for (const nn::GptConfig& config :
       {decoding_config(false), decoding_config(true), relative_bias_config(decoding_config(false))}) {
    nn::Gpt<double> model(config, 8);
    jitter(model, 8);
    std::mt19937_64 rng(8);
    const nn::Tokens sequence = random_tokens(20, 13, rng);
    const nn::Matrix<double> full = model.logits(sequence);
    // logits() runs the decoding path on an empty cache; the training forward is the independent recomputation
    BOOST_TEST(xt::allclose(model.forward(sequence, 1, sequence.size()), full, 1e-12, 1e-12));
    nn::KvCache<double> cache;
    model.forward_cached(nn::Tokens(sequence.begin(), sequence.begin() + 5), cache);  // a prompt of 5
    for (std::size_t t = 5; t < sequence.size(); ++t) {
      const nn::Matrix<double> step = model.forward_cached({sequence[t]}, cache);
      for (std::size_t v = 0; v < 13; ++v) BOOST_TEST(step(0, v) == full(t, v), boost::test_tools::tolerance(1e-9));
    }
  }
}

BOOST_AUTO_TEST_CASE(cached_generation_gives_the_same_tokens) {
  nn::Gpt<float> model(decoding_config(false), 9);
  jitter(model, 9);
  for (const nn::Sampling s : {nn::Sampling{true}, nn::Sampling{false, 0.8, 5, 0.9}}) {
    const nn::Tokens with = nn::generate(model, {1, 2, 3}, 18, s, 42, true);
    const nn::Tokens without = nn::generate(model, {1, 2, 3}, 18, s, 42, false);
    BOOST_TEST(with == without, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(the_context_limit_is_an_error) {
  nn::Gpt<float> model(decoding_config(false), 9);
  BOOST_CHECK_THROW(nn::generate(model, {1, 2, 3}, 30, nn::Sampling{true}, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(sampling_distributions_follow_their_definitions) {
  const std::vector<double> logits = {std::log(0.5), std::log(0.25), std::log(0.15), std::log(0.1)};
  const auto greedy = nn::next_token_distribution(logits.data(), 4, {true});
  BOOST_TEST(greedy == std::vector<double>({1, 0, 0, 0}), boost::test_tools::per_element());
  const auto plain = nn::next_token_distribution(logits.data(), 4, {});
  BOOST_TEST(plain[2] == 0.15, boost::test_tools::tolerance(1e-12));
  const auto top2 = nn::next_token_distribution(logits.data(), 4, {false, 1.0, 2});
  BOOST_TEST(top2[0] == 2.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(top2[2] == 0.0);
  // nucleus 0.8: 0.5 + 0.25 = 0.75 < 0.8, so the third token joins; the fourth does not
  const auto nucleus = nn::next_token_distribution(logits.data(), 4, {false, 1.0, 0, 0.8});
  BOOST_TEST(nucleus[2] == 0.15 / 0.9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(nucleus[3] == 0.0);
  // top_p = 1 keeps every token, even one whose share (e^-40) vanishes when added to 1 in double
  const std::vector<double> lopsided = {0.0, -40.0};
  BOOST_TEST(nn::next_token_distribution(lopsided.data(), 2, {})[1] > 0.0);
  // temperature 2: probabilities proportional to sqrt(p)
  const auto warm = nn::next_token_distribution(logits.data(), 4, {false, 2.0});
  const double z = std::sqrt(0.5) + std::sqrt(0.25) + std::sqrt(0.15) + std::sqrt(0.1);
  BOOST_TEST(warm[1] == std::sqrt(0.25) / z, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(greedy_speculative_decoding_equals_greedy_target_decoding) {
  nn::Gpt<float> target(decoding_config(false), 10), draft(decoding_config(true), 11);
  jitter(target, 10);
  jitter(draft, 11);
  nn::SpeculativeStats stats;
  const nn::Tokens fast = nn::speculative_generate(target, draft, {4, 5}, 20, 4, nn::Sampling{true}, 3, &stats);
  const nn::Tokens slow = nn::generate(target, {4, 5}, 20, nn::Sampling{true}, 3);
  BOOST_TEST(fast == slow, boost::test_tools::per_element());
  BOOST_TEST(stats.target_calls < 20u);  // at least one proposal was accepted, or the count is 20
  // the target as its own draft: every proposal accepted
  nn::SpeculativeStats self;
  nn::speculative_generate(target, target, {4, 5}, 20, 4, nn::Sampling{true}, 3, &self);
  BOOST_TEST(self.accepted == self.proposed);
}

// Two new tokens, many seeds, lookaheads 1 to 3: the frequencies of each token must match the target's own
// distributions, the second one's marginalised exactly over the first: q(v) = sum_a p(a) p(v | prompt, a).
// Lookahead 1 draws the second token from the target's bonus distribution whenever the first is accepted;
// longer lookaheads accept or resample it from the draft's second proposal.
BOOST_AUTO_TEST_CASE(sampled_speculative_decoding_keeps_the_target_distribution) {
  nn::GptConfig c = decoding_config(false);
  c.vocab_size = 4;
  nn::Gpt<double> target(c, 12), draft(c, 13);
  jitter(target, 12);
  jitter(draft, 13);
  const nn::Tokens prompt = {1, 3};
  auto next = [&](const nn::Tokens& context) {
    const nn::Matrix<double> logits = target.logits(context);
    return nn::next_token_distribution(logits.data() + (context.size() - 1) * logits.shape(1), 4, {});
  };
  const auto first = next(prompt);
  std::vector<double> second(4, 0.0);
  for (int a = 0; a < 4; ++a) {
    nn::Tokens context = prompt;
    context.push_back(a);
    const auto given_a = next(context);
    for (std::size_t v = 0; v < 4; ++v) second[v] += first[std::size_t(a)] * given_a[v];
  }
  const int runs = 4000;
  // The check has power: the draft's own first-token distribution lies far outside the bounds below.
  const nn::Matrix<double> draft_logits = draft.logits(prompt);
  const auto draft_first = nn::next_token_distribution(draft_logits.data() + draft_logits.shape(1), 4, {});
  double furthest = 0;
  for (std::size_t v = 0; v < 4; ++v)
    furthest = std::max(furthest, std::abs(draft_first[v] - first[v]) / std::sqrt(first[v] * (1 - first[v]) / runs));
  BOOST_TEST(furthest > 8.0);
  for (std::size_t lookahead : {1u, 2u, 3u}) {
    std::vector<double> count_first(4, 0.0), count_second(4, 0.0);
    for (int seed = 0; seed < runs; ++seed) {
      const nn::Tokens out = nn::speculative_generate(target, draft, prompt, 2, lookahead, {}, std::uint64_t(seed));
      count_first[std::size_t(out[out.size() - 2])] += 1;
      count_second[std::size_t(out.back())] += 1;
    }
    for (std::size_t v = 0; v < 4; ++v)
      for (const auto& [count, p] : {std::pair{count_first[v], first[v]}, std::pair{count_second[v], second[v]}}) {
        const double sd = std::sqrt(p * (1 - p) / runs);  // binomial standard deviation of a frequency
        BOOST_TEST(std::abs(count / runs - p) <= 4 * sd + 1e-9,
                   "lookahead " << lookahead << ", token " << v << ": " << count / runs << " vs " << p);
      }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(training)

BOOST_AUTO_TEST_CASE(a_gpt_learns_a_repeating_pattern) {
  nn::GptConfig c = decoding_config(false);
  c.context = 16;
  nn::Gpt<float> model(c, 14);
  const nn::Tokens pattern = {1, 4, 2, 8, 5, 7};
  nn::Tokens inputs, targets;
  for (std::size_t b = 0; b < 4; ++b)
    for (std::size_t t = 0; t < 16; ++t) {
      inputs.push_back(pattern[(b + t) % 6]);
      targets.push_back(pattern[(b + t + 1) % 6]);
    }
  model.train(true);
  const auto [first, last] = train_briefly(model, 60, [&] {
    model.forward(inputs, 4, 16);
    return model.loss(targets);
  });
  BOOST_TEST(first > 2.0f);  // about ln 13 at the start
  BOOST_TEST(last < 0.5f * first, "loss " << first << " -> " << last);
}

BOOST_AUTO_TEST_CASE(an_encoder_learns_to_classify_by_a_token) {
  nn::EncoderConfig c;
  c.vocab_size = 6;
  c.context = 4;
  c.n_embd = 16;
  c.n_classes = 2;
  nn::Encoder<float> model(c, 15);
  // class 1 exactly when token 5 appears somewhere in the sequence
  const nn::Tokens tokens = {0, 1, 2, 3, 0, 5, 2, 1, 4, 3, 2, 1, 3, 3, 5, 0};
  const nn::Tokens labels = {0, 1, 0, 1};
  const auto [first, last] = train_briefly(model, 60, [&] {
    model.forward(tokens, 4, 4, {});
    return model.loss({}, labels);
  });
  BOOST_TEST(last < 0.5f * first, "loss " << first << " -> " << last);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pretraining)

BOOST_AUTO_TEST_CASE(mlm_masking_follows_the_80_10_10_rule_and_skips_padding) {
  const std::size_t batch = 200, time = 50, vocab = 20;
  const int mask_token = 19;
  std::mt19937_64 rng(16);
  const nn::Tokens tokens = random_tokens(batch * time, vocab - 1, rng);  // never the mask token itself
  std::vector<std::size_t> lengths(batch);
  for (std::size_t b = 0; b < batch; ++b) lengths[b] = 25 + b % 26;
  const nn::MlmBatch m = nn::mask_for_mlm(tokens, batch, time, lengths, vocab, mask_token, 0.15, rng);
  double real = 0, chosen = 0, masked = 0, kept = 0;
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t t = 0; t < time; ++t) {
      const std::size_t r = b * time + t;
      if (t >= lengths[b]) {  // padding: never chosen, never changed
        BOOST_TEST(m.targets[r] == nn::ignore_index);
        BOOST_TEST(m.inputs[r] == tokens[r]);
        continue;
      }
      real += 1;
      if (m.targets[r] == nn::ignore_index) {
        BOOST_TEST(m.inputs[r] == tokens[r]);
        continue;
      }
      BOOST_TEST(m.targets[r] == tokens[r]);
      chosen += 1;
      masked += m.inputs[r] == mask_token;
      kept += m.inputs[r] == tokens[r];
    }
  // frequencies within 4 binomial standard deviations (kept includes random draws that hit the same token)
  auto near = [](double count, double n, double p) { return std::abs(count / n - p) <= 4 * std::sqrt(p * (1 - p) / n); };
  BOOST_TEST(near(chosen, real, 0.15), chosen / real);
  BOOST_TEST(near(masked, chosen, 0.8), masked / chosen);
  BOOST_TEST(near(kept, chosen, 0.1 + 0.1 / double(vocab)), kept / chosen);
}

// Pretraining: each sequence repeats one random token, with fresh BERT masks every step. A masked token is the
// token of its unmasked neighbours, so the MLM loss (about ln 7 at the start) must fall.
BOOST_AUTO_TEST_CASE(an_encoder_pretrained_with_mlm_learns_to_fill_in_tokens) {
  nn::EncoderConfig c;
  c.vocab_size = 7;  // 0..5 and the mask token 6
  c.context = 12;
  c.n_embd = 16;
  c.n_classes = 2;
  nn::Encoder<float> model(c, 17);
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> start(0, 5);
  const std::size_t batch = 8;
  model.train(true);
  const auto [first, last] = train_briefly(model, 120, [&] {
    nn::Tokens tokens;
    for (std::size_t b = 0; b < batch; ++b) {
      const int token = start(rng);
      for (std::size_t t = 0; t < c.context; ++t) tokens.push_back(token);
    }
    const nn::MlmBatch m = nn::mask_for_mlm(tokens, batch, c.context, {}, 6, 6, 0.15, rng);
    model.forward(m.inputs, batch, c.context, {});
    return model.loss(m.targets, {});
  }, 10);
  BOOST_TEST_MESSAGE("MLM loss " << first << " -> " << last);
  BOOST_TEST(first > 1.5f);
  BOOST_TEST(last < 0.5f * first, "MLM loss " << first << " -> " << last);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(vision)

// Two 4 x 4 channels holding their element indices, cut into 2 x 2 patches: patch 1 is the top-right square,
// channel 0 rows (0, 2..3) and (1, 2..3), then channel 1's same square (16 further on).
BOOST_AUTO_TEST_CASE(patches_are_squares_in_reading_order_channel_by_channel) {
  nn::Matrix<double> image = nn::Matrix<double>::from_shape({1, 32});
  for (std::size_t i = 0; i < 32; ++i) image(0, i) = double(i);
  const nn::Matrix<double> patches = nn::patchify(image, 2, 4, 2);
  BOOST_TEST(patches.shape(0) == 4u);
  BOOST_TEST(patches.shape(1) == 8u);
  const std::vector<double> expected = {2, 3, 6, 7, 18, 19, 22, 23};
  for (std::size_t j = 0; j < 8; ++j) BOOST_TEST(patches(1, j) == expected[j], "column " << j);
  BOOST_TEST(patches(2, 0) == 8.0);  // patch 2 starts the second row of patches
}

// Class 1 images are brighter in their top half: a ViT must learn it in a few dozen steps.
BOOST_AUTO_TEST_CASE(a_vit_learns_which_half_is_brighter) {
  nn::VitConfig c;
  c.image_size = 4;
  c.channels = 1;
  c.patch = 2;
  c.n_layer = 1;
  c.n_head = 2;
  c.n_embd = 16;
  c.n_classes = 2;
  nn::Vit<float> model(c, 18);
  std::mt19937_64 rng(18);
  std::normal_distribution<float> noise(0.f, 0.3f);
  const std::size_t n = 16;
  nn::Matrix<float> images = nn::Matrix<float>::from_shape({n, 16});
  nn::Tokens labels(n);
  for (std::size_t i = 0; i < n; ++i) {
    labels[i] = int(i % 2);
    for (std::size_t p = 0; p < 16; ++p) images(i, p) = noise(rng) + ((p < 8) == (labels[i] == 1) ? 1.f : 0.f);
  }
  const auto [first, last] = train_briefly(model, 60, [&] {
    model.forward(images);
    return model.loss(labels);
  });
  BOOST_TEST(last < 0.5f * first, "loss " << first << " -> " << last);
}

BOOST_AUTO_TEST_SUITE_END()
