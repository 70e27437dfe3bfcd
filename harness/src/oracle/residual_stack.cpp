#include "workbook/oracle/residual_stack.hpp"

#include <cmath>

#include <xtensor/xview.hpp>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"

namespace workbook::oracle::residual {

namespace {
constexpr double epsilon = 1e-5;
}  // namespace

Matrix layer_norm(const Matrix& x) {
  Matrix y = xt::zeros<double>(x.shape());
  const std::size_t d = x.shape(1);
  for (std::size_t t = 0; t < x.shape(0); ++t) {
    double mean = 0, variance = 0;
    for (std::size_t c = 0; c < d; ++c) mean += x(t, c) / d;
    for (std::size_t c = 0; c < d; ++c) variance += (x(t, c) - mean) * (x(t, c) - mean) / d;
    for (std::size_t c = 0; c < d; ++c) y(t, c) = (x(t, c) - mean) / std::sqrt(variance + epsilon);
  }
  return y;
}

Matrix branch(const Matrix& x, const LayerWeights& w, Branch which) {
  if (which == Branch::attention)
    return matmul(attention(matmul(x, w.w_q), matmul(x, w.w_k), matmul(x, w.w_v), 1 / std::sqrt(double(x.shape(1)))),
                  w.w_o);
  Matrix hidden = matmul(x, w.w_1);
  for (auto& h : hidden) h = h > 0 ? h : 0.0;
  return matmul(hidden, w.w_2);
}

Matrix sublayer(const Matrix& x, const LayerWeights& w, Branch which, Placement placement) {
  if (placement == Placement::pre_ln) return x + branch(layer_norm(x), w, which);
  return layer_norm(x + branch(x, w, which));
}

Batch batch_of(const std::vector<Matrix>& matrices) {
  Batch b = Batch::from_shape({matrices.size(), matrices.front().shape(0), matrices.front().shape(1)});
  for (std::size_t k = 0; k < matrices.size(); ++k) xt::view(b, k) = matrices[k];
  return b;
}

Matrix item(const Batch& b, std::size_t k) { return xt::view(b, k); }

StackParts formula_parts() {
  return {[](const Batch& x, const LayerWeights& w, Branch b, Placement p) {
            Batch out = Batch::from_shape(x.shape());
            for (std::size_t k = 0; k < x.shape(0); ++k) xt::view(out, k) = sublayer(item(x, k), w, b, p);
            return out;
          },
          [](const Batch& x) {
            Batch out = Batch::from_shape(x.shape());
            for (std::size_t k = 0; k < x.shape(0); ++k) xt::view(out, k) = layer_norm(item(x, k));
            return out;
          },
          branch};
}

std::vector<LayerWeights> xavier_stack(const StackShape& s, std::mt19937_64& rng) {
  auto draw = [&](std::size_t in, std::size_t out) {
    return gaussian_matrix(in, out, rng, std::sqrt(2.0 / double(in + out)));
  };
  std::vector<LayerWeights> stack;
  for (std::size_t l = 0; l < s.layers; ++l)
    stack.push_back({draw(s.d_model, s.d_model), draw(s.d_model, s.d_model), draw(s.d_model, s.d_model),
                     draw(s.d_model, s.d_model), draw(s.d_model, s.d_ff), draw(s.d_ff, s.d_model)});
  return stack;
}

namespace {

// The same weights with every branch's last matrix zeroed, so that F = 0 exactly: the direct path alone.
LayerWeights branch_switched_off(LayerWeights w) {
  w.w_o.fill(0.0);
  w.w_2.fill(0.0);
  return w;
}

// Sub-layer k of a stack: layer k / 2, attention first, then the FFN.
Branch branch_of(std::size_t k) { return k % 2 == 0 ? Branch::attention : Branch::feed_forward; }

// The input of every sub-layer (two per layer) and the stack's output (after a final LayerNorm for pre-LN).
struct StackRun {
  std::vector<Matrix> inputs;
  Matrix last;    // the last sub-layer's output
  Matrix output;  // = last for post-LN, LN(last) for pre-LN
};

StackRun run_stack(const StackParts& parts, const std::vector<LayerWeights>& stack, const Matrix& x0, Placement p) {
  StackRun run;
  Matrix x = x0;
  for (std::size_t k = 0; k < 2 * stack.size(); ++k) {
    run.inputs.push_back(x);
    x = item(parts.sublayer(batch_of({x}), stack[k / 2], branch_of(k), p), 0);
  }
  run.last = x;
  run.output = p == Placement::pre_ln ? item(parts.norm(batch_of({x})), 0) : x;
  return run;
}

// g^T J_f(x) by central differences: the 2 n d copies x +- h e_i go to f in one batched call.
Matrix pullback(const std::function<Batch(const Batch&)>& f, const Matrix& x, const Matrix& g, double h = 1e-6) {
  std::vector<Matrix> copies;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (double sign : {1.0, -1.0}) {
      Matrix c = x;
      c.flat(i) += sign * h;
      copies.push_back(c);
    }
  const Batch out = f(batch_of(copies));
  Matrix grad = xt::zeros<double>(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < g.size(); ++j) sum += g.flat(j) * (out(2 * i, j / g.shape(1), j % g.shape(1)) -
                                                                 out(2 * i + 1, j / g.shape(1), j % g.shape(1)));
    grad.flat(i) = sum / (2 * h);
  }
  return grad;
}

double frobenius(const Matrix& m) {
  double s = 0;
  for (double v : m) s += v * v;
  return std::sqrt(s);
}

// dL/d(last sub-layer's output) for L = sum(readout * output): through the final LayerNorm of a pre-LN stack.
Matrix gradient_below_the_top(const StackParts& parts, const StackRun& run, const Matrix& readout, Placement p) {
  return p == Placement::pre_ln ? pullback(parts.norm, run.last, readout) : readout;
}

// Whether f's Jacobian at x differs from the identity: J v against v for one random direction v.
bool jacobian_is_identity(const std::function<Batch(const Batch&)>& f, const Matrix& x, std::mt19937_64& rng) {
  const Matrix v = gaussian_matrix(x.shape(0), x.shape(1), rng);
  const double h = 1e-6;
  const Batch out = f(batch_of({Matrix(x + h * v), Matrix(x - h * v)}));
  const Matrix jv = (item(out, 0) - item(out, 1)) / (2 * h);
  return frobenius(jv - v) <= 1e-4 * frobenius(v);
}

}  // namespace

std::vector<double> full_gradient_reaching_each_layer(const StackParts& parts, const std::vector<LayerWeights>& stack,
                                                      const Matrix& x0, const Matrix& readout, Placement p) {
  const auto run = run_stack(parts, stack, x0, p);
  Matrix g = gradient_below_the_top(parts, run, readout, p);
  std::vector<double> norms(stack.size());
  for (std::size_t k = 2 * stack.size(); k-- > 0;) {
    const auto& w = stack[k / 2];
    g = pullback([&](const Batch& x) { return parts.sublayer(x, w, branch_of(k), p); }, run.inputs[k], g);
    if (k % 2 == 0) norms[k / 2] = frobenius(g);
  }
  return norms;
}

std::vector<double> direct_gradient_reaching_each_layer(const StackParts& parts, const std::vector<LayerWeights>& stack,
                                                        const Matrix& x0, const Matrix& readout, Placement p) {
  const auto run = run_stack(parts, stack, x0, p);
  Matrix g = gradient_below_the_top(parts, run, readout, p);
  std::vector<double> norms(stack.size());
  for (std::size_t k = 2 * stack.size(); k-- > 0;) {
    const auto off = branch_switched_off(stack[k / 2]);
    const Matrix& x = run.inputs[k];
    const Matrix at = p == Placement::post_ln ? Matrix(x + parts.branch(x, stack[k / 2], branch_of(k))) : x;
    g = pullback([&](const Batch& z) { return parts.sublayer(z, off, branch_of(k), p); }, at, g);
    if (k % 2 == 0) norms[k / 2] = frobenius(g);
  }
  return norms;
}

std::int64_t direct_path_layer_norms(const StackParts& parts, const std::vector<LayerWeights>& stack, const Matrix& x0,
                                     Placement p, std::mt19937_64& rng) {
  std::vector<LayerWeights> off;
  for (const auto& w : stack) off.push_back(branch_switched_off(w));
  const auto run = run_stack(parts, off, x0, p);
  std::int64_t count = 0;
  for (std::size_t k = 0; k < run.inputs.size(); ++k)
    count += !jacobian_is_identity([&](const Batch& z) { return parts.sublayer(z, off[k / 2], branch_of(k), p); },
                                   run.inputs[k], rng);
  if (p == Placement::pre_ln) count += !jacobian_is_identity(parts.norm, run.last, rng);
  return count;
}

}  // namespace workbook::oracle::residual
