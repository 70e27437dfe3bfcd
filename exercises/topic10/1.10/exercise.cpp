// topic10/1.10: grokking and the weight norm. A conceptual question with a checkable core, the layers of a
// small MLP checked against plain loops and finite differences, and a modular-addition training run: a
// short one in the quick budget, the long one with --full.

#include "topic10/1.10/interface.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "workbook/oracle.hpp"

using workbook::oracle::gaussian_matrix;
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using topic10_1_10::Matrix;
using topic10_1_10::Vector;

// ---- the modular-addition experiment ---------------------------------------------------------------

struct RunConfig {
  std::size_t p;             // the modulus: inputs a, b in 0..p-1, target (a + b) mod p
  std::size_t hidden;        // width of the hidden layer
  double train_fraction;     // share of the p^2 pairs used for training
  int steps;                 // full-batch AdamW steps
  double init_scale;         // weights start N(0, (init_scale / sqrt(fan_in))^2)
  topic10_1_10::AdamW hyper;
};

RunConfig quick_config() { return {23, 64, 0.5, 300, 1.0, {1e-3, 0.9, 0.98, 1e-8, 1.0}}; }
// Chosen after trying lr 1e-3 and 3e-3 (weight decay 1 and 3): with those, validation accuracy was still
// below 0.35 after 8000-20000 steps; lr 1e-2 reaches its rise within a few thousand steps (~30 s, one core).
RunConfig full_config() { return {31, 128, 0.5, 6000, 1.0, {1e-2, 0.9, 0.98, 1e-8, 1.0}}; }
RunConfig config_for(const Context& ctx) { return ctx.full() ? full_config() : quick_config(); }

struct Dataset {
  Matrix inputs;                      // (N, 2p): one-hot a, then one-hot b
  std::vector<std::size_t> targets;   // (a + b) mod p
};

struct Split {
  Dataset train, validation;
};

Dataset encode(const std::vector<std::pair<std::size_t, std::size_t>>& pairs, std::size_t p) {
  Dataset data{xt::zeros<double>({pairs.size(), 2 * p}), {}};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    data.inputs(i, pairs[i].first) = 1;
    data.inputs(i, p + pairs[i].second) = 1;
    data.targets.push_back((pairs[i].first + pairs[i].second) % p);
  }
  return data;
}

Split modular_addition(std::size_t p, double train_fraction, std::mt19937_64& rng) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t a = 0; a < p; ++a)
    for (std::size_t b = 0; b < p; ++b) pairs.emplace_back(a, b);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  const auto n_train = static_cast<std::ptrdiff_t>(std::round(train_fraction * double(pairs.size())));
  return {encode({pairs.begin(), pairs.begin() + n_train}, p), encode({pairs.begin() + n_train, pairs.end()}, p)};
}

// One parameter tensor with its AdamW moments.
struct Parameter {
  xt::xarray<double> value, m, v;
  bool decayed;  // weight matrices are decayed; biases are not
};

Parameter make_parameter(xt::xarray<double> value, bool decayed) {
  const xt::xarray<double> zeros = xt::zeros<double>(value.shape());
  return {std::move(value), zeros, zeros, decayed};
}

struct Mlp {
  Parameter w1, b1, w2, b2;  // (2p, H), (H), (H, p), (p)
};

Mlp init_mlp(const RunConfig& cfg, std::mt19937_64& rng) {
  auto gaussian = [&rng](std::size_t rows, std::size_t cols, double sd) {
    std::normal_distribution<double> normal(0.0, sd);
    xt::xarray<double> w = xt::xarray<double>::from_shape({rows, cols});
    for (auto& x : w) x = normal(rng);
    return w;
  };
  const std::size_t in = 2 * cfg.p;
  return {make_parameter(gaussian(in, cfg.hidden, cfg.init_scale / std::sqrt(double(in))), true),
          make_parameter(xt::zeros<double>({cfg.hidden}), false),
          make_parameter(gaussian(cfg.hidden, cfg.p, cfg.init_scale / std::sqrt(double(cfg.hidden))), true),
          make_parameter(xt::zeros<double>({cfg.p}), false)};
}

// The L2 norm of all weight matrices together (biases left out, like the decay).
double weight_norm(const Mlp& mlp) {
  return std::sqrt(double(xt::sum(mlp.w1.value * mlp.w1.value)()) + double(xt::sum(mlp.w2.value * mlp.w2.value)()));
}

struct Forward {
  Matrix pre, hidden, logits;  // (B, H), (B, H), (B, p)
};

Forward forward(const Mlp& mlp, const Matrix& inputs) {
  using namespace topic10_1_10;
  Forward f;
  f.pre = linear_forward(inputs, Matrix(mlp.w1.value), Vector(mlp.b1.value));
  f.hidden = relu_forward(f.pre);
  f.logits = linear_forward(f.hidden, Matrix(mlp.w2.value), Vector(mlp.b2.value));
  return f;
}

double accuracy(const Matrix& logits, const std::vector<std::size_t>& targets) {
  std::size_t correct = 0;
  for (std::size_t b = 0; b < targets.size(); ++b) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < logits.shape(1); ++c)
      if (logits(b, c) > logits(b, best)) best = c;
    correct += best == targets[b];
  }
  return double(correct) / double(targets.size());
}

// One full-batch step: forward, backward through the layers, AdamW on every parameter.
void train_step(Mlp& mlp, const Dataset& train, int step, const topic10_1_10::AdamW& hyper) {
  using namespace topic10_1_10;
  const auto f = forward(mlp, train.inputs);
  const Matrix dlogits = cross_entropy_backward(f.logits, train.targets);                   // (B, p)
  const auto g2 = linear_backward(dlogits, f.hidden, Matrix(mlp.w2.value));                  // dW2 (H, p)
  const Matrix dpre = relu_backward(g2.dinp, f.pre);                                         // (B, H)
  const auto g1 = linear_backward(dpre, train.inputs, Matrix(mlp.w1.value));                 // dW1 (2p, H)
  auto update = [&](Parameter& param, const xt::xarray<double>& grad) {
    AdamW h = hyper;
    if (!param.decayed) h.weight_decay = 0;
    adamw_update(param.value, grad, param.m, param.v, step, h);
  };
  update(mlp.w1, g1.dweight);
  update(mlp.b1, g1.dbias);
  update(mlp.w2, g2.dweight);
  update(mlp.b2, g2.dbias);
}

struct LogEntry {
  int step;
  double train_loss, validation_loss, train_accuracy, validation_accuracy, weight_norm;
};

// Steps 0, 1, 2, ... spaced evenly on a log axis (about 25 per decade), and the last step.
std::vector<int> log_steps(int steps) {
  std::vector<int> out;
  for (double e = 0; std::pow(10.0, e) < steps; e += 0.04) {
    const int s = int(std::round(std::pow(10.0, e)));
    if (out.empty() || s != out.back()) out.push_back(s);
  }
  out.insert(out.begin(), 0);
  out.push_back(steps);
  return out;
}

LogEntry evaluate(const Mlp& mlp, const Split& data, int step) {
  const auto train = forward(mlp, data.train.inputs), val = forward(mlp, data.validation.inputs);
  return {step,
          topic10_1_10::cross_entropy_forward(train.logits, data.train.targets),
          topic10_1_10::cross_entropy_forward(val.logits, data.validation.targets),
          accuracy(train.logits, data.train.targets),
          accuracy(val.logits, data.validation.targets),
          weight_norm(mlp)};
}

std::vector<LogEntry> train_run(const RunConfig& cfg, const Context& ctx) {
  auto data_rng = ctx.rng("run-data");
  auto init_rng = ctx.rng("run-init");
  const auto data = modular_addition(cfg.p, cfg.train_fraction, data_rng);
  auto mlp = init_mlp(cfg, init_rng);
  const auto when = log_steps(cfg.steps);
  std::vector<LogEntry> log{evaluate(mlp, data, 0)};
  std::size_t next = 1;
  for (int step = 1; step <= cfg.steps; ++step) {
    train_step(mlp, data.train, step, cfg.hyper);
    if (next < when.size() && step == when[next]) {
      log.push_back(evaluate(mlp, data, step));
      ++next;
    }
  }
  return log;
}

// The run is deterministic for a seed and budget; checks and plots share it instead of training twice.
const std::vector<LogEntry>& cached_run(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, std::vector<LogEntry>> runs;
  const auto key = std::make_pair(ctx.seed(), ctx.full());
  auto found = runs.find(key);
  if (found == runs.end()) found = runs.emplace(key, train_run(config_for(ctx), ctx)).first;
  return found->second;
}

// ---- oracles for the layers -----------------------------------------------------------------------


// Central difference of f at every entry of x: (f(x + h e_i) - f(x - h e_i)) / 2h.
template <class Tensor, class F>
xt::xarray<double> numerical_gradient(Tensor x, F f, double h = 1e-6) {
  xt::xarray<double> grad = xt::zeros<double>(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x.flat(i);
    x.flat(i) = saved + h;
    const double up = f(x);
    x.flat(i) = saved - h;
    const double down = f(x);
    x.flat(i) = saved;
    grad.flat(i) = (up - down) / (2 * h);
  }
  return grad;
}

// sum(G * out): a scalar whose gradient with respect to out is G, to test a backward pass with.
double weighted_sum(const Matrix& g, const Matrix& out) {
  if (g.shape() != out.shape()) throw std::runtime_error("forward returned the wrong shape");
  double sum = 0;
  for (std::size_t i = 0; i < g.size(); ++i) sum += g.flat(i) * out.flat(i);
  return sum;
}

// Finite differences of a function linear in the perturbed entry are exact up to rounding, about
// eps |f| / h = 1e-16 * 10 / 1e-6 = 1e-9; for the smooth cross-entropy the truncation error h^2 f''' adds
// ~1e-12. rtol = atol = 1e-6 leaves a wide margin and still fails a missing transpose or factor.
const workbook::Tolerance finite_difference{1e-6, 1e-6};

struct LinearCase {
  Matrix inp, weight, g;  // (3, 4), (4, 5), (3, 5)
  Vector bias;            // (5)
};

LinearCase linear_case(const Context& ctx) {
  auto rng = ctx.rng("b-linear");
  LinearCase c{gaussian_matrix(3, 4, rng), gaussian_matrix(4, 5, rng), gaussian_matrix(3, 5, rng), {}};
  c.bias = xt::view(gaussian_matrix(1, 5, rng), 0, xt::all());
  return c;
}

// out[b][j] = sum_i inp[b][i] w[i][j] + bias[j], with loops.
xt::xarray<double> plain_linear(const Matrix& inp, const Matrix& w, const Vector& bias) {
  xt::xarray<double> out = xt::zeros<double>({inp.shape(0), w.shape(1)});
  for (std::size_t b = 0; b < inp.shape(0); ++b)
    for (std::size_t j = 0; j < w.shape(1); ++j) {
      out(b, j) = bias(j);
      for (std::size_t i = 0; i < w.shape(0); ++i) out(b, j) += inp(b, i) * w(i, j);
    }
  return out;
}

struct SoftmaxCase {
  Matrix logits;  // (4, 6)
  std::vector<std::size_t> targets;
};

SoftmaxCase softmax_case(const Context& ctx) {
  auto rng = ctx.rng("b-cross-entropy");
  SoftmaxCase c{gaussian_matrix(4, 6, rng) * 2.0, {}};
  std::uniform_int_distribution<std::size_t> label(0, 5);
  for (int b = 0; b < 4; ++b) c.targets.push_back(label(rng));
  return c;
}

double plain_cross_entropy(const Matrix& logits, const std::vector<std::size_t>& targets) {
  const auto rows = workbook::oracle::to_matrix(logits);
  double total = 0;
  for (std::size_t b = 0; b < targets.size(); ++b) total -= std::log(workbook::oracle::softmax(rows[b])[targets[b]]);
  return total / double(targets.size());
}

// Three AdamW steps written out with loops from the formula in the header.
xt::xarray<double> plain_adamw(xt::xarray<double> param, const std::vector<xt::xarray<double>>& grads,
                               const topic10_1_10::AdamW& h) {
  std::vector<double> m(param.size(), 0.0), v(param.size(), 0.0);
  for (std::size_t t = 1; t <= grads.size(); ++t)
    for (std::size_t i = 0; i < param.size(); ++i) {
      const double g = grads[t - 1].flat(i);
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(h.beta1, double(t)));
      const double v_hat = v[i] / (1 - std::pow(h.beta2, double(t)));
      param.flat(i) -= h.lr * (m_hat / (std::sqrt(v_hat) + h.eps) + h.weight_decay * param.flat(i));
    }
  return param;
}

workbook::Plot curve_plot(const Context& ctx, const std::string& title, const std::string& ylabel,
                          const std::vector<std::pair<std::string, double LogEntry::*>>& columns, bool logy) {
  const auto& log = cached_run(ctx);
  const auto cfg = config_for(ctx);
  workbook::Plot p;
  p.title = title + " (p = " + std::to_string(cfg.p) + ", " + std::to_string(cfg.steps) + " steps" +
            (ctx.full() ? ")" : ", quick budget: run with --full for the long run)");
  p.xlabel = "step";
  p.ylabel = ylabel;
  p.logx = true;
  p.logy = logy;
  for (const auto& [label, column] : columns) {
    workbook::Series s{label, {}, {}, workbook::Series::Style::lines};
    for (const auto& e : log)
      if (e.step > 0) {  // step 0 has no place on a log axis
        s.x.push_back(e.step);
        s.y.push_back(e.*column);
      }
    p.series.push_back(s);
  }
  return p;
}

// The step of the first log entry where a column reaches a level, or -1.
double first_step_reaching(const std::vector<LogEntry>& log, double LogEntry::*column, double level) {
  for (const auto& e : log)
    if (e.*column >= level) return e.step;
  return -1;
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Grokking and the weight norm";
  ex.tags = {workbook::Tag::conceptual, workbook::Tag::implementation, workbook::Tag::plot};
  ex.statement =
      "Grokking: a network trained on a small algorithmic task, such as (a + b) mod p, fits its training "
      "pairs early, while its loss on held-out pairs stays high; much later, with weight decay on, the "
      "held-out loss falls. Reports of such runs often show the total L2 norm of the weights rising while "
      "the training set is being memorised and falling around the time the network generalises. First "
      "explain why a smaller norm should go with the generalising solution in modular arithmetic. Then "
      "build the experiment: a one-hidden-layer MLP (one-hot a and one-hot b concatenated, 2p inputs -> "
      "ReLU hidden layer -> p logits) trained full-batch with AdamW. You write the layers' forward and "
      "backward passes and the AdamW step; the exercise builds the data "
      "(a random half of the p^2 pairs for training, the rest held out), trains, and logs the "
      "training and validation loss and accuracy and the norm of the weight matrices (biases excluded, "
      "and not decayed). The default run is short (p = 23, 300 steps) and only checks that training "
      "works; `--full` runs p = 31 for 6000 steps and plots what happens.";

  auto& a = ex.part("a", 1, "Does weight decay push training toward the low-norm, generalising solution? "
                            "Answer yes or no, and explain why a lower weight norm goes with generalisation "
                            "in modular arithmetic.");
  a.choice_answer("a_decay", "does weight decay favour the low-norm, generalising solution?", {"yes", "no"}, "yes");
  a.manual(2);

  auto& b = ex.part("b", 2, "Implement the forward and backward passes of the linear layer, the ReLU and the "
                            "mean cross-entropy.");
  b.check("linear forward", CheckKind::close, "linear_forward for a 3 x 4 input, 4 x 5 weight and bias against "
          "plain loops",
          [](const Context& ctx) {
            const auto c = linear_case(ctx);
            return workbook::close(topic10_1_10::linear_forward(c.inp, c.weight, c.bias),
                                   plain_linear(c.inp, c.weight, c.bias), {1e-12, 1e-12});
          });
  b.check("linear backward", CheckKind::close,
          "dinp, dweight and dbias from linear_backward with dout = G against central differences of "
          "sum(G * linear_forward) (h = 1e-6), all three flattened into one vector",
          [](const Context& ctx) {
            using topic10_1_10::linear_forward;
            const auto c = linear_case(ctx);
            const auto got = topic10_1_10::linear_backward(c.g, c.inp, c.weight);
            const auto d_inp = numerical_gradient(c.inp, [&](const Matrix& x) { return weighted_sum(c.g, linear_forward(x, c.weight, c.bias)); });
            const auto d_w = numerical_gradient(c.weight, [&](const Matrix& w) { return weighted_sum(c.g, linear_forward(c.inp, w, c.bias)); });
            const auto d_b = numerical_gradient(c.bias, [&](const Vector& bias) { return weighted_sum(c.g, linear_forward(c.inp, c.weight, bias)); });
            const xt::xarray<double> actual = xt::concatenate(xt::xtuple(xt::flatten(xt::xarray<double>(got.dinp)),
                                                                         xt::flatten(xt::xarray<double>(got.dweight)),
                                                                         xt::xarray<double>(got.dbias)));
            const xt::xarray<double> expected = xt::concatenate(xt::xtuple(xt::flatten(d_inp), xt::flatten(d_w), d_b));
            return workbook::close(actual, expected, finite_difference);
          });
  b.check("relu", CheckKind::close, "relu_forward and relu_backward on a 4 x 5 input against max(x, 0) and "
          "dout * [x > 0], stacked",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-relu");
            const auto x = gaussian_matrix(4, 5, rng), dout = gaussian_matrix(4, 5, rng);
            xt::xarray<double> expected = xt::zeros<double>({2, 4, 5});
            for (std::size_t i = 0; i < 4; ++i)
              for (std::size_t j = 0; j < 5; ++j) {
                expected(0, i, j) = x(i, j) > 0 ? x(i, j) : 0.0;
                expected(1, i, j) = x(i, j) > 0 ? dout(i, j) : 0.0;
              }
            const xt::xarray<double> actual =
                xt::stack(xt::xtuple(xt::xarray<double>(topic10_1_10::relu_forward(x)),
                                     xt::xarray<double>(topic10_1_10::relu_backward(dout, x))));
            return workbook::close(actual, expected, {1e-15, 0});
          });
  b.check("cross-entropy", CheckKind::close, "cross_entropy_forward for 4 rows of 6 logits against the mean of "
          "-log softmax[target] from the plain-loop softmax",
          [](const Context& ctx) {
            const auto c = softmax_case(ctx);
            return workbook::close(topic10_1_10::cross_entropy_forward(c.logits, c.targets),
                                   plain_cross_entropy(c.logits, c.targets), {1e-12, 1e-12});
          });
  b.check("cross-entropy grad", CheckKind::close,
          "cross_entropy_backward against central differences of the plain-loop mean cross-entropy (h = 1e-6)",
          [](const Context& ctx) {
            const auto c = softmax_case(ctx);
            const auto expected = numerical_gradient(c.logits, [&](const Matrix& z) { return plain_cross_entropy(z, c.targets); });
            return workbook::close(topic10_1_10::cross_entropy_backward(c.logits, c.targets), expected, finite_difference);
          });
  b.hint("For out = inp W + b: dinp = dout W^T, dW = inp^T dout, db = the column sums of dout.");
  b.hint("The gradient of the mean cross-entropy with respect to the logits is (softmax - one_hot) / B.");

  ex.part("c", 1, "Implement the AdamW step with decoupled weight decay.")
      .check("adamw", CheckKind::close,
             "three adamw_update steps on a 3 x 4 parameter (lr 0.01, weight decay 0.5) against the update "
             "written out with loops",
             [](const Context& ctx) {
               auto rng = ctx.rng("c-adamw");
               const topic10_1_10::AdamW hyper{0.01, 0.9, 0.98, 1e-8, 0.5};
               const xt::xarray<double> start = gaussian_matrix(3, 4, rng);
               std::vector<xt::xarray<double>> grads;
               for (int t = 0; t < 3; ++t) grads.push_back(gaussian_matrix(3, 4, rng));
               xt::xarray<double> param = start, m = xt::zeros<double>({3, 4}), v = m;
               for (int t = 1; t <= 3; ++t) topic10_1_10::adamw_update(param, grads[t - 1], m, v, t, hyper);
               return workbook::close(param, plain_adamw(start, grads, hyper), {1e-12, 1e-14});
             })
      .hint("Decoupled decay: subtract lr * weight_decay * param directly; do not add weight_decay * param to "
            "the gradient before the moments (that is Adam with L2, a different optimiser).");

  // Part d's bounds: cross-entropy starts near log p (3.1 for p = 23) and chance accuracy is 1/p (0.043).
  // The quick run (300 full-batch steps at lr 1e-3 on 264 pairs) ended at loss 1.84-1.89 and training accuracy
  // 0.69-0.74 over seven seeds; the bounds below (loss at most 0.8 of its start, accuracy above 5/p) hold with a
  // wide margin yet fail a network that does not learn.
  auto& d = ex.part("d", 2, "Train the MLP on (a + b) mod p and log losses, accuracies and the weight norm.");
  d.check("loss falls", CheckKind::property, "the final training loss is below 0.8 times the loss at step 0",
          [](const Context& ctx) {
            const auto& log = cached_run(ctx);
            return workbook::holds(log.back().train_loss < 0.8 * log.front().train_loss,
                                   {{"step 0", workbook::to_json(log.front().train_loss)},
                                    {"last step", workbook::to_json(log.back().train_loss)}},
                                   "the training loss did not fall to 0.8 of its starting value");
          });
  d.check("above chance", CheckKind::property, "the final training accuracy exceeds 5/p (chance is 1/p)",
          [](const Context& ctx) {
            const auto& log = cached_run(ctx);
            const double chance = 1.0 / double(config_for(ctx).p);
            return workbook::holds(log.back().train_accuracy > 5 * chance,
                                   {{"training accuracy", log.back().train_accuracy}, {"chance", chance}},
                                   "training accuracy is not clearly above chance");
          });
  d.check("norm logged", CheckKind::property, "the weight norm is finite and positive at every logged step",
          [](const Context& ctx) {
            const auto& log = cached_run(ctx);
            const bool finite = std::all_of(log.begin(), log.end(), [](const LogEntry& e) {
              return std::isfinite(e.weight_norm) && e.weight_norm > 0;
            });
            return workbook::holds(finite, {{"logged steps", log.size()}, {"first", log.front().weight_norm},
                                            {"last", log.back().weight_norm}},
                                   "the weight norm is not finite and positive everywhere");
          });
  d.check("what happened", CheckKind::property,
          "reports (asserts nothing beyond a finite log) when training and validation accuracy first reached "
          "0.99 and 0.5, and the largest and final weight norm: read it beside the plots",
          [](const Context& ctx) {
            const auto& log = cached_run(ctx);
            double peak = 0;
            for (const auto& e : log) peak = std::max(peak, e.weight_norm);
            return workbook::holds(std::isfinite(log.back().validation_loss),
                                   {{"train accuracy >= 0.99 at step", first_step_reaching(log, &LogEntry::train_accuracy, 0.99)},
                                    {"validation accuracy >= 0.5 at step", first_step_reaching(log, &LogEntry::validation_accuracy, 0.5)},
                                    {"final validation accuracy", log.back().validation_accuracy},
                                    {"largest weight norm", peak},
                                    {"final weight norm", log.back().weight_norm}},
                                   "the validation loss is not finite");
          });

  ex.plot("accuracy", "Training and validation accuracy against the step (log axis)", [](const Context& ctx) {
    return curve_plot(ctx, "Modular addition: accuracy", "accuracy",
                      {{"training", &LogEntry::train_accuracy}, {"validation", &LogEntry::validation_accuracy}}, false);
  });
  ex.plot("loss", "Training and validation cross-entropy against the step (both axes logarithmic)",
          [](const Context& ctx) {
            return curve_plot(ctx, "Modular addition: loss", "cross-entropy",
                              {{"training", &LogEntry::train_loss}, {"validation", &LogEntry::validation_loss}}, true);
          });
  ex.plot("weight-norm", "L2 norm of the two weight matrices against the step (log axis)", [](const Context& ctx) {
    return curve_plot(ctx, "Modular addition: weight norm", "||W1, W2||_2", {{"weight norm", &LogEntry::weight_norm}},
                      false);
  });
}
