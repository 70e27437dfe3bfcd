// Reference solution for ch10/10.25: attention with a learnable relative position bias, one slab at a time.
// With S = (q k^T + B) c, c = 1 / sqrt(d), P = softmax(S) by rows:
//   dv = P^T dout,  dP = dout v^T,  dS = P * (dP - rowsum(P * dP)),  dq = c dS k,  dk = c dS^T q,
//   db[i - j + L - 1] += c dS[i][j] over every slab and every pair (i, j) at that offset.

#include "ch10/10.25/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch10_25 {

namespace {

using Matrix = xt::xtensor<double, 2>;

std::size_t max_length(const Bias& b) { return (b.size() + 1) / 2; }

// Where the offset i - j sits in b.
std::size_t offset_index(std::size_t i, std::size_t j, std::size_t max_len) { return i + max_len - 1 - j; }

double scale(const Heads& q) { return 1 / std::sqrt(double(q.shape(2))); }

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

Matrix weights_of(const Matrix& q, const Matrix& k, const Matrix& table, double c) {
  return row_softmax(Matrix((xt::linalg::dot(q, xt::transpose(k)) + table) * c));
}

// The sums of m's diagonals, entry i - j + L - 1 for the diagonal at offset i - j: the adjoint of the table.
Bias by_offset(const Matrix& m, std::size_t max_len) {
  Bias sums = xt::zeros<double>({2 * max_len - 1});
  for (std::size_t i = 0; i < m.shape(0); ++i)
    for (std::size_t j = 0; j < m.shape(1); ++j) sums(offset_index(i, j, max_len)) += m(i, j);
  return sums;
}

}  // namespace

xt::xtensor<double, 2> relative_bias_table(const Bias& b, std::size_t n) {
  const std::size_t max_len = max_length(b);
  Matrix table = Matrix::from_shape({n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) table(i, j) = b(offset_index(i, j, max_len));
  return table;
}

Heads relative_attention_forward(const Heads& q, const Heads& k, const Heads& v, const Bias& b) {
  const Matrix table = relative_bias_table(b, q.shape(1));
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v.shape(2)});
  for (std::size_t s = 0; s < q.shape(0); ++s)
    xt::view(out, s, xt::all(), xt::all()) = xt::linalg::dot(weights_of(slab(q, s), slab(k, s), table, scale(q)), slab(v, s));
  return out;
}

RelativeGrads relative_attention_backward(const Heads& dout, const Heads& q, const Heads& k, const Heads& v,
                                          const Bias& b) {
  const double c = scale(q);
  const std::size_t n = q.shape(1), max_len = max_length(b);
  const Matrix table = relative_bias_table(b, n);
  RelativeGrads g{Heads::from_shape(q.shape()), Heads::from_shape(k.shape()), Heads::from_shape(v.shape()),
                  xt::zeros<double>(b.shape())};
  for (std::size_t s = 0; s < q.shape(0); ++s) {
    const Matrix qs = slab(q, s), ks = slab(k, s), vs = slab(v, s), d = slab(dout, s);
    const Matrix p = weights_of(qs, ks, table, c);
    const Matrix dp = xt::linalg::dot(d, xt::transpose(vs));
    Matrix ds = p * dp;
    for (std::size_t i = 0; i < n; ++i) {
      auto row = xt::row(ds, i);
      row -= xt::row(p, i) * xt::sum(row)();
    }
    xt::view(g.dv, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(p), d);
    xt::view(g.dq, s, xt::all(), xt::all()) = xt::linalg::dot(ds, ks) * c;
    xt::view(g.dk, s, xt::all(), xt::all()) = xt::linalg::dot(xt::transpose(ds), qs) * c;
    g.db += by_offset(ds, max_len) * c;
  }
  return g;
}

}  // namespace ch10_25
