// topic10/2.3: rank collapse in a 50-layer stack of pure attention layers (no residuals, MLPs or
// normalisation). The weights and the input come from the exercise's random streams; the student's layer
// is run, and the collapse is measured two ways: with the student's singular values and with a plain-loop
// distance from the nearest matrix whose rows are all equal.

#include "topic10/2.3/interface.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
namespace oracle = workbook::oracle;

constexpr std::size_t tokens = 32, width = 64, depth = 50;

struct LayerWeights {
  Matrix w_q, w_k, w_v;
};

// Entries N(0, 1/d): a row x of size ~sqrt(d) is mapped to x W of about the same size, so the scores
// (x W_Q)·(y W_K)/sqrt(d) have variance ~1 at the input and the values keep their scale from layer to layer.
std::vector<LayerWeights> random_weights(std::mt19937_64& rng) {
  const double sd = 1.0 / std::sqrt(double(width));
  std::vector<LayerWeights> layers;
  for (std::size_t l = 0; l < depth; ++l) {
    auto w_q = oracle::gaussian_matrix(width, width, rng, sd);
    auto w_k = oracle::gaussian_matrix(width, width, rng, sd);
    layers.push_back({w_q, w_k, oracle::gaussian_matrix(width, width, rng, sd)});
  }
  return layers;
}

// activations[l] is the output of layer l + 1, for a 32 x 64 input with N(0, 1) entries.
std::vector<Matrix> run_stack(const Context& ctx, const std::string& stream) {
  auto rng = ctx.rng(stream);
  Matrix x = oracle::gaussian_matrix(tokens, width, rng);
  std::vector<Matrix> activations;
  for (const auto& w : random_weights(rng)) {
    x = topic10_2_3::attention_layer(x, w.w_q, w.w_k, w.w_v);
    activations.push_back(x);
  }
  return activations;
}

// ||X - 1 xbar^T||_F / ||X||_F with xbar the mean row: how far X is from having all rows equal (rank 1).
double rank_one_residual(const Matrix& x) {
  double off = 0, total = 0;
  for (std::size_t c = 0; c < x.shape(1); ++c) {
    double mean = 0;
    for (std::size_t r = 0; r < x.shape(0); ++r) mean += x(r, c) / double(x.shape(0));
    for (std::size_t r = 0; r < x.shape(0); ++r) {
      off += (x(r, c) - mean) * (x(r, c) - mean);
      total += x(r, c) * x(r, c);
    }
  }
  return std::sqrt(off / total);
}

double sigma2_over_sigma1(const Matrix& x) {
  const auto s = topic10_2_3::singular_values(x);
  if (s.size() < 2) throw std::runtime_error("singular_values returned fewer than two values");
  return s(1) / s(0);
}

// U diag(s) V^T with orthonormal columns in U (n x r) and V (d x r): its singular values are s by construction.
Matrix matrix_with_spectrum(const std::vector<double>& s, std::size_t n, std::size_t d, std::mt19937_64& rng) {
  const auto u = oracle::orthonormal_rows(s.size(), n, rng);  // rows are the columns of U
  const auto v = oracle::orthonormal_rows(s.size(), d, rng);
  Matrix x = xt::zeros<double>({n, d});
  for (std::size_t k = 0; k < s.size(); ++k)
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t c = 0; c < d; ++c) x(r, c) += s[k] * u(k, r) * v(k, c);
  return x;
}

double frobenius_squared(const Matrix& x) {
  double sum = 0;
  for (double v : x) sum += v * v;
  return sum;
}

const std::vector<std::size_t> plotted_layers = {1, 2, 3, 10, 25, 50};
// The spectrum plot's floor: singular values below 1e-18 sigma_1 are rounding debris whose size depends on
// the machine's LAPACK and BLAS; they are drawn at the floor, so the figure's data is the same everywhere.
constexpr double spectrum_floor = 1e-18;

void part_a(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& a = ex.part("a", 2, "Implement attention_layer.");
  a.check("oracle", CheckKind::close,
          "attention_layer for 8 tokens, d = 6, d_k = 4 (W_Q, W_K are 6 x 4) against plain-loop projections "
          "and attention",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-oracle");
            const auto x = oracle::gaussian_matrix(8, 6, rng);
            const auto w_q = oracle::gaussian_matrix(6, 4, rng, 0.5), w_k = oracle::gaussian_matrix(6, 4, rng, 0.5);
            const auto w_v = oracle::gaussian_matrix(6, 6, rng, 0.5);
            return workbook::close(topic10_2_3::attention_layer(x, w_q, w_k, w_v), oracle::self_attention(x, w_q, w_k, w_v),
                                   workbook::tolerance::double_computation);
          });
  a.check("full size", CheckKind::close,
          "the first layer of the stack (32 x 64 input, N(0, 1/64) weights) against the plain-loop layer",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-full");
            const auto x = oracle::gaussian_matrix(tokens, width, rng);
            const auto w = random_weights(rng).front();
            return workbook::close(topic10_2_3::attention_layer(x, w.w_q, w.w_k, w.w_v),
                                   oracle::self_attention(x, w.w_q, w.w_k, w.w_v), workbook::tolerance::double_computation);
          });
}

void part_b(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& b = ex.part("b", 1, "Implement singular_values (xt::linalg::svd plays the role of torch.linalg.svdvals).");
  b.check("known spectrum", CheckKind::close,
          "a 10 x 7 matrix U diag(s) V^T built from orthonormal U, V and s = (1, 9, 0.05, 2.5, 0.001, 4, 0.3): "
          "the result is s sorted in decreasing order",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-known");
            const std::vector<double> s = {1, 9, 0.05, 2.5, 0.001, 4, 0.3};
            const xt::xarray<double> sorted = {9, 4, 2.5, 1, 0.3, 0.05, 0.001};
            return workbook::close(topic10_2_3::singular_values(matrix_with_spectrum(s, 10, 7, rng)), sorted,
                                   workbook::tolerance::double_computation);
          });
  b.check("wide", CheckKind::close, "a 3 x 12 matrix with singular values (2, 0.5, 1): three values, largest first",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-wide");
            return workbook::close(topic10_2_3::singular_values(matrix_with_spectrum({2, 0.5, 1}, 3, 12, rng)),
                                   xt::xarray<double>{2, 1, 0.5}, workbook::tolerance::double_computation);
          });
  b.check("rank-deficient", CheckKind::close,
          "a 6 x 9 matrix of rank 2, singular values (3, 1, 0, 0, 0, 0): six values, the zeros within 1e-12 of 0 "
          "(and not NaN)",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-deficient");
            return workbook::close(topic10_2_3::singular_values(matrix_with_spectrum({3, 1}, 6, 9, rng)),
                                   xt::xarray<double>{3, 1, 0, 0, 0, 0}, workbook::tolerance::double_computation);
          });
  b.check("sum of squares", CheckKind::close,
          "for a 32 x 64 N(0,1) matrix, the sum of sigma_i^2 against the squared Frobenius norm (plain loop)",
          [](const Context& ctx) {
            auto rng = ctx.rng("b-frobenius");
            const auto x = oracle::gaussian_matrix(tokens, width, rng);
            const xt::xtensor<double, 1> s = topic10_2_3::singular_values(x);
            return workbook::close(double(xt::sum(s * s)()), frobenius_squared(x), workbook::tolerance::double_computation);
          });
}

// Bounds for part c. Start: after one layer the tokens are averaged with unequal weights (scores of variance
// ~1), far from rank 1: over 1111 stacks (the 11 of each run, under the default seed and seeds 1-100)
// sigma_2/sigma_1 was 0.38-0.98 and the residual 0.62-0.92 after layer 1, so "> 0.1" is a safe floor. End: the
// collapse is cubic per layer and stops only at rounding, a relative size of a few eps (after layer 50: residual
// 1.6e-16 to 5.1e-16, sigma_2/sigma_1 1.7e-17 to 2.9e-16); "< 1e-12" leaves a factor 2000 above that floor.
void part_c(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& c = ex.part("c", 2, "Run the 50-layer stack and measure the collapse at layers 1 and 50.");
  c.check("sigma ratio", CheckKind::property,
          "with your singular values: sigma_2/sigma_1 > 0.1 after layer 1 and < 1e-12 after layer 50",
          [](const Context& ctx) {
            const auto acts = run_stack(ctx, "c-stack");
            const double first = sigma2_over_sigma1(acts.front()), last = sigma2_over_sigma1(acts.back());
            return workbook::holds(first > 0.1 && last < 1e-12, {{"layer 1", first}, {"layer 50", last}},
                                   "expected sigma_2/sigma_1 > 0.1 after layer 1 and < 1e-12 after layer 50");
          });
  c.check("residual", CheckKind::property,
          "plain loops, no SVD: ||X - 1 xbar^T||_F / ||X||_F > 0.1 after layer 1 and < 1e-12 after layer 50",
          [](const Context& ctx) {
            const auto acts = run_stack(ctx, "c-stack");
            const double first = rank_one_residual(acts.front()), last = rank_one_residual(acts.back());
            return workbook::holds(first > 0.1 && last < 1e-12, {{"layer 1", first}, {"layer 50", last}},
                                   "expected a residual > 0.1 after layer 1 and < 1e-12 after layer 50");
          });
  c.check("ten draws", CheckKind::property,
          "ten more independent inputs and weight sets: every one ends with a residual < 1e-12 after layer 50 "
          "and started above 0.1 after layer 1",
          [](const Context& ctx) {
            // Each draw is tested on its own: a NaN residual fails its comparison (std::max would skip it).
            bool every_draw_collapses = true;
            double lowest_start = 1, highest_end = 0;
            for (int draw = 0; draw < 10; ++draw) {
              const auto acts = run_stack(ctx, "c-draw-" + std::to_string(draw));
              const double first = rank_one_residual(acts.front()), last = rank_one_residual(acts.back());
              every_draw_collapses = every_draw_collapses && first > 0.1 && last < 1e-12;
              lowest_start = std::isnan(first) ? first : std::min(lowest_start, first);
              highest_end = std::isnan(last) ? last : std::max(highest_end, last);
            }
            return workbook::holds(every_draw_collapses,
                                   {{"lowest after layer 1", workbook::to_json(lowest_start)},
                                    {"highest after layer 50", workbook::to_json(highest_end)}},
                                   "some draw did not collapse, or started collapsed");
          });
  c.hint("Keep every layer's output: the checks and the plots need layers 1, 10, 25 and 50.");
}

void plots(workbook::Exercise& ex) {
  ex.plot("spectrum", "Singular values over the largest, sigma_i/sigma_1, after layers 1, 2, 3, 10, 25 and 50 "
                      "(values below 1e-18 sigma_1, rounding debris, are drawn at 1e-18)",
          [](const Context& ctx) {
            const auto acts = run_stack(ctx, "c-stack");
            std::vector<workbook::Series> series;
            for (std::size_t layer : plotted_layers) {
              const auto s = topic10_2_3::singular_values(acts[layer - 1]);
              workbook::Series one{"layer " + std::to_string(layer), {}, {}, workbook::Series::Style::linespoints};
              for (std::size_t i = 0; i < s.size(); ++i) {
                one.x.push_back(double(i + 1));
                one.y.push_back(std::max(s(i) / s(0), spectrum_floor));
              }
              series.push_back(one);
            }
            auto p = workbook::xy_plot("Pure attention, 32 tokens, d = 64: spectrum by depth", "index i of the singular value",
                                       "sigma_i / sigma_1", series);
            p.logy = true;
            return p;
          });
  ex.plot("residual", "Distance from the nearest matrix with all rows equal, ||X - 1 xbar^T||_F / ||X||_F, after every "
                      "layer, for three draws",
          [](const Context& ctx) {
            std::vector<workbook::Series> series;
            for (int draw = 0; draw < 3; ++draw) {
              const auto acts = run_stack(ctx, draw == 0 ? "c-stack" : "c-draw-" + std::to_string(draw));
              workbook::Series one{"draw " + std::to_string(draw + 1), {}, {}, workbook::Series::Style::linespoints};
              for (std::size_t l = 0; l < acts.size(); ++l) {
                one.x.push_back(double(l + 1));
                one.y.push_back(rank_one_residual(acts[l]));
              }
              series.push_back(one);
            }
            auto p = workbook::xy_plot("Pure attention: distance from equal rows by depth", "layer",
                                       "||X - 1 xbar^T||_F / ||X||_F", series);
            p.logy = true;
            return p;
          });
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Rank collapse in pure attention";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual, workbook::Tag::plot};
  ex.statement =
      "Stack 50 attention layers with nothing else in between: no residual connections, no MLPs, no "
      "normalisation. Layer l maps X_l (n x d, one token per row) to X_{l+1} = softmax(X_l W_Q (X_l W_K)^T "
      "/ sqrt(d)) X_l W_V, with its own random W_Q, W_K, W_V (d x d, entries N(0, 1/d), so that the scores "
      "start with variance about 1 and the values keep their size). The exercise draws the weights and a "
      "32 x 64 input with N(0, 1) entries; you write the layer and a function returning the singular "
      "values, and watch what depth does to the spread of the spectrum. Work in double precision: the "
      "collapse runs on until rounding stops it, near 1e-16 in double but near 1e-7 in float, and the checks "
      "look for it below 1e-12. The quantities to watch are sigma_2 / sigma_1 and the distance "
      "||X - 1 xbar^T||_F / ||X||_F from the nearest matrix whose rows are all equal (xbar the mean row).";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  auto& d = ex.part("d", 1, "How many singular values are left above rounding (1e-10 sigma_1) after layer 50? "
                            "Explain why stacking attention alone drives the activations there, and what a "
                            "residual connection changes.");
  d.integer_answer("d_rank", "the number of singular values above 1e-10 sigma_1 after layer 50", 1);
  d.manual(2);
  plots(ex);
}
