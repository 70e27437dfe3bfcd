// Reference solution for ch10/10.15: one step of cached causal attention. The new keys and values go to the end of
// the cache first, so that every new row sees itself; new row i, at position length + i, then attends over the
// cache's rows 0 .. length + i, head by head.

#include "ch10/10.15/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

namespace ch10_15 {

namespace {

using Matrix = xt::xtensor<double, 2>;

Matrix slab(const Heads& h, std::size_t s) { return xt::view(h, s, xt::all(), xt::all()); }

// softmax(q k^T / sqrt(d)) v where query row i sits at position offset + i and sees key rows 0 .. offset + i.
Matrix causal_rows(const Matrix& q, const Matrix& k, const Matrix& v, std::size_t offset) {
  Matrix w = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  for (std::size_t i = 0; i < w.shape(0); ++i) {
    auto row = xt::row(w, i);
    const std::size_t visible = offset + i + 1;
    const double top = *std::max_element(row.begin(), row.begin() + std::ptrdiff_t(visible));
    for (std::size_t j = 0; j < w.shape(1); ++j) row(j) = j < visible ? std::exp(row(j) - top) : 0.0;
    row /= xt::sum(row)();
  }
  return xt::linalg::dot(w, v);
}

}  // namespace

Heads cached_attention(const Heads& q, const Heads& k_new, const Heads& v_new, KvCache& cache) {
  const std::size_t length = cache.k.shape(1);
  cache.k = xt::concatenate(xt::xtuple(cache.k, k_new), 1);
  cache.v = xt::concatenate(xt::xtuple(cache.v, v_new), 1);
  Heads out = Heads::from_shape({q.shape(0), q.shape(1), v_new.shape(2)});
  for (std::size_t h = 0; h < q.shape(0); ++h)
    xt::view(out, h, xt::all(), xt::all()) = causal_rows(slab(q, h), slab(cache.k, h), slab(cache.v, h), length);
  return out;
}

}  // namespace ch10_15
