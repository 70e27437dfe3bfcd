// Reference solution for ch10/10.14: a character-level GPT made of the library's blocks, trained by hand.
// forward:  x = wte[tokens] + wpe[positions];  h = blocks(x) with a causal mask (the stack ends in ln_f);
//           logits = h wte^T (the head shares the token embedding);  loss = mean cross-entropy with the next token.
// backward: dlogits -> dh (and the head's share of dwte) -> blocks -> dx -> scattered into dwte and dwpe.

#include "ch10/10.14/interface.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include <xtensor/xview.hpp>

#include "nn/linear.hpp"
#include "nn/optim.hpp"
#include "nn/softmax.hpp"
#include "nn/stack.hpp"

namespace ch10_14 {

namespace {

using Matrix = nn::Matrix<float>;

class CharGpt {
 public:
  CharGpt(const ModelShape& shape, std::mt19937_64& rng)
      : shape_(shape),
        wte_(xt::zeros<float>({std::size_t(shape.vocab), std::size_t(shape.n_embd)})),
        wpe_(xt::zeros<float>({std::size_t(shape.context), std::size_t(shape.n_embd)})),
        stack_(block_config(shape), std::size_t(shape.n_layer), 0, rng) {
    nn::init_normal(wte_, 0.02, rng);
    nn::init_normal(wpe_, 0.01, rng);
    dwte_ = xt::zeros<float>(wte_.shape());
    dwpe_ = xt::zeros<float>(wpe_.shape());
  }

  // The library GPT's names and order: wte, wpe, then the blocks and ln_f.
  std::vector<nn::ParamRef<float>> parameters() {
    std::vector<nn::ParamRef<float>> out{nn::param_ref("wte.weight", wte_, dwte_), nn::param_ref("wpe.weight", wpe_, dwpe_)};
    stack_.append_params(out);
    return out;
  }

  // Copies each tensor into the parameter of the same name; names and shapes must be the model's.
  void load(const std::vector<NamedTensor>& tensors) {
    for (const auto& p : parameters()) {
      const auto t = std::find_if(tensors.begin(), tensors.end(), [&](const NamedTensor& n) { return n.name == p.name; });
      if (t == tensors.end() || t->shape != p.shape) throw std::invalid_argument("no parameter " + p.name + " of its shape");
      std::copy(t->values.begin(), t->values.end(), p.value);
    }
  }

  // tokens (batch * time, row b * time + t) -> logits (batch * time, vocab), recording what backward needs.
  Matrix logits(const nn::Tokens& tokens, std::size_t batch, std::size_t time) {
    tokens_ = tokens;
    time_ = time;
    Matrix x = nn::embedding_forward(tokens_, wte_);
    for (std::size_t r = 0; r < tokens_.size(); ++r) xt::row(x, r) += xt::row(wpe_, r % time);
    hidden_ = stack_.forward(x, nullptr, layout(batch, time), false, nullptr);
    return nn::linear_forward(hidden_, wte_, static_cast<const nn::Vector<float>*>(nullptr));
  }

  // windows (batch, time + 1) row-major: tokens 0..time-1 in, 1..time as targets. Returns the mean loss.
  float forward(const std::vector<int>& windows, std::size_t batch, std::size_t time) {
    nn::Tokens tokens;
    targets_.clear();
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t t = 0; t < time; ++t) {
        tokens.push_back(windows[b * (time + 1) + t]);
        targets_.push_back(windows[b * (time + 1) + t + 1]);
      }
    return nn::cross_entropy_forward(logits(tokens, batch, time), targets_, probs_);
  }

  void backward() {
    const Matrix dlogits = nn::cross_entropy_backward(probs_, targets_);
    const Matrix dhidden =
        nn::linear_backward(dlogits, hidden_, wte_, dwte_, static_cast<nn::Vector<float>*>(nullptr));
    const Matrix dx = stack_.backward(dhidden, nullptr);
    nn::embedding_backward(dx, tokens_, dwte_);
    nn::Tokens positions(tokens_.size());
    for (std::size_t r = 0; r < positions.size(); ++r) positions[r] = int(r % time_);
    nn::embedding_backward(dx, positions, dwpe_);
  }

 private:
  static nn::BlockConfig block_config(const ModelShape& shape) {
    nn::BlockConfig b;
    b.n_embd = std::size_t(shape.n_embd);
    b.n_head = b.n_kv_head = std::size_t(shape.n_head);
    b.ffn_hidden = 4 * b.n_embd;
    return b;
  }

  nn::SequenceLayout layout(std::size_t batch, std::size_t time) const {
    const auto& b = stack_.config();
    nn::SequenceLayout s;
    s.self = {batch, time, time, b.n_head, b.n_kv_head, b.head_dim(), 0};
    s.self_mask.kind = nn::MaskKind::causal;
    for (std::size_t i = 0; i < batch * time; ++i) s.positions.push_back(i % time);
    return s;
  }

  ModelShape shape_;
  Matrix wte_, wpe_, dwte_, dwpe_;
  nn::BlockStack<float> stack_;
  nn::Tokens tokens_, targets_;
  std::size_t time_ = 0;
  Matrix hidden_, probs_;
};

std::vector<NamedTensor> named_tensors(const std::vector<nn::ParamRef<float>>& params) {
  std::vector<NamedTensor> out;
  for (const auto& p : params) out.push_back({p.name, p.shape, std::vector<float>(p.value, p.value + p.size)});
  return out;
}

}  // namespace

std::vector<Snapshot> train_char_lm(const std::vector<int>& text, const ModelShape& shape, const TrainingPlan& plan) {
  std::mt19937_64 rng(plan.seed);
  CharGpt model(shape, rng);
  const auto params = model.parameters();
  nn::AdamW<float> optimizer(params, {plan.lr, 0.9, 0.99, 1e-8, 0.1});

  // Windows of context + 1 tokens starting every `context` tokens: each token is a target once per epoch.
  const std::size_t time = std::size_t(shape.context);
  std::vector<std::size_t> starts;
  for (std::size_t s = 0; s + time + 1 <= text.size(); s += time) starts.push_back(s);

  std::vector<Snapshot> snapshots;
  std::vector<double> losses;
  for (int epoch = 1; epoch <= plan.epochs; ++epoch) {
    std::shuffle(starts.begin(), starts.end(), rng);
    for (std::size_t first = 0; first < starts.size(); first += std::size_t(plan.batch)) {
      const std::size_t batch = std::min(std::size_t(plan.batch), starts.size() - first);
      std::vector<int> windows;
      for (std::size_t b = 0; b < batch; ++b)
        windows.insert(windows.end(), text.begin() + std::ptrdiff_t(starts[first + b]),
                       text.begin() + std::ptrdiff_t(starts[first + b] + time + 1));
      nn::zero_grads(params);
      losses.push_back(model.forward(windows, batch, time));
      model.backward();
      optimizer.step();
    }
    if (std::find(plan.snapshot_epochs.begin(), plan.snapshot_epochs.end(), epoch) != plan.snapshot_epochs.end())
      snapshots.push_back({epoch, named_tensors(params), losses});
  }
  return snapshots;
}

xt::xtensor<double, 2> model_logits(const std::vector<NamedTensor>& parameters, const std::vector<int>& tokens,
                                    const ModelShape& shape) {
  std::mt19937_64 unused(0);
  CharGpt model(shape, unused);
  model.load(parameters);
  return xt::cast<double>(model.logits(nn::Tokens(tokens.begin(), tokens.end()), 1, tokens.size()));
}

int sample_next(const xt::xtensor<double, 1>& logits, double temperature, double u) {
  if (temperature == 0) return int(std::max_element(logits.begin(), logits.end()) - logits.begin());
  const double top = *std::max_element(logits.begin(), logits.end());
  std::vector<double> weights(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) weights[i] = std::exp((logits(i) - top) / temperature);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double cumulative = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    cumulative += weights[i] / total;
    if (cumulative > u) return int(i);
  }
  return int(weights.size()) - 1;  // u within rounding of 1
}

}  // namespace ch10_14
