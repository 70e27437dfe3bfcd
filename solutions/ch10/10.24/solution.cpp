// Reference solution for ch10/10.24: Sinkhorn attention, slab by slab, keeping every normalisation step for the
// backward pass. A step Y = X / r with r_i the sum of row i has the backward dX_i = (dY_i - (dY_i . Y_i)) / r_i
// (row by row; the same with columns for a column step); the first matrix is E = exp(c S - m) with S = q k^T and
// c = 1 / sqrt(d), so dS = c dE * E (m cancels in the first row step), dq = dS k and dk = dS^T q.

#include "ch10/10.24/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xview.hpp>

namespace ch10_24 {

namespace {

using Matrix = xt::xtensor<double, 2>;

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

// Every matrix of the normalisation, first E, then after each row step and each column step.
std::vector<Matrix> sinkhorn_steps(const Matrix& q, const Matrix& k, int iterations) {
  const Matrix scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  std::vector<Matrix> steps{Matrix(xt::exp(scores - xt::amax(scores)()))};
  for (int t = 0; t < iterations; ++t) {
    const Matrix& e = steps.back();
    steps.push_back(e / xt::view(xt::sum(e, {1}), xt::all(), xt::newaxis()));
    const Matrix& r = steps.back();
    steps.push_back(r / xt::view(xt::sum(r, {0}), xt::newaxis(), xt::all()));
  }
  return steps;
}

}  // namespace

xt::xtensor<double, 1> mean_column_sums(const Heads& weights) {
  return xt::mean(xt::sum(weights, {1}), {0});
}

Heads sinkhorn_weights(const Heads& q, const Heads& k, int iterations) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), k.shape(1)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = sinkhorn_steps(slab(q, s), slab(k, s), iterations).back();
  return out;
}

Heads sinkhorn_attention(const Heads& q, const Heads& k, const Heads& v, int iterations) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) =
        xt::linalg::dot(sinkhorn_steps(slab(q, s), slab(k, s), iterations).back(), slab(v, s));
  return out;
}

HeadGrads sinkhorn_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, int iterations) {
  HeadGrads g{Heads::from_shape(q.shape()), Heads::from_shape(k.shape()), Heads::from_shape(v.shape())};
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix qs = slab(q, s), ks = slab(k, s), vs = slab(v, s), d = slab(dout, s);
    const auto steps = sinkhorn_steps(qs, ks, iterations);
    xt::view(g.dv, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(steps.back()), d);
    Matrix grad = xt::linalg::dot(d, xt::transpose(vs));  // dL/d(the last matrix)
    for (std::size_t i = steps.size() - 1; i >= 1; --i) {
      const Matrix& y = steps[i];
      const bool column_step = i % 2 == 0;
      const Matrix& x = steps[i - 1];
      const std::size_t axis = column_step ? 0 : 1;
      const auto sums = xt::eval(xt::sum(x, {axis}));
      const auto inner = xt::eval(xt::sum(grad * y, {axis}));
      if (column_step)
        grad = (grad - xt::view(inner, xt::newaxis(), xt::all())) / xt::view(sums, xt::newaxis(), xt::all());
      else
        grad = (grad - xt::view(inner, xt::all(), xt::newaxis())) / xt::view(sums, xt::all(), xt::newaxis());
    }
    const double c = 1 / std::sqrt(double(qs.shape(1)));
    const Matrix ds = c * grad * steps.front();
    xt::view(g.dq, s, xt::all(), xt::all()) = xt::linalg::dot(ds, ks);
    xt::view(g.dk, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(ds), qs);
  }
  return g;
}

}  // namespace ch10_24
