// Reference solution for arch13/9. recompute runs every layer over the whole sequence with the mask; append_token
// runs one new row up the stack, each layer's key and value going into the cache before the query attends, so that
// the new row sees itself. The cached path has no mask to choose: the newest row may see every key there is.

#include "arch13/9/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

namespace arch13_9 {

namespace {

using Matrix = xt::xtensor<double, 2>;

Matrix layer_weights(const xt::xtensor<double, 3>& w, std::size_t l) { return xt::view(w, l, xt::all(), xt::all()); }

// softmax of each row of scores over its first visible(i) entries; the rest get weight 0.
template <class Visible>
Matrix masked_softmax(Matrix scores, Visible visible) {
  for (std::size_t i = 0; i < scores.shape(0); ++i) {
    auto row = xt::row(scores, i);
    const std::size_t seen = visible(i);
    const double top = *std::max_element(row.begin(), row.begin() + std::ptrdiff_t(seen));
    for (std::size_t j = 0; j < row.size(); ++j) row(j) = j < seen ? std::exp(row(j) - top) : 0.0;
    row /= xt::sum(row)();
  }
  return scores;
}

// softmax(q k^T / sqrt(d)) v, query row i seeing the first visible(i) keys.
template <class Visible>
Matrix attend(const Matrix& q, const Matrix& k, const Matrix& v, Visible visible) {
  const Matrix scores = xt::linalg::dot(q, xt::transpose(k)) / std::sqrt(double(q.shape(1)));
  return xt::linalg::dot(masked_softmax(scores, visible), v);
}

}  // namespace

xt::xtensor<double, 2> recompute(const xt::xtensor<double, 2>& x, const Stack& stack, Mask mask) {
  const std::size_t n = x.shape(0);
  const auto visible = [&](std::size_t i) { return mask == Mask::causal ? i + 1 : n; };
  Matrix h = x;
  for (std::size_t l = 0; l < stack.w_q.shape(0); ++l) {
    const Matrix q = xt::linalg::dot(h, layer_weights(stack.w_q, l));
    const Matrix k = xt::linalg::dot(h, layer_weights(stack.w_k, l));
    const Matrix v = xt::linalg::dot(h, layer_weights(stack.w_v, l));
    h = h + attend(q, k, v, visible);
  }
  return h;
}

xt::xtensor<double, 1> append_token(const xt::xtensor<double, 1>& x_new, const Stack& stack, KvCache& cache) {
  const std::size_t layers = stack.w_q.shape(0), d = x_new.size();
  const std::size_t length = cache.k.shape(1);
  xt::xtensor<double, 3> k = xt::zeros<double>({layers, length + 1, d}), v = k;
  xt::view(k, xt::all(), xt::range(0, length), xt::all()) = cache.k;
  xt::view(v, xt::all(), xt::range(0, length), xt::all()) = cache.v;
  Matrix h = xt::reshape_view(x_new, {std::size_t(1), d});
  for (std::size_t l = 0; l < layers; ++l) {
    xt::view(k, l, length, xt::all()) = xt::row(xt::linalg::dot(h, layer_weights(stack.w_k, l)), 0);
    xt::view(v, l, length, xt::all()) = xt::row(xt::linalg::dot(h, layer_weights(stack.w_v, l)), 0);
    const Matrix q = xt::linalg::dot(h, layer_weights(stack.w_q, l));
    h = h + attend(q, layer_weights(k, l), layer_weights(v, l), [&](std::size_t) { return length + 1; });
  }
  cache = {k, v};
  return xt::row(h, 0);
}

}  // namespace arch13_9
