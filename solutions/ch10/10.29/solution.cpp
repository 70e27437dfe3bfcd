// Reference solution for ch10/10.29: causal grouped-query attention, forward and backward, one query slab at a
// time. Query slab b * h_q + h reads key/value slab b * h_kv + h / group, group = h_q / h_kv. Backward, with
// P = softmax(S), S = q k^T c + causal mask and c = 1 / sqrt(d):
//   dv = P^T dout,  dP = dout v^T,  dS = P * (dP - rowsum(P * dP)),  dq = c dS k,  dk = c dS^T q,
// and a key/value slab's dk and dv are the sums over the query heads of its group.

#include "ch10/10.29/interface.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch10_29 {

namespace {

using Matrix = xt::xtensor<double, 2>;

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

// The key/value slab that query slab s reads.
std::size_t kv_slab(std::size_t s, int h_q, int h_kv) {
  const auto b = s / std::size_t(h_q), h = s % std::size_t(h_q);
  return b * std::size_t(h_kv) + h / std::size_t(h_q / h_kv);
}

// softmax(q k^T / sqrt(d)) of every row, key j hidden from query i when j > i (weight exactly 0).
Matrix causal_weights(const Matrix& q, const Matrix& k) {
  Matrix s = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    auto row = xt::row(s, i);
    for (std::size_t j = i + 1; j < s.shape(1); ++j) row(j) = -std::numeric_limits<double>::infinity();
    const double top = *std::max_element(row.begin(), row.begin() + std::ptrdiff_t(i + 1));
    row = xt::exp(row - top);
    row /= xt::sum(row)();
  }
  return s;
}

}  // namespace

Heads grouped_attention(const Heads& q, const Heads& k, const Heads& v, int h_q, int h_kv) {
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const auto g = kv_slab(s, h_q, h_kv);
    xt::view(out, s, xt::all(), xt::all()) = xt::linalg::dot(causal_weights(slab(q, s), slab(k, g)), slab(v, g));
  }
  return out;
}

GroupedGrads grouped_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v, int h_q,
                                        int h_kv) {
  const double c = 1 / std::sqrt(double(q.shape(2)));
  GroupedGrads grads{xt::zeros<double>(q.shape()), xt::zeros<double>(k.shape()), xt::zeros<double>(v.shape())};
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const auto g = kv_slab(s, h_q, h_kv);
    const Matrix qs = slab(q, s), ks = slab(k, g), vs = slab(v, g), d = slab(dout, s);
    const Matrix p = causal_weights(qs, ks);
    Matrix ds = p * xt::linalg::dot(d, xt::transpose(vs));
    for (std::size_t i = 0; i < ds.shape(0); ++i) {
      auto row = xt::row(ds, i);
      row -= xt::row(p, i) * xt::sum(row)();
    }
    xt::view(grads.dq, s, xt::all(), xt::all()) = xt::linalg::dot(ds, ks) * c;
    xt::view(grads.dk, g, xt::all(), xt::all()) += xt::linalg::dot(xt::transpose(ds), qs) * c;
    xt::view(grads.dv, g, xt::all(), xt::all()) += xt::linalg::dot(xt::transpose(p), d);
  }
  return grads;
}

}  // namespace ch10_29
