// Wrong on purpose, two slips a student could well make together: the forward pass forgets the causal mask
// (every position attends to the whole input), and the induction head takes the seed's wording at its word,
// so head 2's QUERY reads head 1's previous-token block and its key reads the token block (Q-composition).
// That head looks for earlier copies of the token before the current one and predicts that token again.

#include "topic10/1.8/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.8",
    {"a/query ignores head 1", "a/keys read head 1", "b/patterns", "b/logits", "b/causal", "c/[1,2,3,1,2]",
     "c/your forward", "c/one earlier occurrence", "d/position 0 = length 1"}};

namespace topic10_1_8 {

namespace {

Matrix apply_head(Matrix& x, const Head& head) {
  const Matrix scores = xt::linalg::dot(xt::linalg::dot(x, head.w_q), xt::transpose(xt::linalg::dot(x, head.w_k)));
  const Matrix row_max = xt::amax(scores, {1}, xt::keep_dims);
  Matrix pattern = xt::exp(scores - row_max);  // no mask: the future is visible
  const Matrix row_sum = xt::sum(pattern, {1}, xt::keep_dims);
  pattern /= row_sum;
  const Matrix mixed = xt::linalg::dot(pattern, x);
  x += xt::linalg::dot(mixed, head.w_ov);
  return pattern;
}

}  // namespace

Forward forward(const std::vector<std::size_t>& tokens, const Model& model) {
  Matrix x = Matrix::from_shape({tokens.size(), model.token_embed.shape(1)});
  for (std::size_t t = 0; t < tokens.size(); ++t)
    xt::row(x, t) = xt::row(model.token_embed, tokens[t]) + xt::row(model.pos_embed, t);
  Forward out;
  out.pattern1 = apply_head(x, model.layer1);
  out.pattern2 = apply_head(x, model.layer2);
  out.logits = xt::linalg::dot(x, model.unembed);
  return out;
}

Model induction_model(std::size_t vocab, std::size_t max_len, double scale) {
  const std::size_t token = 0, position = vocab, previous = vocab + max_len, output = 2 * vocab + max_len;
  const std::size_t d = 3 * vocab + max_len;
  Model m;
  m.token_embed = xt::zeros<double>({vocab, d});
  m.pos_embed = xt::zeros<double>({max_len, d});
  for (std::size_t v = 0; v < vocab; ++v) m.token_embed(v, token + v) = 1;
  for (std::size_t p = 0; p < max_len; ++p) m.pos_embed(p, position + p) = 1;
  m.layer1.w_q = xt::zeros<double>({d, max_len});
  m.layer1.w_k = xt::zeros<double>({d, max_len});
  m.layer1.w_ov = xt::zeros<double>({d, d});
  for (std::size_t p = 1; p < max_len; ++p) m.layer1.w_q(position + p, p - 1) = scale;
  for (std::size_t p = 0; p < max_len; ++p) m.layer1.w_k(position + p, p) = 1;
  for (std::size_t v = 0; v < vocab; ++v) m.layer1.w_ov(token + v, previous + v) = 1;
  m.layer2.w_q = xt::zeros<double>({d, vocab + 1});
  m.layer2.w_k = xt::zeros<double>({d, vocab + 1});
  m.layer2.w_ov = xt::zeros<double>({d, d});
  for (std::size_t v = 0; v < vocab; ++v) {
    m.layer2.w_q(previous + v, v) = scale;  // the slip: the query reads head 1's output...
    m.layer2.w_k(token + v, v) = 1;         // ...and the key the token itself
    m.layer2.w_ov(token + v, output + v) = 1;
  }
  for (std::size_t p = 0; p < max_len; ++p) m.layer2.w_q(position + p, vocab) = scale;
  m.layer2.w_k(position + 0, vocab) = -1;
  m.unembed = xt::zeros<double>({d, vocab});
  for (std::size_t v = 0; v < vocab; ++v) m.unembed(output + v, v) = 1;
  return m;
}

}  // namespace topic10_1_8
