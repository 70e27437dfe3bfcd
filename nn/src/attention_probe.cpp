#include "nn/attention_probe.hpp"

#include <stdexcept>

namespace nn {

namespace {

// Runs `forward` (one evaluation forward of `model`) with a core that keeps every layer's probabilities.
template <class Model, class Forward>
std::vector<std::vector<float>> record_attention(Model& model, const Forward& forward) {
  std::vector<std::vector<float>> probs;
  AttentionCore<float> recorder;
  recorder.forward = [&probs](const Matrix<float>& q, const Matrix<float>& k, const Matrix<float>& v,
                              const AttentionShape& shape, const AttentionMask& mask) {
    AttentionCache<float> cache;
    auto out = attention_forward(q, k, v, shape, mask, RelativeBias<float>{}, cache);
    probs.push_back(std::move(cache.probs));
    return out;
  };
  recorder.backward = [](const Matrix<float>&, const Matrix<float>&, const Matrix<float>&, const Matrix<float>&,
                         const AttentionShape&, const AttentionMask&) -> AttentionGrads<float> {
    throw std::logic_error("attention probe: the recording core is for evaluation only");
  };
  model.train(false);
  model.set_attention_core(&recorder);
  forward();
  model.set_attention_core(nullptr);
  return probs;
}

}  // namespace

std::vector<std::vector<float>> encoder_attention(Encoder<float>& model, const Tokens& tokens, std::size_t batch,
                                                  std::size_t length) {
  return record_attention(model, [&] { model.forward(tokens, batch, length, {}); });
}

std::vector<std::vector<float>> gpt_attention(Gpt<float>& model, const Tokens& tokens, std::size_t batch,
                                              std::size_t length) {
  return record_attention(model, [&] { model.forward(tokens, batch, length); });
}

}  // namespace nn
