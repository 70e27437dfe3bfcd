// Reference solution for arch13/20: a GPT-2-style model chained from the kit's layer pairs, llm.c's way. The forward
// keeps every activation the backward needs; the backward walks the layers in reverse, adding the residual stream's
// gradient past every block and the tied head's gradient into wte. The model is a template: loss_and_grads runs it in
// double, the training in float (twice as fast, and float is what a GPU would use).

#include "arch13/20/interface.hpp"

#include <map>
#include <random>
#include <stdexcept>

#include <xtensor/xview.hpp>

#include "nn/activation.hpp"
#include "nn/attention.hpp"
#include "nn/linear.hpp"
#include "nn/norm.hpp"
#include "nn/optim.hpp"
#include "nn/softmax.hpp"

namespace arch13_20 {

namespace {

template <class T>
using Matrix = nn::Matrix<T>;
template <class T>
using Vector = nn::Vector<T>;

// ---- parameters --------------------------------------------------------------------------------------------

template <class T>
struct Layer {
  Vector<T> ln_1_w, ln_1_b;
  Matrix<T> attn_w;  // (3C, C): q, k, v
  Vector<T> attn_b;
  Matrix<T> proj_w;  // (C, C)
  Vector<T> proj_b;
  Vector<T> ln_2_w, ln_2_b;
  Matrix<T> fc_w;  // (4C, C)
  Vector<T> fc_b;
  Matrix<T> fc_proj_w;  // (C, 4C)
  Vector<T> fc_proj_b;
};

template <class T>
struct Weights {
  Matrix<T> wte, wpe;
  std::vector<Layer<T>> h;
  Vector<T> ln_f_w, ln_f_b;
};

template <class T>
Weights<T> zeros(const ModelShape& s) {
  const std::size_t C = std::size_t(s.n_embd);
  Layer<T> layer{xt::zeros<T>({C}),        xt::zeros<T>({C}),     xt::zeros<T>({3 * C, C}), xt::zeros<T>({3 * C}),
                 xt::zeros<T>({C, C}),     xt::zeros<T>({C}),     xt::zeros<T>({C}),        xt::zeros<T>({C}),
                 xt::zeros<T>({4 * C, C}), xt::zeros<T>({4 * C}), xt::zeros<T>({C, 4 * C}), xt::zeros<T>({C})};
  return {xt::zeros<T>({std::size_t(s.vocab), C}), xt::zeros<T>({std::size_t(s.context), C}),
          std::vector<Layer<T>>(std::size_t(s.n_layer), layer), xt::zeros<T>({C}), xt::zeros<T>({C})};
}

// Every parameter under its GPT-2 name, with the matching gradient.
template <class T>
std::vector<nn::ParamRef<T>> named(Weights<T>& w, Weights<T>& g) {
  std::vector<nn::ParamRef<T>> out{nn::param_ref("wte.weight", w.wte, g.wte), nn::param_ref("wpe.weight", w.wpe, g.wpe)};
  for (std::size_t l = 0; l < w.h.size(); ++l) {
    const std::string p = "h." + std::to_string(l) + ".";
    Layer<T>&a = w.h[l], &b = g.h[l];
    out.push_back(nn::param_ref(p + "ln_1.weight", a.ln_1_w, b.ln_1_w));
    out.push_back(nn::param_ref(p + "ln_1.bias", a.ln_1_b, b.ln_1_b));
    out.push_back(nn::param_ref(p + "attn.c_attn.weight", a.attn_w, b.attn_w));
    out.push_back(nn::param_ref(p + "attn.c_attn.bias", a.attn_b, b.attn_b));
    out.push_back(nn::param_ref(p + "attn.c_proj.weight", a.proj_w, b.proj_w));
    out.push_back(nn::param_ref(p + "attn.c_proj.bias", a.proj_b, b.proj_b));
    out.push_back(nn::param_ref(p + "ln_2.weight", a.ln_2_w, b.ln_2_w));
    out.push_back(nn::param_ref(p + "ln_2.bias", a.ln_2_b, b.ln_2_b));
    out.push_back(nn::param_ref(p + "mlp.c_fc.weight", a.fc_w, b.fc_w));
    out.push_back(nn::param_ref(p + "mlp.c_fc.bias", a.fc_b, b.fc_b));
    out.push_back(nn::param_ref(p + "mlp.c_proj.weight", a.fc_proj_w, b.fc_proj_w));
    out.push_back(nn::param_ref(p + "mlp.c_proj.bias", a.fc_proj_b, b.fc_proj_b));
  }
  out.push_back(nn::param_ref("ln_f.weight", w.ln_f_w, g.ln_f_w));
  out.push_back(nn::param_ref("ln_f.bias", w.ln_f_b, g.ln_f_b));
  return out;
}

template <class T>
std::vector<NamedTensor> to_named(const std::vector<nn::ParamRef<T>>& refs, bool gradients) {
  std::vector<NamedTensor> out;
  for (const auto& r : refs) {
    const T* data = gradients ? r.grad : r.value;
    out.push_back({r.name, r.shape, std::vector<double>(data, data + r.size)});
  }
  return out;
}

// ---- forward -----------------------------------------------------------------------------------------------

template <class T>
struct LayerActivations {
  Matrix<T> inp, ln_1, q, k, v, att, x1, ln_2, fc, gelu;
  nn::NormCache<T> ln_1_cache, ln_2_cache;
  nn::AttentionCache<T> att_cache;
};

template <class T>
struct Activations {
  nn::Tokens tokens, positions, targets;
  nn::AttentionShape shape;
  std::vector<LayerActivations<T>> layers;
  Matrix<T> x_final, ln_f, probs;
  nn::NormCache<T> ln_f_cache;
};

template <class T>
Matrix<T> columns(const Matrix<T>& x, std::size_t first, std::size_t count) {
  return xt::view(x, xt::all(), xt::range(first, first + count));
}

constexpr double norm_eps = 1e-5;

// One pre-LN block: x1 = x + attn(ln_1(x)), out = x1 + mlp(ln_2(x1)).
template <class T>
Matrix<T> block_forward(const Layer<T>& w, const Matrix<T>& x, const nn::AttentionShape& shape, LayerActivations<T>& a) {
  const std::size_t C = x.shape(1);
  a.inp = x;
  a.ln_1 = nn::layernorm_forward(x, w.ln_1_w, w.ln_1_b, T(norm_eps), a.ln_1_cache);
  const Matrix<T> qkv = nn::linear_forward(a.ln_1, w.attn_w, &w.attn_b);
  a.q = columns(qkv, 0, C);
  a.k = columns(qkv, C, C);
  a.v = columns(qkv, 2 * C, C);
  a.att = nn::attention_forward(a.q, a.k, a.v, shape, nn::AttentionMask{}, nn::RelativeBias<T>{}, a.att_cache);
  a.x1 = x + nn::linear_forward(a.att, w.proj_w, &w.proj_b);
  a.ln_2 = nn::layernorm_forward(a.x1, w.ln_2_w, w.ln_2_b, T(norm_eps), a.ln_2_cache);
  a.fc = nn::linear_forward(a.ln_2, w.fc_w, &w.fc_b);
  a.gelu = nn::gelu_forward(a.fc);
  return a.x1 + nn::linear_forward(a.gelu, w.fc_proj_w, &w.fc_proj_b);
}

// The mean cross-entropy of the next tokens; fills `a` for the backward.
template <class T>
T forward(const Weights<T>& w, const nn::Tokens& tokens, const nn::Tokens& targets, std::size_t batch,
          std::size_t n_head, Activations<T>& a) {
  const std::size_t time = tokens.size() / batch, C = w.wte.shape(1);
  if (tokens.size() != batch * time || time > w.wpe.shape(0)) throw std::invalid_argument("tokens do not fit");
  a.tokens = tokens;
  a.targets = targets;
  a.positions.resize(tokens.size());
  for (std::size_t r = 0; r < tokens.size(); ++r) a.positions[r] = int(r % time);
  a.shape = {batch, time, time, n_head, n_head, C / n_head, 0};
  Matrix<T> x = nn::embedding_forward(tokens, w.wte) + nn::embedding_forward(a.positions, w.wpe);
  a.layers.resize(w.h.size());
  for (std::size_t l = 0; l < w.h.size(); ++l) x = block_forward(w.h[l], x, a.shape, a.layers[l]);
  a.x_final = x;
  a.ln_f = nn::layernorm_forward(x, w.ln_f_w, w.ln_f_b, T(norm_eps), a.ln_f_cache);
  const Matrix<T> logits = nn::linear_forward(a.ln_f, w.wte, static_cast<const Vector<T>*>(nullptr));
  return nn::cross_entropy_forward(logits, targets, a.probs);
}

// ---- backward ----------------------------------------------------------------------------------------------

// dout = dloss/d(block output) -> dloss/d(block input); adds the block's parameter gradients into g. Each residual
// connection passes its gradient on unchanged, to which the branch's own is added.
template <class T>
Matrix<T> block_backward(const Layer<T>& w, const Matrix<T>& dout, const nn::AttentionShape& shape,
                         const LayerActivations<T>& a, Layer<T>& g) {
  const Matrix<T> dgelu = nn::linear_backward(dout, a.gelu, w.fc_proj_w, g.fc_proj_w, &g.fc_proj_b);
  const Matrix<T> dfc = nn::gelu_backward(dgelu, a.fc);
  const Matrix<T> dln_2 = nn::linear_backward(dfc, a.ln_2, w.fc_w, g.fc_w, &g.fc_b);
  const Matrix<T> dx1 = dout + nn::layernorm_backward(dln_2, a.x1, w.ln_2_w, a.ln_2_cache, g.ln_2_w, g.ln_2_b);
  const Matrix<T> datt = nn::linear_backward(dx1, a.att, w.proj_w, g.proj_w, &g.proj_b);
  const auto d = nn::attention_backward(datt, a.q, a.k, a.v, shape, nn::AttentionMask{}, nn::RelativeBias<T>{},
                                        a.att_cache);
  const Matrix<T> dqkv = xt::concatenate(xt::xtuple(d.dq, d.dk, d.dv), 1);
  const Matrix<T> dln_1 = nn::linear_backward(dqkv, a.ln_1, w.attn_w, g.attn_w, &g.attn_b);
  return dx1 + nn::layernorm_backward(dln_1, a.inp, w.ln_1_w, a.ln_1_cache, g.ln_1_w, g.ln_1_b);
}

// Adds dloss/dparameter of the last forward into g.
template <class T>
void backward(const Weights<T>& w, const Activations<T>& a, Weights<T>& g) {
  const Matrix<T> dlogits = nn::cross_entropy_backward(a.probs, a.targets);
  const Matrix<T> dln_f =
      nn::linear_backward(dlogits, a.ln_f, w.wte, g.wte, static_cast<Vector<T>*>(nullptr));  // the tied head
  Matrix<T> dx = nn::layernorm_backward(dln_f, a.x_final, w.ln_f_w, a.ln_f_cache, g.ln_f_w, g.ln_f_b);
  for (std::size_t l = w.h.size(); l-- > 0;) dx = block_backward(w.h[l], dx, a.shape, a.layers[l], g.h[l]);
  nn::embedding_backward(dx, a.tokens, g.wte);
  nn::embedding_backward(dx, a.positions, g.wpe);
}

// ---- loading and initialising ------------------------------------------------------------------------------

template <class T>
void load(const std::vector<NamedTensor>& tensors, const std::vector<nn::ParamRef<T>>& refs) {
  std::map<std::string, const NamedTensor*> by_name;
  for (const auto& t : tensors) by_name[t.name] = &t;
  for (const auto& r : refs) {
    const auto found = by_name.find(r.name);
    if (found == by_name.end() || found->second->values.size() != r.size)
      throw std::invalid_argument("parameter " + r.name + " is missing or has the wrong size");
    std::copy(found->second->values.begin(), found->second->values.end(), r.value);
  }
}

// GPT-2's initialisation: N(0, 0.02) for every matrix, zero biases, norm gains of 1.
template <class T>
void initialise(Weights<T>& w, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, 0.02);
  auto fill = [&](Matrix<T>& m) {
    for (auto& x : m) x = T(normal(rng));
  };
  fill(w.wte);
  fill(w.wpe);
  for (auto& layer : w.h) {
    for (Matrix<T>* m : {&layer.attn_w, &layer.proj_w, &layer.fc_w, &layer.fc_proj_w}) fill(*m);
    layer.ln_1_w.fill(T(1));
    layer.ln_2_w.fill(T(1));
  }
  w.ln_f_w.fill(T(1));
}

}  // namespace

LossAndGrads loss_and_grads(const std::vector<NamedTensor>& parameters, const std::vector<int>& tokens,
                            const std::vector<int>& targets, int batch, const ModelShape& shape) {
  Weights<double> w = zeros<double>(shape), g = zeros<double>(shape);
  const auto refs = named(w, g);
  load(parameters, refs);
  Activations<double> a;
  const double loss = forward(w, tokens, targets, std::size_t(batch), std::size_t(shape.n_head), a);
  backward(w, a, g);
  return {loss, to_named(refs, true)};
}

TrainedModel train_gpt(const std::vector<int>& text, const ModelShape& shape, const TrainingPlan& plan) {
  std::mt19937_64 rng(plan.seed);
  Weights<float> w = zeros<float>(shape), g = zeros<float>(shape);
  initialise(w, rng);
  const auto refs = named(w, g);
  nn::AdamW<float> optimizer(refs, {plan.lr, 0.9, 0.99, 1e-8, 0.1});
  const std::size_t T = std::size_t(shape.context), B = std::size_t(plan.batch);
  std::uniform_int_distribution<std::size_t> start(0, text.size() - T - 1);
  TrainedModel out;
  for (int step = 0; step < plan.steps; ++step) {
    nn::Tokens tokens, targets;
    for (std::size_t b = 0; b < B; ++b) {
      const auto s = text.begin() + std::ptrdiff_t(start(rng));
      tokens.insert(tokens.end(), s, s + std::ptrdiff_t(T));
      targets.insert(targets.end(), s + 1, s + std::ptrdiff_t(T) + 1);
    }
    nn::zero_grads(refs);
    Activations<float> a;
    out.step_losses.push_back(forward(w, tokens, targets, B, std::size_t(shape.n_head), a));
    backward(w, a, g);
    optimizer.step();
  }
  out.parameters = to_named(refs, false);
  return out;
}

}  // namespace arch13_20
