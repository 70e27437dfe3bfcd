// Reference solution for arch13/15. Tying removes the head's (V, C) matrix from the count. In the gradient, wte is
// used twice, so its gradient is the sum of the two uses': the head's d_logits^T X, plus each token's row gradient
// d_logits_t wte scattered back into the row that token read.

#include "arch13/15/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace arch13_15 {

std::int64_t parameter_count(const Shape& s, bool tied) {
  const auto v = std::int64_t(s.vocab), t = std::int64_t(s.context), c = std::int64_t(s.width);
  const std::int64_t norm = 2 * c;
  const std::int64_t attention = (3 * c * c + 3 * c) + (c * c + c);
  const std::int64_t ffn = (4 * c * c + 4 * c) + (4 * c * c + c);
  const std::int64_t block = 2 * norm + attention + ffn;
  const std::int64_t head = tied ? 0 : v * c;
  return v * c + t * c + std::int64_t(s.layers) * block + norm + head;
}

namespace {

xt::xtensor<double, 2> embedded(const xt::xtensor<double, 2>& wte, const std::vector<int>& tokens) {
  xt::xtensor<double, 2> x = xt::zeros<double>({tokens.size(), wte.shape(1)});
  for (std::size_t t = 0; t < tokens.size(); ++t) xt::row(x, t) = xt::row(wte, tokens[t]);
  return x;
}

}  // namespace

xt::xtensor<double, 2> tied_logits(const xt::xtensor<double, 2>& wte, const std::vector<int>& tokens) {
  return xt::linalg::dot(embedded(wte, tokens), xt::transpose(wte));  // the head is wte, read the other way
}

xt::xtensor<double, 2> tied_gradient(const xt::xtensor<double, 2>& wte, const std::vector<int>& tokens,
                                     const std::vector<int>& targets) {
  const std::size_t n = tokens.size();
  const xt::xtensor<double, 2> x = embedded(wte, tokens);
  xt::xtensor<double, 2> d_logits = tied_logits(wte, tokens);
  for (std::size_t t = 0; t < n; ++t) {  // softmax minus one-hot, over n for the mean
    auto row = xt::row(d_logits, t);
    const double largest = xt::amax(row)();
    row = xt::exp(row - largest);
    row /= xt::sum(row)();
    row(targets[t]) -= 1;
    row /= double(n);
  }
  xt::xtensor<double, 2> grad = xt::linalg::dot(xt::transpose(d_logits), x);  // the head's use
  const xt::xtensor<double, 2> d_x = xt::linalg::dot(d_logits, wte);         // the embedding's use
  for (std::size_t t = 0; t < n; ++t) xt::row(grad, tokens[t]) += xt::row(d_x, t);
  return grad;
}

}  // namespace arch13_15
