// topic10/1.1: self-attention without positions is permutation equivariant. The proof is checked as two
// properties over random sizes, weights, tokens and permutations (the output rows move with the input rows;
// the weight matrix becomes P A P^T), after the implementation is checked against plain-loop attention.

#include "topic10/1.1/interface.hpp"

#include <algorithm>
#include <cmath>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/property.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::Context;
using workbook::oracle::gaussian_matrix;
using workbook::oracle::Matrix;
using workbook::oracle::Permutation;
using workbook::oracle::permute_rows;

struct Layer {
  Matrix w_q, w_k, w_v;
};

Layer random_layer(std::size_t d_model, std::size_t d_k, std::size_t d_v, std::mt19937_64& rng) {
  // Entries N(0, 1/d_model): scores of order one, so the softmax is neither uniform nor one-hot.
  const double scale = 1 / std::sqrt(double(d_model));
  return {gaussian_matrix(d_model, d_k, rng, scale), gaussian_matrix(d_model, d_k, rng, scale),
          gaussian_matrix(d_model, d_v, rng, scale)};
}

double scale_of(const Layer& layer) { return 1 / std::sqrt(double(layer.w_q.shape(1))); }

// Plain-loop weights: softmax over each row of (X W_q)(X W_k)^T / sqrt(d_k).
Matrix oracle_weights(const Matrix& x, const Layer& layer) {
  using workbook::oracle::matmul;
  return workbook::oracle::attention_weights(matmul(x, layer.w_q), matmul(x, layer.w_k), scale_of(layer));
}

Matrix oracle_output(const Matrix& x, const Layer& layer) {
  return workbook::oracle::self_attention(x, layer.w_q, layer.w_k, layer.w_v);
}

// The size of the terms summed: 1 for the weights (each at most 1, and a score's rounding moves a weight only
// relatively); for the output, the largest entry of |X| |W_v|, which bounds every value and every term of it.
double term_size_weights(const Matrix&, const Layer&) { return 1; }
double term_size_output(const Matrix& x, const Layer& layer) {
  return workbook::tolerance::largest_magnitude(workbook::oracle::matmul(xt::abs(x), xt::abs(layer.w_v)));
}

bool agree(const Matrix& actual, const Matrix& expected, double term_size) {
  return workbook::close(actual, expected, workbook::tolerance::float_sums(term_size)).status == workbook::Status::pass;
}

// Two inputs for the implementation checks. The first: 7 Gaussian tokens through a random layer. The second
// is built so that a careless softmax fails and a careful one in float does not: W_q = W_k = I (d_model =
// d_k = 3) and tokens of different lengths along the axes, so every score is 0 or +-|x_i|^2 / sqrt(3), up to
// 924: exp overflows unless the row maximum is subtracted. Token 1 repeats token 0 (a tie: weights 1/2, 1/2)
// and token 2 is zero (a row of equal scores: weights 1/7). Every other gap between scores in a row is at
// least 360, so float rounding of the scores (~6e-5 absolute) cannot move a weight visibly.
struct Input {
  Layer layer;
  Matrix x;
};

std::vector<Input> test_inputs(std::mt19937_64& rng) {
  Input gaussian{random_layer(5, 3, 4, rng), {}};
  gaussian.x = gaussian_matrix(7, 5, rng, 2.0);
  const Matrix identity = xt::eye<double>(3);
  const Input hard{{identity, identity, gaussian_matrix(3, 4, rng)},
                   Matrix{{40, 0, 0}, {40, 0, 0}, {0, 0, 0}, {0, 40, 0}, {-40, 0, 0}, {0, 0, 25}, {0, -30, 0}}};
  return {gaussian, hard};
}

// The student's function against the oracle on every test input, the first disagreement reported.
template <class Student, class Oracle, class TermSize>
workbook::CheckResult against_oracle(const Context& ctx, const std::string& stream, Student student, Oracle oracle,
                                     TermSize term_size) {
  auto rng = ctx.rng(stream);
  workbook::CheckResult result;
  for (const auto& in : test_inputs(rng)) {
    result = workbook::close(student(in.x, in.layer), oracle(in.x, in.layer), workbook::tolerance::float_sums(term_size(in.x, in.layer)));
    if (result.status != workbook::Status::pass) return result;
  }
  return result;
}

// A random case for the properties: sizes, layer, tokens and permutation all drawn by RapidCheck.
struct Case {
  Layer layer;
  Matrix x;
  Permutation sigma;
};

Case random_case() {
  const auto n = *rc::gen::inRange<std::size_t>(1, 13);
  const auto d_model = *rc::gen::inRange<std::size_t>(1, 11);
  const auto d_k = *rc::gen::inRange<std::size_t>(1, 9);
  const auto d_v = *rc::gen::inRange<std::size_t>(1, 9);
  auto rng = workbook::oracle::property_rng();
  auto layer = random_layer(d_model, d_k, d_v, rng);
  auto x = gaussian_matrix(n, d_model, rng, 2.0);
  return {std::move(layer), std::move(x), workbook::oracle::random_permutation(n, rng)};
}

Matrix student_output(const Matrix& x, const Layer& layer) {
  return topic10_1_1::self_attention(x, layer.w_q, layer.w_k, layer.w_v);
}
Matrix student_weights(const Matrix& x, const Layer& layer) {
  return topic10_1_1::attention_weights(x, layer.w_q, layer.w_k);
}

// max |Attn(P X + E) - P Attn(X + E)| for a layer, 6 tokens, a Gaussian table E and a cyclic shift P.
template <class Attention>
double positional_gap(const Context& ctx, Attention attention) {
  auto rng = ctx.rng("d-positions");
  const auto layer = random_layer(8, 4, 4, rng);
  const auto x = gaussian_matrix(6, 8, rng, 2.0), e = gaussian_matrix(6, 8, rng, 2.0);
  const Permutation shift = {1, 2, 3, 4, 5, 0};
  const Matrix px_plus_e = permute_rows(x, shift) + e, x_plus_e = x + e;
  return workbook::oracle::max_abs_difference(attention(px_plus_e, layer),
                                              permute_rows(attention(x_plus_e, layer), shift));
}

// ---- the parts -------------------------------------------------------------------------------------------
void part_a(workbook::Exercise& ex) {
  auto& a = ex.part("a", 1, "Implement attention_weights and self_attention.");
  a.check("weights", CheckKind::close,
          "A for 7 tokens against a plain-loop row softmax, on Gaussian tokens (d_model 5, d_k 3) and on tokens "
          "of different lengths with scores of several hundred, a repeated token and a zero token",
          [](const Context& ctx) { return against_oracle(ctx, "a-weights", student_weights, oracle_weights, term_size_weights); });
  a.check("output", CheckKind::close, "Attn(X) for the same kinds of input (d_v 4) against plain-loop attention",
          [](const Context& ctx) { return against_oracle(ctx, "a-output", student_output, oracle_output, term_size_output); });
}

void part_b(workbook::Exercise& ex) {
  auto& b = ex.part("b", 2, "Prove Attn(P X) = P Attn(X) for every permutation P.");
  b.check("any permutation", CheckKind::property,
          "for random n in 1..12, d_model in 1..10, d_k and d_v in 1..8, Gaussian weights and tokens and a random "
          "permutation, your Attn(P X) against your P Attn(X), to float rounding",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("b-property"), [] {
              const auto c = random_case();
              RC_ASSERT(agree(student_output(permute_rows(c.x, c.sigma), c.layer),
                              permute_rows(student_output(c.x, c.layer), c.sigma), term_size_output(c.x, c.layer)));
            });
          });
  b.hint("Write Q, K and V of the permuted input in terms of P, Q, K and V, then use P^T P = I.");
}

void part_c(workbook::Exercise& ex) {
  auto& c = ex.part("c", 1, "Show the step the proof rests on: the weights of the permuted input are "
                            "A'_ij = A_sigma(i) sigma(j), that is A' = P A P^T.");
  c.check("weights permuted", CheckKind::property,
          "for random sizes, weights, tokens and permutations, your attention_weights(P X) against P A P^T "
          "(entry (i, j) taken from A_sigma(i) sigma(j)) built from your A, to float rounding",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("c-property"), [] {
              const auto c = random_case();
              RC_ASSERT(agree(student_weights(permute_rows(c.x, c.sigma), c.layer),
                              workbook::oracle::permute_both(student_weights(c.x, c.layer), c.sigma), 1.0));
            });
          });
  c.hint("A softmax applied to a reordered vector returns the reordered softmax.");
}

void part_d(workbook::Exercise& ex) {
  auto& d1 = ex.part("d1", 1, "Add a fixed positional table E to the tokens. With your layer, compute "
                              "Attn(P X + E) and P Attn(X + E) for 6 tokens and a cyclic shift P.");
  d1.check("with positions", CheckKind::close,
           "6 tokens, a Gaussian table E (6 x 8) and a cyclic shift: max |Attn(P X + E) - P Attn(X + E)| from "
           "your layer against the same gap from the plain-loop layer",
           [](const Context& ctx) {
             // the gap (about 4) is a difference of outputs of order ten, each good to ~1e-6 in float
             return workbook::close(positional_gap(ctx, student_output), positional_gap(ctx, oracle_output),
                                    workbook::Tolerance{1e-5, 1e-5});
           });

  ex.part("d2", 1, "Why does the claim need 'without positional embeddings'? Say whether Attn(P X + E) = "
                   "P Attn(X + E) still holds, and why.")
      .choice_answer("d_holds", "does the identity hold with positional embeddings added?", {"yes", "no"}, "no")
      .manual();
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "Self-attention commutes with permutations of the tokens";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(Self-attention with no positional information: for tokens X (n x d_model, one per row),
A = softmax((X W_q)(X W_k)^T / sqrt(d_k)) row by row and Attn(X) = A X W_v. Let sigma be a permutation of the
n positions and P its matrix, (P X)_i = X_sigma(i). Prove that Attn(P X) = P Attn(X): shuffling the input
tokens shuffles the output rows the same way and changes nothing else. Implement the layer (float or double
inside; the checks allow float rounding); the run checks the identity, and the step the proof rests on, over
random sizes, weights, tokens and permutations.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
