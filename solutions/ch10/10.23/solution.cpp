// Reference solution for ch10/10.23: attention with a temperature, forward and backward, one slab at a time.
// Backward: with P = softmax(S), S = q k^T c and c = 1 / (tau sqrt(d)):
//   dv = P^T dout,  dP = dout v^T,  dS = P * (dP - rowsum(P * dP)),  dq = c dS k,  dk = c dS^T q.

#include "ch10/10.23/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch10_23 {

namespace {

using Matrix = xt::xtensor<double, 2>;

double scale(const Heads& q, double tau) { return 1 / (tau * std::sqrt(double(q.shape(2)))); }

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

Matrix row_softmax(Matrix scores) {
  for (std::size_t i = 0; i < scores.shape(0); ++i) {
    auto row = xt::row(scores, i);
    const double top = *std::max_element(row.begin(), row.end());
    row = xt::exp(row - top);
    row /= xt::sum(row)();
  }
  return scores;
}

Matrix weights_of(const Matrix& q, const Matrix& k, double c) {
  return row_softmax(Matrix(xt::linalg::dot(q, xt::transpose(k)) * c));
}

}  // namespace

Heads attention_weights(const Heads& q, const Heads& k, double tau) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), k.shape(1)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = weights_of(slab(q, s), slab(k, s), scale(q, tau));
  return out;
}

Heads attention_forward(const Heads& q, const Heads& k, const Heads& v, double tau) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = xt::linalg::dot(weights_of(slab(q, s), slab(k, s), scale(q, tau)), slab(v, s));
  return out;
}

HeadGrads attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, double tau) {
  const double c = scale(q, tau);
  HeadGrads g{Heads::from_shape(q.shape()), Heads::from_shape(k.shape()), Heads::from_shape(v.shape())};
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix qs = slab(q, s), ks = slab(k, s), vs = slab(v, s), d = slab(dout, s);
    const Matrix p = weights_of(qs, ks, c);
    const Matrix dp = xt::linalg::dot(d, xt::transpose(vs));
    Matrix ds = p * dp;
    for (std::size_t i = 0; i < ds.shape(0); ++i) {
      auto row = xt::row(ds, i);
      row -= xt::row(p, i) * xt::sum(row)();
    }
    xt::view(g.dv, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(p), d);
    xt::view(g.dq, s, xt::all(), xt::all()) = xt::linalg::dot(ds, ks) * c;
    xt::view(g.dk, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(ds), qs) * c;
  }
  return g;
}

}  // namespace ch10_23
