// 13.22: RMSNorm and SwiGLU in place of LayerNorm and the GELU feed-forward layer of the chapter's GPT. The student
// writes both pieces, forward and backward. Expected values: plain loops in double written here (the oracles), central
// differences of those oracles AND of the student's own forward (a wrong forward with a backward consistent with it
// fails the first, a backward that does not match its own forward fails the second), two properties of RMSNorm with
// closed forms (scale invariance; a shifted row's mean), and the nn library's own pre-norm block with RMSNorm and
// SwiGLU (nn::block_forward, an independent implementation) on the same tensors.
//
// The library's GPT has no hook for a norm or a feed-forward layer, so the model that trains is the library's
// RMSNorm/SwiGLU GPT on tiny Shakespeare (trusted side); the student's pieces are then held to it: a forward of the
// whole model built here from the student's norm and FFN, the library's embedding, attention and head, on the trained
// weights, must give the library's held-out loss, and that loss must have fallen from the untrained model's. Quick: two
// layers of width 32 for 120 steps. --full: 4 layers of width 128, LayerNorm + GELU against RMSNorm + SwiGLU on the same
// data, seed, steps and learning rate, the loss curves (figure `curves`) and the steps each needs to reach a
// validation loss (printed; results in docs/results/ch13.md).

#include "ch13/13.22/interface.hpp"

#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <utility>

#include "nn/block.hpp"
#include "nn/char_tokenizer.hpp"
#include "nn/data_loader.hpp"
#include "nn/gpt.hpp"
#include "nn/linear.hpp"
#include "nn/position.hpp"
#include "nn/shipped_data.hpp"
#include "nn/softmax.hpp"
#include "nn/trainer.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/finite_difference.hpp"
#include "workbook/oracle/float_inputs.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::oracle::rounded_to_float;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

// ---- the oracles: plain loops in double ------------------------------------------------------------------------

Matrix oracle_rmsnorm(const Matrix& x, const Vector& weight, double eps) {
  Matrix y = x;
  for (std::size_t i = 0; i < x.shape(0); ++i) {
    double mean_square = 0;
    for (std::size_t j = 0; j < x.shape(1); ++j) mean_square += x(i, j) * x(i, j) / double(x.shape(1));
    const double scale = 1 / std::sqrt(mean_square + eps);
    for (std::size_t j = 0; j < x.shape(1); ++j) y(i, j) = x(i, j) * scale * weight(j);
  }
  return y;
}

struct Ffn {
  Matrix gate, up, down;  // (F, C), (F, C), (C, F)
};

Matrix oracle_swiglu(const Matrix& x, const Ffn& w) {
  using workbook::oracle::matmul;
  using workbook::oracle::transpose;
  Matrix hidden = matmul(x, transpose(w.gate));
  const Matrix up = matmul(x, transpose(w.up));
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    const double a = hidden.flat(i);
    hidden.flat(i) = a / (1 + std::exp(-a)) * up.flat(i);
  }
  return matmul(hidden, transpose(w.down));
}

// ---- inputs: drawn in double, rounded to float, so that the oracle and the student see the same numbers ----------

ch13_22::Matrix floats(const Matrix& x) { return xt::cast<float>(x); }
ch13_22::Vector floats(const Vector& x) { return xt::cast<float>(x); }

struct NormInputs {
  Matrix x, dout;
  Vector weight;
  double eps;
};

// N rows of C Gaussian entries, row i scaled by 10^(lo + (hi - lo) i / (N - 1)): with eps = 1e-5, rows at 1e-3 are
// ruled by eps and rows at 10 ignore it. Gains 1 + 0.5 N(0, 1), so that a forgotten or misplaced gain shows.
NormInputs norm_inputs(std::size_t n, std::size_t c, double lo, double hi, std::mt19937_64& rng) {
  Matrix x = workbook::oracle::gaussian_matrix(n, c, rng);
  for (std::size_t i = 0; i < n; ++i)
    xt::row(x, i) *= std::pow(10.0, n > 1 ? lo + (hi - lo) * double(i) / double(n - 1) : lo);
  const Vector weight = 1.0 + workbook::oracle::gaussian_vector(c, rng, 0.5);
  return {rounded_to_float(x), rounded_to_float(workbook::oracle::gaussian_matrix(n, c, rng)),
          rounded_to_float(weight), 1e-5};
}

struct FfnInputs {
  Matrix x, dout;
  Ffn w;
};

FfnInputs ffn_inputs(std::size_t n, std::size_t c, std::size_t f, std::mt19937_64& rng) {
  const auto draw = [&](std::size_t rows, std::size_t cols, double spread) {
    return rounded_to_float(workbook::oracle::gaussian_matrix(rows, cols, rng, spread));
  };
  const double in_spread = 1 / std::sqrt(double(c)), out_spread = 1 / std::sqrt(double(f));
  FfnInputs in{draw(n, c, 1.0), {}, {draw(f, c, in_spread), draw(f, c, in_spread), draw(c, f, out_spread)}};
  in.dout = draw(n, c, 1.0);
  return in;
}

ch13_22::SwigluWeights student_weights(const Ffn& w) { return {floats(w.gate), floats(w.up), floats(w.down)}; }

// ---- the student's functions, their results' shapes checked -----------------------------------------------------

ch13_22::Matrix student_norm(const ch13_22::Matrix& x, const ch13_22::Vector& weight, float eps) {
  auto y = ch13_22::rmsnorm_forward(x, weight, eps);
  workbook::require_shape("rmsnorm_forward", y, {x.shape(0), x.shape(1)});
  return y;
}

ch13_22::Matrix student_ffn(const ch13_22::Matrix& x, const ch13_22::SwigluWeights& w) {
  auto y = ch13_22::swiglu_forward(x, w);
  workbook::require_shape("swiglu_forward", y, {x.shape(0), w.down.shape(0)});
  return y;
}

xt::xarray<double> student_norm_grads(const NormInputs& in) {
  const auto g = ch13_22::rmsnorm_backward(floats(in.dout), floats(in.x), floats(in.weight), float(in.eps));
  workbook::require_shape("rmsnorm_backward (dx)", g.dx, {in.x.shape(0), in.x.shape(1)});
  workbook::require_shape("rmsnorm_backward (dweight)", g.dweight, {in.weight.shape(0)});
  return xt::concatenate(xt::xtuple(xt::flatten(xt::xarray<double>(g.dx)), xt::xarray<double>(g.dweight)));
}

// dx, dgate, dup and ddown end to end.
xt::xarray<double> student_ffn_grads(const FfnInputs& in) {
  const auto g = ch13_22::swiglu_backward(floats(in.dout), floats(in.x), student_weights(in.w));
  workbook::require_shape("swiglu_backward (dx)", g.dx, {in.x.shape(0), in.x.shape(1)});
  workbook::require_shape("swiglu_backward (dgate)", g.dgate, {in.w.gate.shape(0), in.w.gate.shape(1)});
  workbook::require_shape("swiglu_backward (dup)", g.dup, {in.w.up.shape(0), in.w.up.shape(1)});
  workbook::require_shape("swiglu_backward (ddown)", g.ddown, {in.w.down.shape(0), in.w.down.shape(1)});
  using workbook::oracle::end_to_end;
  return xt::concatenate(
      xt::xtuple(end_to_end(g.dx, g.dgate, g.dup), xt::flatten(xt::xarray<double>(g.ddown))));
}

// ---- gradients by central differences, of the oracle (double) or of the student's forward (float) ----------------

// Central differences of a float forward: with h = 1e-3 float's rounding of L = sum(dout * y) (about 1e-7 |L|)
// becomes about 1e-4 of the gradient's scale and the truncation h^2 f''' / 6 stays near 1e-6; 2e-3 of the largest
// gradient (and 2e-3 relative) leaves a margin of ten, while a missing term or swapped gradients move entries by a
// sizeable fraction of that scale.
constexpr double float_step = 1e-3;
workbook::Tolerance float_differences(const xt::xarray<double>& expected) {
  return {2e-3, 2e-3 * workbook::tolerance::largest_magnitude(expected)};
}

// The gradients of L = sum(dout * forward(...)) by central differences of step h, with respect to every input in
// turn, end to end in the order the student's backward returns them; forward is the oracle or the student's.
template <class Forward>
xt::xarray<double> norm_differences(const NormInputs& in, Forward forward, double h) {
  const auto loss = [&](const Matrix& x, const Vector& w) { return double(xt::sum(in.dout * forward(x, w))()); };
  using workbook::oracle::numerical_gradient;
  return xt::concatenate(
      xt::xtuple(xt::flatten(numerical_gradient(in.x, [&](const Matrix& x) { return loss(x, in.weight); }, h)),
                 numerical_gradient(in.weight, [&](const Vector& w) { return loss(in.x, w); }, h)));
}

template <class Forward>
xt::xarray<double> ffn_differences(const FfnInputs& in, Forward forward, double h) {
  using workbook::oracle::numerical_gradient;
  const auto loss = [&](const Matrix& x, const Ffn& w) { return double(xt::sum(in.dout * forward(x, w))()); };
  const auto with = [&](Matrix Ffn::*member) {
    return numerical_gradient(in.w.*member, [&](const Matrix& value) {
      Ffn changed = in.w;
      changed.*member = value;
      return loss(in.x, changed);
    }, h);
  };
  const auto dx = numerical_gradient(in.x, [&](const Matrix& x) { return loss(x, in.w); }, h);
  return xt::concatenate(xt::xtuple(workbook::oracle::end_to_end(dx, with(&Ffn::gate), with(&Ffn::up)),
                                    xt::flatten(with(&Ffn::down))));
}

CheckResult against_oracle_differences(const xt::xarray<double>& actual, const xt::xarray<double>& expected) {
  return workbook::close(actual, expected, workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(expected)));
}

CheckResult against_own_differences(const xt::xarray<double>& actual, const xt::xarray<double>& expected) {
  return workbook::close(actual, expected, float_differences(expected));
}

// ---- the checks of the pieces -------------------------------------------------------------------------------------

CheckResult norm_matches_oracle(const NormInputs& in) {
  const Matrix expected = oracle_rmsnorm(in.x, in.weight, in.eps);
  const xt::xarray<double> actual = student_norm(floats(in.x), floats(in.weight), float(in.eps));
  return workbook::close(actual, expected, workbook::tolerance::float_at_scale(expected));
}

CheckResult ffn_matches_oracle(const FfnInputs& in) {
  const Matrix expected = oracle_swiglu(in.x, in.w);
  const xt::xarray<double> actual = student_ffn(floats(in.x), student_weights(in.w));
  // The hidden width's sums may cancel: the scale of their terms is the same product on absolute values.
  const Ffn magnitudes{xt::abs(in.w.gate), xt::abs(in.w.up), xt::abs(in.w.down)};
  return workbook::close(actual, expected, workbook::tolerance::float_sums(workbook::tolerance::largest_magnitude(
                                               oracle_swiglu(xt::abs(in.x), magnitudes))));
}

// Rows of mean zero and mean square in [0.5, 2] (C >= 2), for the properties: eps is negligible against them.
Matrix centred_rows(std::size_t n, std::size_t c, std::mt19937_64& rng) {
  Matrix x = workbook::oracle::gaussian_matrix(n, c, rng);
  std::uniform_real_distribution<double> mean_square(0.5, 2.0);
  for (std::size_t i = 0; i < n; ++i) {
    auto row = xt::row(x, i);
    row -= xt::mean(row)();
    const double current = xt::mean(row * row)();
    row *= std::sqrt(mean_square(rng) / current);
  }
  return rounded_to_float(x);
}

xt::xarray<double> norm_of(const Matrix& x, const Vector& weight, double eps) {
  return student_norm(floats(x), floats(weight), float(eps));
}

void scale_invariance_property() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 5), c = *rc::gen::inRange<std::size_t>(2, 9);
  const double a = std::pow(2.0, *rc::gen::inRange(-2, 3));  // 1/4 .. 4, exact in float
  auto rng = workbook::oracle::property_rng();
  const Matrix x = centred_rows(n, c, rng);
  const Vector weight = rounded_to_float(Vector(1.0 + workbook::oracle::gaussian_vector(c, rng, 0.5)));
  const auto plain = norm_of(x, weight, 1e-8);
  RC_ASSERT(workbook::close(norm_of(a * x, weight, 1e-8), plain, workbook::tolerance::float_at_scale(plain)).status ==
            workbook::Status::pass);
}

// A row of mean zero shifted by s has mean square m + s^2, so with unit gains its image has mean s / sqrt(m + s^2 +
// eps); a norm that subtracts the mean gives 0.
void shifted_mean_property() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 5), c = *rc::gen::inRange<std::size_t>(2, 9);
  auto rng = workbook::oracle::property_rng();
  const Matrix x = centred_rows(n, c, rng);
  const double shift = 0.25 * *rc::gen::inRange(-8, 9), eps = 1e-5;
  const Vector ones = xt::ones<double>({c});
  const auto y = norm_of(x + shift, ones, eps);
  Vector expected = xt::zeros<double>({n}), actual = xt::mean(y, {1});
  for (std::size_t i = 0; i < n; ++i) {
    const double mean_square = xt::mean(xt::square(xt::row(x, i)))();
    expected(i) = shift / std::sqrt(mean_square + shift * shift + eps);
  }
  RC_ASSERT(workbook::close(actual, expected, workbook::tolerance::float_sums(1.0)).status == workbook::Status::pass);
}

// ---- the pieces inside a pre-norm block ---------------------------------------------------------------------------

using FloatMatrix = nn::Matrix<float>;

// The chapter's GPT with RMSNorm and SwiGLU, causal, without biases (the student's FFN has none).
nn::GptConfig modern_config(std::size_t vocab, std::size_t context, std::size_t layers, std::size_t width,
                            std::size_t heads) {
  nn::GptConfig config;
  config.vocab_size = vocab;
  config.context = context;
  config.n_layer = layers;
  config.n_head = heads;
  config.n_embd = width;
  config.position = nn::PositionKind::sinusoidal;
  config.bias = false;
  config.norm = nn::NormKind::rmsnorm;
  config.ffn = nn::FfnKind::swiglu;
  config.ffn_hidden = (2 * 4 * width + 1) / 3;  // 2/3 of 4C, rounded to the nearest: 3 F C ~ the GELU FFN's 8 C^2
  return config;
}

nn::SequenceLayout causal_layout(const nn::BlockConfig& c, std::size_t batch, std::size_t time) {
  nn::SequenceLayout s;
  s.self = {batch, time, time, c.n_head, c.n_kv_head, c.head_dim(), 0};
  s.self_mask.kind = nn::MaskKind::causal;
  for (std::size_t i = 0; i < batch * time; ++i) s.positions.push_back(i % time);
  return s;
}

// x + c_proj(attention(norm(x))), then + ffn(norm(.)): the student's norm and FFN, the library's attention.
FloatMatrix block_with_student_pieces(const nn::BlockConfig& c, const nn::BlockTensors<float>& p, const FloatMatrix& x,
                                      const nn::SequenceLayout& layout) {
  const float eps = float(c.norm_eps);
  const FloatMatrix qkv = nn::linear_forward<float>(student_norm(x, p.ln_1_w, eps), p.c_attn_w, nullptr);
  const auto columns = [&](std::size_t block) -> FloatMatrix {
    return xt::view(qkv, xt::all(), xt::range(block * c.n_embd, (block + 1) * c.n_embd));
  };
  nn::AttentionCache<float> cache;
  const FloatMatrix att =
      nn::attention_forward<float>(columns(0), columns(1), columns(2), layout.self, layout.self_mask, {}, cache);
  const FloatMatrix x1 = x + nn::linear_forward<float>(att, p.c_proj_w, nullptr);
  return x1 + student_ffn(student_norm(x1, p.ln_2_w, eps), {p.fc_w, p.up_w, p.fc_proj_w});
}

// 2 sequences of 6 positions, width 16, 2 heads, hidden width 24; every weight Gaussian (the gains around 1), so
// that each piece moves the output by order one.
CheckResult block_matches_library(const Context& ctx) {
  auto config = modern_config(8, 6, 1, 16, 2);
  config.ffn_hidden = 24;
  const nn::BlockConfig block = config.block();
  auto rng = ctx.rng("e-block");
  auto p = nn::zero_block<float>(block, 0);
  const double spread = 1 / std::sqrt(16.0);
  for (auto* m : {&p.c_attn_w, &p.c_proj_w, &p.fc_w, &p.up_w})
    *m = xt::cast<float>(workbook::oracle::gaussian_matrix(m->shape(0), m->shape(1), rng, spread));
  p.fc_proj_w = xt::cast<float>(workbook::oracle::gaussian_matrix(16, 24, rng, 1 / std::sqrt(24.0)));
  for (auto* g : {&p.ln_1_w, &p.ln_2_w}) *g = xt::cast<float>(1.0 + workbook::oracle::gaussian_vector(16, rng, 0.3));
  const FloatMatrix x = xt::cast<float>(workbook::oracle::gaussian_matrix(12, 16, rng));
  const auto layout = causal_layout(block, 2, 6);
  const xt::xarray<double> expected =
      nn::block_forward<float>(block, p, x, nullptr, layout, nullptr, nullptr, nn::BlockRun{});
  const xt::xarray<double> actual = block_with_student_pieces(block, p, x, layout);
  return workbook::close(actual, expected, workbook::tolerance::float_sums(10 * workbook::tolerance::largest_magnitude(expected)));
}

// ---- the GPTs on tiny Shakespeare ---------------------------------------------------------------------------------

// Quick: the first 200,000 characters, 2 layers of width 32 (2 heads), 32 positions, 120 steps of 8 windows, evaluated
// every 20 steps on 4 batches. Full: the whole text, 4 layers of width 128 (4 heads), 64 positions, `full_steps`
// steps of 16 windows, evaluated every 50 on 10 batches. Both models: the same text, split, seed, batches, schedule.
struct Experiment {
  std::size_t characters, context, layers, width, heads, steps, batch, eval_interval, eval_batches;
  double lr;
};

constexpr std::size_t full_steps = 1500;

Experiment experiment_for(const Context& ctx) {
  if (ctx.full()) return {2'000'000, 64, 4, 128, 4, full_steps, 16, 50, 10, 3e-3};
  return {200'000, 32, 2, 32, 2, 120, 8, 20, 4, 3e-3};
}

struct Curves {
  std::vector<double> steps, train, val;  // at every evaluation
  double tokens_per_second = 0;           // training steps only
};

struct Data {
  nn::TokenSplit split;
  std::size_t vocab;
};

Data shakespeare(std::size_t characters) {
  const std::string text = nn::read_shipped_data("tinyshakespeare.txt", characters);
  const nn::CharTokenizer tokenizer(text);
  return {nn::split(tokenizer.encode(text), 0.1), tokenizer.vocab_size()};
}

struct Outcome {
  Data data;
  nn::GptConfig modern;
  std::shared_ptr<nn::Gpt<float>> trained;  // RMSNorm + SwiGLU, after training
  Curves classic_curves, modern_curves;
  std::size_t classic_parameters, modern_parameters;
};

Curves train(nn::Gpt<float>& model, const Data& data, const Experiment& e, std::uint64_t seed, bool show) {
  nn::LmTraining t;
  t.iterations = e.steps;
  t.batch = e.batch;
  t.eval_interval = e.eval_interval;
  t.eval_batches = e.eval_batches;
  t.schedule = {e.lr, e.lr / 10, e.steps / 10, e.steps};
  t.optimizer.lr = e.lr;
  t.seed = seed;
  std::ostream quiet(nullptr);  // the quick budget shows no progress bar
  const auto result = nn::train_lm(model, data.split, t, show ? std::cerr : quiet);
  Curves c;
  for (const auto& e : result.evaluations) {
    c.steps.push_back(double(e.step));
    c.train.push_back(e.train_loss);
    c.val.push_back(e.val_loss);
  }
  c.tokens_per_second = result.tokens_per_second;
  return c;
}

// The first evaluated step whose validation loss is at or below `target`, or -1.
double first_step_below(const Curves& c, double target) {
  for (std::size_t i = 0; i < c.val.size(); ++i)
    if (c.val[i] <= target) return c.steps[i];
  return -1;
}

void print_summary(const Outcome& o) {
  std::cerr << "parameters: LayerNorm + GELU " << o.classic_parameters << ", RMSNorm + SwiGLU " << o.modern_parameters
            << "\nfinal val loss: LayerNorm + GELU " << o.classic_curves.val.back() << ", RMSNorm + SwiGLU "
            << o.modern_curves.val.back() << "\ntraining speed (tokens/s): LayerNorm + GELU "
            << o.classic_curves.tokens_per_second << ", RMSNorm + SwiGLU " << o.modern_curves.tokens_per_second
            << "\nfirst step at or below a validation loss (-1: never):\n";
  for (const double target : {3.2, 3.0, 2.8, 2.6, 2.5, 2.4, 2.3, 2.2})
    std::cerr << "  val <= " << target << ": LayerNorm + GELU " << first_step_below(o.classic_curves, target)
              << ", RMSNorm + SwiGLU " << first_step_below(o.modern_curves, target) << "\n";
}

// Both models trained once per (seed, budget) and kept, so that the checks and the figure read the same run.
const Outcome& outcome(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Outcome> cache;
  const auto key = std::pair{ctx.seed(), ctx.full()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  const auto e = experiment_for(ctx);
  Outcome o{shakespeare(e.characters), {}, nullptr, {}, {}, 0, 0};
  o.modern = modern_config(o.data.vocab, e.context, e.layers, e.width, e.heads);
  nn::GptConfig classic = o.modern;  // the chapter's: LayerNorm (with its bias) and a GELU FFN of width 4C
  classic.norm = nn::NormKind::layernorm;
  classic.ffn = nn::FfnKind::gelu;
  classic.ffn_hidden = 4 * e.width;
  const auto weights = ctx.seed_for("f-weights"), batches = ctx.seed_for("f-batches");
  nn::Gpt<float> baseline(classic, weights);
  o.trained = std::make_shared<nn::Gpt<float>>(o.modern, weights);
  o.classic_parameters = baseline.parameter_count();
  o.modern_parameters = o.trained->parameter_count();
  if (ctx.full()) std::cerr << "LayerNorm + GELU\n";
  o.classic_curves = train(baseline, o.data, e, batches, ctx.full());
  if (ctx.full()) std::cerr << "RMSNorm + SwiGLU\n";
  o.modern_curves = train(*o.trained, o.data, e, batches, ctx.full());
  if (ctx.full()) print_summary(o);
  return cache[key] = std::move(o);
}

// ---- the whole GPT's forward on the student's pieces --------------------------------------------------------------

FloatMatrix named_matrix(const std::vector<nn::ParamRef<float>>& params, const std::string& name) {
  for (const auto& p : params)
    if (p.name == name) {
      FloatMatrix m = xt::zeros<float>({p.shape.at(0), p.shape.size() > 1 ? p.shape[1] : std::size_t(1)});
      std::copy(p.value, p.value + p.size, m.data());
      return m;
    }
  throw std::logic_error("no parameter " + name);
}

nn::Vector<float> named_vector(const std::vector<nn::ParamRef<float>>& params, const std::string& name) {
  return xt::flatten(named_matrix(params, name));
}

// The logits of a batch through the model's weights, every norm and FFN the student's; the embedding (with sinusoidal
// positions), the attention and the tied head the library's.
FloatMatrix logits_with_student_pieces(nn::Gpt<float>& model, const nn::LmBatch& b) {
  const auto& config = model.config();
  const nn::BlockConfig block = config.block();
  const auto params = model.parameters();
  const FloatMatrix wte = named_matrix(params, "wte.weight");
  const FloatMatrix positions = nn::sinusoidal_positions<float>(b.time, config.n_embd);
  FloatMatrix x = nn::embedding_forward<float>(b.inputs, wte);
  for (std::size_t r = 0; r < x.shape(0); ++r) xt::row(x, r) += xt::row(positions, r % b.time);
  const auto layout = causal_layout(block, b.batch, b.time);
  for (std::size_t l = 0; l < config.n_layer; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    nn::BlockTensors<float> p;
    p.ln_1_w = named_vector(params, h + "ln_1.weight");
    p.c_attn_w = named_matrix(params, h + "attn.c_attn.weight");
    p.c_proj_w = named_matrix(params, h + "attn.c_proj.weight");
    p.ln_2_w = named_vector(params, h + "ln_2.weight");
    p.fc_w = named_matrix(params, h + "mlp.gate.weight");
    p.up_w = named_matrix(params, h + "mlp.up.weight");
    p.fc_proj_w = named_matrix(params, h + "mlp.down.weight");
    x = block_with_student_pieces(block, p, x, layout);
  }
  const FloatMatrix final_norm = student_norm(x, named_vector(params, "ln_f.weight"), float(config.norm_eps));
  return nn::linear_forward<float>(final_norm, wte, nullptr);
}

double loss_with_student_pieces(nn::Gpt<float>& model, const nn::LmBatch& b) {
  FloatMatrix probs;
  return double(nn::cross_entropy_forward<float>(logits_with_student_pieces(model, b), b.targets, probs));
}

// 32 windows of the held-out text (1024 positions), the same for every model of a run.
nn::LmBatch held_out_batch(const Context& ctx, const Outcome& o) {
  nn::LmLoader loader(o.data.split.val, 32, o.modern.context, ctx.seed_for("f-held-out"));
  return loader.next();
}

// Both routes compute in float through the same weights and differ only in the order of the norms' and FFNs' sums:
// the logits agree to float's rounding of their size.
CheckResult same_logits_as_library(const Context& ctx) {
  const Outcome& o = outcome(ctx);
  const auto b = held_out_batch(ctx, o);
  const xt::xarray<double> student = logits_with_student_pieces(*o.trained, b);
  const xt::xarray<double> library = o.trained->forward(b.inputs, b.batch, b.time);
  return workbook::close(student, library,
                         workbook::tolerance::float_sums(10 * workbook::tolerance::largest_magnitude(library)));
}

// Measured over seeds 1..40 in the quick budget: the untrained model's held-out loss is ln(vocab) to within 0.05 and
// training lowers it by 0.69 to 0.92 nats; a fall of half a nat is the bar.
constexpr double required_fall = 0.5;

CheckResult loss_falls(const Context& ctx) {
  const Outcome& o = outcome(ctx);
  const auto b = held_out_batch(ctx, o);
  nn::Gpt<float> untrained(o.modern, ctx.seed_for("f-weights"));
  const double before = loss_with_student_pieces(untrained, b), after = loss_with_student_pieces(*o.trained, b);
  return workbook::holds(before - after >= required_fall, {{"untrained", before}, {"trained", after}},
                         "the held-out loss through your pieces fell by " + std::to_string(before - after) +
                             " nats, less than the bar of " + std::to_string(required_fall));
}

// ---- parts ------------------------------------------------------------------------------------------------------

constexpr auto norm_fixed = "6 rows of 8, row i scaled by 10^(-3 + 4 i / 5), Gaussian gains around 1, eps = 1e-5";
constexpr auto norm_backward_fixed = "6 rows of 5, scaled from 10^-2 to 10, eps = 1e-5";
constexpr auto norm_own_fixed = "4 rows of 6 of order one, eps = 1e-5";

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, R"(Implement rmsnorm_forward. The first check compares it with RMSNorm computed in double by plain
loops, on rows of very different sizes: some so small that eps dominates their mean square, some so large that eps
does not matter. The two properties hold for RMSNorm and tell it apart from LayerNorm: multiplying a row by a > 0
leaves its image unchanged (with eps negligible), and, since no mean is subtracted, adding s to every entry of a row
of mean zero and mean square m moves its image's mean (unit gains) from 0 to s / sqrt(m + s^2 + eps).)")
      .check("fixed", CheckKind::close, std::string(norm_fixed) + ", against the oracle within float's rounding",
             [](const Context& ctx) {
               auto rng = ctx.rng("a");
               return norm_matches_oracle(norm_inputs(6, 8, -3, 1, rng));
             })
      .check("any shape", CheckKind::property, "random row counts and widths, rows scaled from 1e-3 to 10, against the oracle",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("a-shapes"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 6), c = *rc::gen::inRange<std::size_t>(1, 10);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(norm_matches_oracle(norm_inputs(n, c, -3, 1, rng)).status == workbook::Status::pass);
               });
             })
      .check("scale invariant", CheckKind::property,
             "rows of mean square 0.5 to 2 multiplied by a in {1/4, 1/2, 1, 2, 4}, eps = 1e-8: the same output",
             [](const Context& ctx) { return workbook::property(ctx.seed_for("a-scale"), scale_invariance_property); })
      .check("no mean subtraction", CheckKind::property,
             "rows of mean zero shifted by s in [-2, 2], unit gains: each output row's mean against the closed form",
             [](const Context& ctx) { return workbook::property(ctx.seed_for("a-shift"), shifted_mean_property); });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 3, R"(Implement rmsnorm_backward. Its gradients are compared twice: with central differences of the
double-precision oracle, and with central differences of your own rmsnorm_forward (step 1e-3, in float, so within
2e-3 of the largest gradient). The first catches a backward that differentiates the wrong forward, even one your
forward agrees with; the second a backward that drops a term of the derivative of your forward.)")
      .check("against the oracle", CheckKind::close,
             std::string(norm_backward_fixed) + ": dx and dweight against central differences of the oracle",
             [](const Context& ctx) {
               auto rng = ctx.rng("b");
               const auto in = norm_inputs(6, 5, -2, 1, rng);
               const auto oracle = [&](const Matrix& x, const Vector& w) { return oracle_rmsnorm(x, w, in.eps); };
               return against_oracle_differences(student_norm_grads(in), norm_differences(in, oracle, 1e-6));
             })
      .check("against your forward", CheckKind::close,
             std::string(norm_own_fixed) + ": dx and dweight against central differences of your rmsnorm_forward",
             [](const Context& ctx) {
               auto rng = ctx.rng("b-own");
               const auto in = norm_inputs(4, 6, 0, 0, rng);
               const auto own = [&](const Matrix& x, const Vector& w) { return norm_of(x, w, in.eps); };
               return against_own_differences(student_norm_grads(in), norm_differences(in, own, float_step));
             })
      .hint("The normaliser r = 1 / sqrt(mean(x^2) + eps) depends on every entry of the row, so dx_i has a term "
            "through y_i's own x_i and a term, shared across the row, through r.");
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(Implement swiglu_forward. The checks compare it with the layer computed in double by plain loops,
within float's rounding of the sums over C and F.)")
      .check("fixed", CheckKind::close, "5 rows, C = 6, F = 8, against the oracle", [](const Context& ctx) {
        auto rng = ctx.rng("c");
        return ffn_matches_oracle(ffn_inputs(5, 6, 8, rng));
      })
      .check("any shape", CheckKind::property, "random N, C and F up to 5, 8 and 10, against the oracle",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-shapes"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 6), c = *rc::gen::inRange<std::size_t>(1, 9),
                            f = *rc::gen::inRange<std::size_t>(1, 11);
                 auto rng = workbook::oracle::property_rng();
                 RC_ASSERT(ffn_matches_oracle(ffn_inputs(n, c, f, rng)).status == workbook::Status::pass);
               });
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 3, R"(Implement swiglu_backward: dx, dgate, dup and ddown. As in (b), against central differences of the
oracle and of your own swiglu_forward (step 1e-3, within 2e-3 of the largest gradient).)")
      .check("against the oracle", CheckKind::close,
             "4 rows, C = 5, F = 6: the four gradients against central differences of the oracle",
             [](const Context& ctx) {
               auto rng = ctx.rng("d");
               const auto in = ffn_inputs(4, 5, 6, rng);
               return against_oracle_differences(student_ffn_grads(in), ffn_differences(in, oracle_swiglu, 1e-6));
             })
      .check("against your forward", CheckKind::close,
             "4 rows, C = 5, F = 6: the four gradients against central differences of your swiglu_forward",
             [](const Context& ctx) {
               auto rng = ctx.rng("d-own");
               const auto in = ffn_inputs(4, 5, 6, rng);
               const auto own = [](const Matrix& x, const Ffn& w) {
                 return xt::xarray<double>(student_ffn(floats(x), student_weights(w)));
               };
               return against_own_differences(student_ffn_grads(in), ffn_differences(in, own, float_step));
             })
      .hint("silu'(z) = s + z s (1 - s) with s = sigmoid(z). The gate's gradient goes through silu', the up "
            "projection's does not.");
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 2, R"(Your two pieces inside a pre-norm block: x + c_proj(attention(rmsnorm(x))), then
+ swiglu(rmsnorm(.)), the attention the library's causal multi-head attention, no biases. The check compares it with
the library's own block configured with RMSNorm and SwiGLU (nn::block_forward) holding the same tensors.)")
      .check("block", CheckKind::close,
             "2 sequences of 6 positions, width 16, 2 heads, F = 24, eps = 1e-5: the block's output against the library's",
             block_matches_library);
}

void part_f(workbook::Exercise& ex) {
  ex.part("f", 2, R"(Does it train? The library's GPT has no place to plug in your pieces, so the exercise trains its
own RMSNorm + SwiGLU GPT on tiny Shakespeare (quick budget: the first 200,000 characters, 2 layers of width 32 with 2
heads, 32 positions, 120 AdamW steps of 8 windows), and holds your pieces to that model: a forward pass of the whole
model built from your rmsnorm_forward and swiglu_forward (the library's embedding, attention and tied head) on the
trained weights must give the library's logits on held-out windows, and its loss there must have fallen by at least
half a nat from the untrained model's (which starts near ln of the vocabulary's size).)")
      .check("same model", CheckKind::close,
             "32 held-out windows: the trained model's logits through your pieces against the library's, within float's "
             "rounding",
             same_logits_as_library)
      .check("loss falls", CheckKind::property,
             "held-out loss through your pieces: trained at least half a nat below untrained", loss_falls);
}

void part_g(workbook::Exercise& ex) {
  ex.part("g", 2, R"(Does it converge faster? Run the exercise with --full: it trains the chapter's GPT twice on tiny
Shakespeare (4 layers of width 128, 4 heads, 64 positions with sinusoidal encodings, 1500 AdamW steps of 16 windows,
the same text, split, initial seed, batches and learning-rate schedule), once with LayerNorm and a GELU FFN of width
4C, once with RMSNorm and a SwiGLU FFN of width F = 2/3 of 4C (rounded), which keeps the FFN's parameters at
3 F C ~ 8 C^2; no linear layer has a bias (LayerNorm keeps its own). It prints the parameter counts, the training
speed and the first evaluated step at which each model's validation loss reaches a list of values, and draws figure
`curves`. From your measurements: does RMSNorm + SwiGLU reach a given validation loss in fewer steps, and by how
much? Is the gap larger than what a second seed (--seed) moves it by? Steps are not seconds: compare the time per
step too.)")
      .manual(2);
}

// ---- figure -----------------------------------------------------------------------------------------------------

workbook::Plot curves_figure(const Context& ctx) {
  const Outcome& o = outcome(ctx);
  const auto series = [](std::string label, const Curves& c, const std::vector<double>& y) {
    return workbook::Series{std::move(label), c.steps, y, workbook::Series::Style::linespoints};
  };
  auto plot = workbook::xy_plot(
      "LayerNorm + GELU against RMSNorm + SwiGLU on tiny Shakespeare", "step", "loss (nats per character)",
      {series("LayerNorm + GELU, train", o.classic_curves, o.classic_curves.train),
       series("LayerNorm + GELU, validation", o.classic_curves, o.classic_curves.val),
       series("RMSNorm + SwiGLU, train", o.modern_curves, o.modern_curves.train),
       series("RMSNorm + SwiGLU, validation", o.modern_curves, o.modern_curves.val)});
  plot.measured = true;
  return plot;
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "RMSNorm and SwiGLU in the chapter's GPT";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement = R"(LLaMA-style models change two pieces of the GPT block. RMSNorm rescales each row by its root mean
square, y = x / sqrt(mean(x^2) + eps) * weight: no mean is subtracted and there is no bias. SwiGLU replaces the
feed-forward layer W2 gelu(W1 x) by a gated one, down(silu(gate x) * (up x)) with silu(z) = z sigmoid(z): three
matrices instead of two, so its hidden width F is usually 2/3 of the 4C it replaces, to keep the parameter count.
Write both pieces, forward and backward (parts a to d), check them inside a block (e), and find out whether the GPT
still trains with them (f) and whether it learns faster than with LayerNorm and GELU (g, figure `curves`).)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
  part_f(ex);
  part_g(ex);
  ex.plot("curves",
          "Training and validation loss against step of the GPT with LayerNorm and a GELU FFN and of the same GPT with "
          "RMSNorm and a SwiGLU FFN, same data, seed and schedule (quick budget: 2 layers of width 32; --full: 4 "
          "layers of width 128).",
          curves_figure);
}
