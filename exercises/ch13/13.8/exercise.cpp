// 13.8: in-context learning, made computable. A prompt of examples (x_i, y_i) and a query x_q is written as tokens
// z_i = (x_i, y_i) and z_q = (x_q, 0). One linear self-attention layer with the fixed weights W_q = W_k = [I; 0]
// (read the x part) and W_v = eta e_y (read the y part) outputs at the query eta sum_i (x_q . x_i) y_i: exactly the
// prediction of a linear model after one gradient-descent step from w = 0 on L(w) = 1/2 sum_i (w . x_i - y_i)^2
// (von Oswald et al. 2023). The oracle for (b) is that gradient step, computed as a gradient step; (a) uses
// workbook::oracle::linear_attention. (d) runs the same frozen layer on prompts from two different tasks.
//
// Tolerances: (a) 1e-5 relative plus 1e-5 of the largest output entry (tolerance::float_at_scale). (b) compares the prediction within 1e-5 of the sum of the absolute
// values of its terms, eta sum_i |x_q . x_i| |y_i|, plus 1e-9: a prediction can cancel to near 0, where a relative
// tolerance on the result alone would fail a float computation whose terms are exact to float rounding.

#include "ch13/13.8/interface.hpp"

#include <cmath>

#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::Precision;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

struct Prompt {
  Matrix xs;     // n x d, one example per row
  Vector ys;     // n targets
  Vector query;  // d
};

struct Weights {
  Matrix q, k, v;
};

// The construction: W_q = W_k select the x part of a token, W_v = eta times the y coordinate.
Weights construction(std::size_t d, double eta) {
  Weights w{xt::zeros<double>({d + 1, d}), xt::zeros<double>({d + 1, d}), xt::zeros<double>({d + 1, std::size_t(1)})};
  for (std::size_t i = 0; i < d; ++i) w.q(i, i) = w.k(i, i) = 1;
  w.v(d, 0) = eta;
  return w;
}

// Prompts of equal size as one batch of tokens: rows (x_i, y_i), then the query row (x_q, 0).
xt::xtensor<double, 3> tokens_of(const std::vector<Prompt>& prompts) {
  const std::size_t n = prompts[0].xs.shape(0), d = prompts[0].xs.shape(1);
  xt::xtensor<double, 3> z = xt::zeros<double>({prompts.size(), n + 1, d + 1});
  for (std::size_t b = 0; b < prompts.size(); ++b) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < d; ++c) z(b, i, c) = prompts[b].xs(i, c);
      z(b, i, d) = prompts[b].ys(i);
    }
    for (std::size_t c = 0; c < d; ++c) z(b, n, c) = prompts[b].query(c);
  }
  return z;
}

// The student's layer with the construction's weights: the output at each prompt's query row.
std::vector<double> layer_predictions(const std::vector<Prompt>& prompts, double eta) {
  const std::size_t n = prompts[0].xs.shape(0), d = prompts[0].xs.shape(1);
  const auto w = construction(d, eta);
  const auto out = ch13_8::linear_self_attention(tokens_of(prompts), w.q, w.k, w.v);
  if (out.shape(0) != prompts.size() || out.shape(1) != n + 1 || out.shape(2) != 1)
    throw std::runtime_error("linear_self_attention returned a shape other than (batch, n, d_v)");
  std::vector<double> predictions;
  for (std::size_t b = 0; b < prompts.size(); ++b) predictions.push_back(out(b, n, 0));
  return predictions;
}

// One gradient step from w = 0 on L(w) = 1/2 sum_i (w . x_i - y_i)^2, then the linear prediction at the query.
double gradient_step_prediction(const Prompt& p, double eta) {
  const std::size_t n = p.xs.shape(0), d = p.xs.shape(1);
  Vector w = xt::zeros<double>({d}), gradient = xt::zeros<double>({d});
  for (std::size_t i = 0; i < n; ++i) {
    const double residual = workbook::oracle::dot(w, workbook::oracle::row(p.xs, i)) - p.ys(i);
    for (std::size_t c = 0; c < d; ++c) gradient(c) += residual * p.xs(i, c);
  }
  w -= eta * gradient;
  return workbook::oracle::dot(w, p.query);
}

// eta sum_i |x_q . x_i| |y_i|: the size of the terms the prediction adds up.
double term_scale(const Prompt& p, double eta) {
  double s = 0;
  for (std::size_t i = 0; i < p.xs.shape(0); ++i) s += std::abs(workbook::oracle::dot(p.query, workbook::oracle::row(p.xs, i)) * p.ys(i));
  return eta * s;
}

Prompt random_prompt(std::size_t n, std::size_t d, const Vector& task, double noise, std::mt19937_64& rng) {
  Prompt p{workbook::oracle::gaussian_matrix(n, d, rng), xt::zeros<double>({n}), workbook::oracle::gaussian_vector(d, rng)};
  const auto e = workbook::oracle::gaussian_vector(n, rng, noise);
  for (std::size_t i = 0; i < n; ++i) p.ys(i) = workbook::oracle::dot(task, workbook::oracle::row(p.xs, i)) + e(i);
  return p;
}

CheckResult matches_linear_attention(const xt::xtensor<double, 3>& z, const Weights& w) {
  const auto got = ch13_8::linear_self_attention(z, w.q, w.k, w.v);
  xt::xtensor<double, 3> want = xt::zeros<double>({z.shape(0), z.shape(1), w.v.shape(1)});
  for (std::size_t b = 0; b < z.shape(0); ++b) {
    const Matrix zb = xt::view(z, b, xt::all(), xt::all());
    const auto o = workbook::oracle::linear_attention(workbook::oracle::matmul(zb, w.q), workbook::oracle::matmul(zb, w.k),
                                                      workbook::oracle::matmul(zb, w.v));
    xt::view(want, b, xt::all(), xt::all()) = o;
  }
  const xt::xarray<double> expected = want;
  return workbook::close(xt::xarray<double>(got), expected, workbook::tolerance::float_at_scale(expected));
}

void part_a(workbook::Exercise& ex) {
  ex.part("a", 2, "Implement linear_self_attention.")
      .check("random", CheckKind::close, "a batch of three random 6 x 4 token matrices, d_k = 3, d_v = 2, against plain-loop (Q K^T) V",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-random");
               const Weights w{workbook::oracle::gaussian_matrix(4, 3, rng), workbook::oracle::gaussian_matrix(4, 3, rng),
                               workbook::oracle::gaussian_matrix(4, 2, rng)};
               xt::xtensor<double, 3> z = xt::zeros<double>({std::size_t(3), std::size_t(6), std::size_t(4)});
               const auto g = workbook::oracle::gaussian_matrix(18, 4, rng);
               for (std::size_t i = 0; i < z.size(); ++i) z.flat(i) = g.flat(i);
               return matches_linear_attention(z, w);
             })
      .check("different d_k", CheckKind::close,
             "W_q and W_k of different content with d_k = 5 > e = 3 and tokens whose norms differ a hundredfold (one all zero), "
             "against plain-loop (Q K^T) V",
             [](const Context& ctx) {
               auto rng = ctx.rng("a-uneven");
               const Weights w{workbook::oracle::gaussian_matrix(3, 5, rng), workbook::oracle::gaussian_matrix(3, 5, rng),
                               workbook::oracle::gaussian_matrix(3, 3, rng)};
               xt::xtensor<double, 3> z = {{{10, -20, 5}, {0.1, 0.3, -0.2}, {0, 0, 0}, {1, 2, 3}, {-4, 0.5, 8}}};
               return matches_linear_attention(z, w);
             });
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Show that your layer, with the fixed weights W_q = W_k = [I_d; 0] and W_v = eta e_y, predicts at
the query exactly what a linear model predicts after one gradient-descent step, from w = 0 with step eta, on the
squared loss over the prompt's examples.)")
      .check("gradient step", CheckKind::property,
             "for random 1 <= d <= 5, 1 <= n <= 20, eta in {0.01, 0.1, 0.5, 1} and four random prompts per case, the "
             "output of your layer at each query row equals the one-step gradient-descent prediction",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-gd"), [] {
                 const auto d = *rc::gen::inRange<std::size_t>(1, 6);
                 const auto n = *rc::gen::inRange<std::size_t>(1, 21);
                 const double eta = *rc::gen::element(0.01, 0.1, 0.5, 1.0);
                 auto rng = workbook::oracle::property_rng();
                 const auto task = workbook::oracle::gaussian_vector(d, rng);
                 std::vector<Prompt> prompts;
                 for (int b = 0; b < 4; ++b) prompts.push_back(random_prompt(n, d, task, 0.5, rng));
                 const auto got = layer_predictions(prompts, eta);
                 for (std::size_t b = 0; b < prompts.size(); ++b)
                   RC_ASSERT(std::abs(got[b] - gradient_step_prediction(prompts[b], eta)) <=
                             1e-5 * term_scale(prompts[b], eta) + 1e-9);
               }, {60, 100});
             });
}

// Part (c)'s prompt, small enough for pen and paper.
const Prompt hand_prompt{{{1, 0}, {0, 1}, {1, 1}}, {2, -1, 1}, {1, 2}};
constexpr double hand_eta = 0.5;

void part_c(workbook::Exercise& ex) {
  ex.part("c", 2, R"(By hand: the prompt holds x_1 = (1, 0), y_1 = 2; x_2 = (0, 1), y_2 = -1; x_3 = (1, 1), y_3 = 1, and
the query is x_q = (1, 2); eta = 0.5. Give the weight vector w_1 that one gradient step from w = 0 reaches, the
layer's prediction at the query, and say whether reading this prompt changed any of the layer's weights.)")
      .array_answer("c_w1", "w_1 after one step", {2},
                    [] {
                      xt::xarray<double> w = xt::zeros<double>({2});
                      for (std::size_t i = 0; i < 3; ++i)
                        for (std::size_t c = 0; c < 2; ++c) w(c) += hand_eta * hand_prompt.ys(i) * hand_prompt.xs(i, c);
                      return w;
                    },
                    Precision::exact())
      .number_answer("c_prediction", "the prediction at x_q", [] { return gradient_step_prediction(hand_prompt, hand_eta); },
                     Precision::exact())
      .choice_answer("c_weights_changed", "did the layer's weights W_q, W_k, W_v change?", {"yes", "no"}, "no");
}

// Part (d): two tasks, one frozen layer. n = 64 examples per prompt, eta = 1/n, d = 2.
constexpr std::size_t task_n = 64, task_d = 2, task_prompts = 64;
const Vector task_a = {1.0, -2.0}, task_b = {-1.5, 0.5};

// For one task: the true values w . x_q and the layer's predictions, over `task_prompts` noise-free prompts.
std::pair<std::vector<double>, std::vector<double>> task_run(const Vector& task, std::mt19937_64& rng) {
  std::vector<Prompt> prompts;
  std::vector<double> truth;
  for (std::size_t b = 0; b < task_prompts; ++b) {
    prompts.push_back(random_prompt(task_n, task_d, task, 0.0, rng));
    truth.push_back(workbook::oracle::dot(task, prompts.back().query));
  }
  return {truth, layer_predictions(prompts, 1.0 / task_n)};
}

// Mean squared error of the predictions over the mean square of the truth (0: perfect; 1: as bad as predicting 0).
double relative_error(const std::vector<double>& truth, const std::vector<double>& predicted) {
  double error = 0, size = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) error += std::pow(predicted[i] - truth[i], 2), size += truth[i] * truth[i];
  return error / size;
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 1, R"(One layer, two tasks. Keep the weights fixed (eta = 1/64) and give it prompts of 64 examples from
y = w_A . x with w_A = (1, -2), then from y = w_B . x with w_B = (-1.5, 0.5); the inputs x are standard normal. The
layer never sees w_A or w_B, only the examples (figure `two-tasks`).)")
      .check("two tasks", CheckKind::close,
             "over 64 prompts per task, the mean squared error of your layer's predictions is below a quarter of the mean "
             "square of the true values (predicting 0 would score 1), for task A and for task B",
             [](const Context& ctx) {
               auto rng = ctx.rng("d-tasks");
               const auto [truth_a, got_a] = task_run(task_a, rng);
               const auto [truth_b, got_b] = task_run(task_b, rng);
               const double ea = relative_error(truth_a, got_a), eb = relative_error(truth_b, got_b);
               return workbook::holds(ea < 0.25 && eb < 0.25, nlohmann::json{{"task A", ea}, {"task B", eb}},
                                      "the layer's predictions do not follow the task its prompt shows");
             });
}

void part_e(workbook::Exercise& ex) {
  ex.part("e", 3, R"(Define in-context learning and say what makes it striking: what changes and what stays fixed when
a large language model picks up a task from its prompt, how this exercise's layer relates to that, and where the
analogy stops.)")
      .manual();
}

void plots(workbook::Exercise& ex) {
  ex.plot("two-tasks", "Your frozen layer's predictions against the true values, for prompts from two different linear tasks",
          [](const Context& ctx) {
            auto rng = ctx.rng("plot-tasks");
            const auto [truth_a, got_a] = task_run(task_a, rng);
            const auto [truth_b, got_b] = task_run(task_b, rng);
            workbook::Series a{"task A: w = (1, -2)", truth_a, got_a, workbook::Series::Style::points};
            workbook::Series b{"task B: w = (-1.5, 0.5)", truth_b, got_b, workbook::Series::Style::points};
            workbook::Series diagonal{"prediction = truth", {-8, 8}, {-8, 8}, workbook::Series::Style::lines};
            return workbook::xy_plot("One linear attention layer, same weights, two tasks", "true value w . x_q",
                                     "layer's prediction at the query", {diagonal, a, b});
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "In-context learning: a frozen layer that learns from its prompt";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual,
             workbook::Tag::plot};
  ex.statement = R"(A trained language model can pick up a new task from a few examples placed in its prompt, with no
change to its weights. A small, exact instance of the mechanism: write a regression prompt as tokens, z_i = (x_i, y_i)
in R^(d+1) for the examples and z_q = (x_q, 0) for the query, stacked in that order. One linear attention layer (no
softmax) with W_q = W_k = [I_d; 0] (they read the x part) and W_v = eta e_y (it reads the y part, a (d+1) x 1 matrix)
then outputs, at the query's row, a prediction of y_q built from the examples alone. Computing in float is fine: the
checks allow for float's rounding.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
  part_e(ex);
  plots(ex);
}
