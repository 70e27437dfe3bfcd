#include "ch13/13.24/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace ch13_24 {

namespace {

// What a chosen position's input becomes: [MASK] 80% of the time, a random token 10%, itself 10%.
int corrupted(int token, int vocab, int mask_token, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double u = unit(rng);
  if (u < 0.8) return mask_token;
  if (u < 0.9) return std::uniform_int_distribution<int>(0, vocab - 1)(rng);
  return token;
}

// The [CLS] row of every sequence: rows 0, time, 2 time, ...
Matrix first_rows(const Matrix& hidden, std::size_t time) {
  return xt::view(hidden, xt::range(std::size_t(0), hidden.shape(0), time), xt::all());
}

}  // namespace

MaskedBatch mask_tokens(const std::vector<int>& tokens, std::size_t batch, std::size_t time,
                        const std::vector<std::size_t>& lengths, int vocab, int mask_token, double rate,
                        std::mt19937_64& rng) {
  MaskedBatch out{tokens, std::vector<int>(tokens.size(), -1)};
  std::bernoulli_distribution chosen(rate);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t t = 0; t < lengths[b]; ++t) {
      const std::size_t i = b * time + t;
      if (!chosen(rng)) continue;
      out.targets[i] = tokens[i];
      out.inputs[i] = corrupted(tokens[i], vocab, mask_token, rng);
    }
  return out;
}

Matrix class_logits(const Matrix& hidden, std::size_t time, const Matrix& weight, const Vector& bias) {
  Matrix logits = xt::linalg::dot(first_rows(hidden, time), xt::transpose(weight));
  logits += bias;
  return logits;
}

HeadGrads class_logits_backward(const Matrix& dlogits, const Matrix& hidden, std::size_t time, const Matrix& weight) {
  HeadGrads g;
  g.dweight = xt::linalg::dot(xt::transpose(dlogits), first_rows(hidden, time));
  g.dbias = xt::sum(dlogits, {0});
  g.dhidden = xt::zeros<float>(hidden.shape());
  xt::view(g.dhidden, xt::range(std::size_t(0), hidden.shape(0), time), xt::all()) = xt::linalg::dot(dlogits, weight);
  return g;
}

}  // namespace ch13_24
