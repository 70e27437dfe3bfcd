// Reference solution for topic10/1.8: the forward pass of a two-layer attention-only model, and the
// hand-set weights of a previous-token head followed by an induction head.

#include "topic10/1.8/interface.hpp"

#include <limits>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace topic10_1_8 {

namespace {

// Softmax of each row over the columns j <= row (causal): later columns get weight exactly 0.
Matrix causal_softmax(Matrix scores) {
  const std::size_t t_len = scores.shape(0);
  for (std::size_t t = 0; t < t_len; ++t)
    for (std::size_t j = t + 1; j < t_len; ++j) scores(t, j) = -std::numeric_limits<double>::infinity();
  // Row maxima stored before broadcasting (see NOTES-xtensor: never broadcast a lazy reduction).
  const Matrix row_max = xt::amax(scores, {1}, xt::keep_dims);
  Matrix weights = xt::exp(scores - row_max);
  const Matrix row_sum = xt::sum(weights, {1}, xt::keep_dims);
  weights /= row_sum;
  return weights;
}

// One head on the stream x (T x d): returns its pattern (T x T) and adds its output into x.
Matrix apply_head(Matrix& x, const Head& head) {
  const Matrix q = xt::linalg::dot(x, head.w_q);  // T x k
  const Matrix k = xt::linalg::dot(x, head.w_k);  // T x k
  const Matrix pattern = causal_softmax(xt::linalg::dot(q, xt::transpose(k)));
  const Matrix mixed = xt::linalg::dot(pattern, x);  // T x d
  x += xt::linalg::dot(mixed, head.w_ov);
  return pattern;
}

}  // namespace

Forward forward(const std::vector<std::size_t>& tokens, const Model& model) {
  const std::size_t d = model.token_embed.shape(1);
  Matrix x = Matrix::from_shape({tokens.size(), d});  // the residual stream, T x d
  for (std::size_t t = 0; t < tokens.size(); ++t)
    xt::row(x, t) = xt::row(model.token_embed, tokens[t]) + xt::row(model.pos_embed, t);
  Forward out;
  out.pattern1 = apply_head(x, model.layer1);
  out.pattern2 = apply_head(x, model.layer2);
  out.logits = xt::linalg::dot(x, model.unembed);
  return out;
}

Model induction_model(std::size_t vocab, std::size_t max_len, double scale) {
  // Blocks of the stream: [token | position | previous token | output].
  const std::size_t token = 0, position = vocab, previous = vocab + max_len, output = 2 * vocab + max_len;
  const std::size_t d = 3 * vocab + max_len;
  Model m;
  m.token_embed = xt::zeros<double>({vocab, d});
  m.pos_embed = xt::zeros<double>({max_len, d});
  for (std::size_t v = 0; v < vocab; ++v) m.token_embed(v, token + v) = 1;
  for (std::size_t p = 0; p < max_len; ++p) m.pos_embed(p, position + p) = 1;

  // Layer 1, the previous-token head: head coordinate i stands for "position i". The query of p asks for
  // p - 1, every key announces its own position; the value copies the token into the previous block.
  m.layer1.w_q = xt::zeros<double>({d, max_len});
  m.layer1.w_k = xt::zeros<double>({d, max_len});
  m.layer1.w_ov = xt::zeros<double>({d, d});
  for (std::size_t p = 1; p < max_len; ++p) m.layer1.w_q(position + p, p - 1) = scale;
  for (std::size_t p = 0; p < max_len; ++p) m.layer1.w_k(position + p, p) = 1;
  for (std::size_t v = 0; v < vocab; ++v) m.layer1.w_ov(token + v, previous + v) = 1;

  // Layer 2, the induction head: coordinate v matches the current token with a key's previous token
  // (K-composition); coordinate V is a constant query (the position one-hots add up to 1) against a key
  // of -1 at position 0, which has no predecessor. The value copies the token into the output block.
  m.layer2.w_q = xt::zeros<double>({d, vocab + 1});
  m.layer2.w_k = xt::zeros<double>({d, vocab + 1});
  m.layer2.w_ov = xt::zeros<double>({d, d});
  for (std::size_t v = 0; v < vocab; ++v) {
    m.layer2.w_q(token + v, v) = scale;
    m.layer2.w_k(previous + v, v) = 1;
    m.layer2.w_ov(token + v, output + v) = 1;
  }
  for (std::size_t p = 0; p < max_len; ++p) m.layer2.w_q(position + p, vocab) = scale;
  m.layer2.w_k(position + 0, vocab) = -1;

  m.unembed = xt::zeros<double>({d, vocab});
  for (std::size_t v = 0; v < vocab; ++v) m.unembed(output + v, v) = 1;
  return m;
}

}  // namespace topic10_1_8
