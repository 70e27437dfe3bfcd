// topic10/1.1: self-attention without positions is permutation equivariant. The proof is checked as two
// properties over random sizes, weights, tokens and permutations (the output rows move with the input rows;
// the weight matrix becomes P A P^T), after the implementation is checked against plain-loop attention.

#include "topic10/1.1/interface.hpp"

#include <algorithm>
#include <numeric>

#include "workbook/oracle_linalg.hpp"
#include "workbook/property.hpp"

namespace {

using workbook::Context;
using workbook::oracle::linalg::gaussian_matrix;
using Matrix2 = xt::xtensor<double, 2>;
using Permutation = std::vector<std::size_t>;

// The same sums in a different order (BLAS vs. loops, permuted rows): agreement to rounding.
const workbook::Tolerance rounding{1e-9, 1e-12};

struct Layer {
  Matrix2 w_q, w_k, w_v;
};

Layer random_layer(std::size_t d_model, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  // Entries N(0, 1/d_model): scores of order one, so the softmax is neither uniform nor one-hot.
  const double scale = 1 / std::sqrt(double(d_model));
  return {gaussian_matrix(d_model, d_k, rng, scale), gaussian_matrix(d_model, d_k, rng, scale),
          gaussian_matrix(d_model, d_v, rng, scale)};
}

Permutation random_permutation(std::size_t n, std::mt19937_64& rng) {
  Permutation sigma(n);
  std::iota(sigma.begin(), sigma.end(), 0);
  std::shuffle(sigma.begin(), sigma.end(), rng);
  return sigma;
}

// (P X)_i = X_sigma(i): row i of the result is row sigma(i) of x.
Matrix2 permute_rows(const Matrix2& x, const Permutation& sigma) {
  Matrix2 out = Matrix2::from_shape({x.shape(0), x.shape(1)});
  for (std::size_t i = 0; i < sigma.size(); ++i)
    for (std::size_t c = 0; c < x.shape(1); ++c) out(i, c) = x(sigma[i], c);
  return out;
}

// (P A P^T)_ij = A_sigma(i) sigma(j).
Matrix2 permute_both(const Matrix2& a, const Permutation& sigma) {
  Matrix2 out = Matrix2::from_shape({a.shape(0), a.shape(1)});
  for (std::size_t i = 0; i < sigma.size(); ++i)
    for (std::size_t j = 0; j < sigma.size(); ++j) out(i, j) = a(sigma[i], sigma[j]);
  return out;
}

// Plain-loop weights: softmax over each row of (X W_q)(X W_k)^T / sqrt(d_k).
xt::xarray<double> oracle_weights(const Matrix2& x, const Layer& layer) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  const auto q = to_matrix(plain_product(x, layer.w_q)), k = to_matrix(plain_product(x, layer.w_k));
  Matrix weights;
  for (const auto& query : q) {
    Vector scores;
    for (const auto& key : k) scores.push_back(dot(query, key) / std::sqrt(double(layer.w_q.shape(1))));
    weights.push_back(softmax(scores));
  }
  return to_array(weights);
}

xt::xarray<double> oracle_output(const Matrix2& x, const Layer& layer) {
  using namespace workbook::oracle;
  using namespace workbook::oracle::linalg;
  return to_array(attention(to_matrix(plain_product(x, layer.w_q)), to_matrix(plain_product(x, layer.w_k)),
                            to_matrix(plain_product(x, layer.w_v)), 1 / std::sqrt(double(layer.w_q.shape(1)))));
}

bool agree(const Matrix2& actual, const Matrix2& expected) {
  return workbook::close(xt::xarray<double>(actual), xt::xarray<double>(expected), rounding).status ==
         workbook::Status::pass;
}

// A random case for the properties: sizes, layer, tokens and permutation all drawn by RapidCheck.
struct Case {
  Layer layer;
  Matrix2 x;
  Permutation sigma;
};

Case random_case() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto d_model = *rc::gen::inRange<std::size_t>(1, 11);
  const auto d_k = *rc::gen::inRange<std::size_t>(1, 9);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 9);
  std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
  auto layer = random_layer(d_model, d_k, d_v, rng);
  auto x = gaussian_matrix(n, d_model, rng, 2.0);
  return {std::move(layer), std::move(x), random_permutation(n, rng)};
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Self-attention commutes with permutations of the tokens";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement =
      "Self-attention with no positional information: for tokens X (n x d_model, one per row), "
      "A = softmax((X W_q)(X W_k)^T / sqrt(d_k)) row by row and Attn(X) = A X W_v. Let sigma be a "
      "permutation of the n positions and P its matrix, (P X)_i = X_sigma(i). Prove that "
      "Attn(P X) = P Attn(X): shuffling the input tokens shuffles the output rows the same way and changes "
      "nothing else. Implement the layer; the run checks the identity, and the "
      "step the proof rests on, over random sizes, weights, tokens and permutations.";

  auto& a = ex.part("a", 1, "Implement attention_weights and self_attention.");
  a.check("weights", CheckKind::close, "A for 7 tokens (d_model 5, d_k 3) against a plain-loop row softmax",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-weights");
            const auto layer = random_layer(5, 3, 4, rng);
            const auto x = gaussian_matrix(7, 5, rng, 2.0);
            return workbook::close(topic10_1_1::attention_weights(x, layer.w_q, layer.w_k), oracle_weights(x, layer),
                                   rounding);
          });
  a.check("output", CheckKind::close, "Attn(X) for 7 tokens (d_model 5, d_k 3, d_v 4) against plain-loop attention",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-output");
            const auto layer = random_layer(5, 3, 4, rng);
            const auto x = gaussian_matrix(7, 5, rng, 2.0);
            return workbook::close(topic10_1_1::self_attention(x, layer.w_q, layer.w_k, layer.w_v),
                                   oracle_output(x, layer), rounding);
          });

  auto& b = ex.part("b", 2, "Prove Attn(P X) = P Attn(X) for every permutation P.");
  b.check("any permutation", CheckKind::property,
          "for random n <= 12, d_model <= 10, d_k, d_v <= 8, Gaussian weights and tokens and a random "
          "permutation, Attn(P X) equals P Attn(X) within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto c = random_case();
              const auto permuted_input = topic10_1_1::self_attention(permute_rows(c.x, c.sigma), c.layer.w_q,
                                                                      c.layer.w_k, c.layer.w_v);
              const auto permuted_output =
                  permute_rows(topic10_1_1::self_attention(c.x, c.layer.w_q, c.layer.w_k, c.layer.w_v), c.sigma);
              RC_ASSERT(agree(permuted_input, permuted_output));
            });
          });
  b.hint("Write Q, K and V of the permuted input in terms of P, Q, K and V, then use P^T P = I.");

  auto& c = ex.part("c", 1, "Show the step the proof rests on: the weights of the permuted input are "
                            "A'_ij = A_sigma(i) sigma(j), that is A' = P A P^T.");
  c.check("weights permuted", CheckKind::property,
          "for random sizes, weights, tokens and permutations, attention_weights(P X) equals P A P^T "
          "(entry (i, j) is A_sigma(i) sigma(j)) within 1e-9 relative",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto c = random_case();
              const auto weights = topic10_1_1::attention_weights(c.x, c.layer.w_q, c.layer.w_k);
              const auto permuted =
                  topic10_1_1::attention_weights(permute_rows(c.x, c.sigma), c.layer.w_q, c.layer.w_k);
              RC_ASSERT(agree(permuted, permute_both(weights, c.sigma)));
            });
          });
  c.hint("A softmax applied to a reordered vector returns the reordered softmax.");

  auto& d = ex.part("d", 1, "Why does the claim need 'without positional embeddings'? Add a fixed positional "
                            "table E to the tokens and say whether Attn(P X + E) = P Attn(X + E) still holds.");
  d.choice_answer("d_holds", "does the identity hold with positional embeddings added?", {"yes", "no"}, "no")
      .check("with positions", CheckKind::property,
             "a counterexample with your layer: 6 tokens, a Gaussian table E (6 x 8) and a cyclic shift: "
             "Attn(P X + E) and P Attn(X + E) differ by more than 1e-3",
             [](const Context& ctx) {
               auto rng = ctx.rng("d-positions");
               const auto layer = random_layer(8, 4, 4, rng);
               const auto x = gaussian_matrix(6, 8, rng, 2.0), e = gaussian_matrix(6, 8, rng, 2.0);
               const Permutation shift = {1, 2, 3, 4, 5, 0};
               const Matrix2 px_plus_e = permute_rows(x, shift) + e, x_plus_e = x + e;
               const double gap = workbook::oracle::linalg::max_abs_difference(
                   topic10_1_1::self_attention(px_plus_e, layer.w_q, layer.w_k, layer.w_v),
                   permute_rows(topic10_1_1::self_attention(x_plus_e, layer.w_q, layer.w_k, layer.w_v), shift));
               return workbook::holds(gap > 1e-3, workbook::to_json(gap),
                                      "the outputs agree: the table E did not break equivariance in this case");
             })
      .manual();
}
