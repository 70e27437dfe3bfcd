// 10.4: the weights of multi-head attention, d_model = 512 and h = 8. The typed answers come from the
// closed forms d_k = d_model / h, per-head shapes (d_model, d_k), W^O of shape (h d_v, d_model), and the count
// 3 h d_model d_k + (h d_v) d_model = 4 d_model^2 (no biases), or 4 d_model^2 + 4 d_model with a bias on each
// of the four projections. Part (e) counts the parameters of the layer the student builds for six head counts
// and compares each count with 4 d_model^2. The forward pass is checked against plain-loop attention per head
// (workbook/oracle/attention.hpp), on weights drawn here, so that a layer of the right shapes must also be
// used as multi-head attention.
//
// Shapes are asked as symbolic choices: a typed (rows, columns) pair would repeat d_model, which the statement
// gives, and numeric options would show d_k. Their numbers are checked on the student's layer in (e1).

#include "ch10/10.4/interface.hpp"

#include <cmath>

#include <xtensor/xview.hpp>

#include "workbook/exercise.hpp"
#include "workbook/oracle/attention.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using workbook::oracle::Matrix;
constexpr std::size_t d_model = 512, heads = 8;
const std::vector<std::size_t> head_counts = {1, 2, 4, 8, 16, 512};

std::int64_t parameters_without_biases(std::int64_t d) { return 4 * d * d; }
std::int64_t parameters_with_biases(std::int64_t d) { return 4 * d * d + 4 * d; }

// ---- The oracle: each head by plain-loop attention, the heads side by side, then W^O ----

Matrix oracle_multi_head(const Matrix& x, const ch10_4::MultiHeadAttention& layer) {
  using workbook::oracle::matmul;
  const std::size_t h = layer.w_q.size(), d_k = layer.w_q.front().shape(1), d_v = layer.w_v.front().shape(1);
  Matrix joined = xt::zeros<double>({x.shape(0), h * d_v});
  for (std::size_t i = 0; i < h; ++i) {
    const Matrix head = workbook::oracle::attention(matmul(x, layer.w_q[i]), matmul(x, layer.w_k[i]),
                                                    matmul(x, layer.w_v[i]), 1 / std::sqrt(double(d_k)));
    for (std::size_t r = 0; r < x.shape(0); ++r)
      for (std::size_t c = 0; c < d_v; ++c) joined(r, i * d_v + c) = head(r, c);
  }
  return matmul(joined, layer.w_o);
}

// Weights drawn here: head i's query and key maps scaled by a factor of its own (0.3 to 2.4), so that heads
// attend with different sharpness and a wrong head order or scale shows.
ch10_4::MultiHeadAttention random_layer(std::size_t d, std::size_t h, std::mt19937_64& rng) {
  ch10_4::MultiHeadAttention layer;
  const std::size_t width = d / h;
  for (std::size_t i = 0; i < h; ++i) {
    const double sharpness = 0.3 + 0.7 * (i % 4);
    layer.w_q.push_back(workbook::oracle::gaussian_matrix(d, width, rng, sharpness / std::sqrt(double(d))));
    layer.w_k.push_back(workbook::oracle::gaussian_matrix(d, width, rng, sharpness / std::sqrt(double(d))));
    layer.w_v.push_back(workbook::oracle::gaussian_matrix(d, width, rng, 1 / std::sqrt(double(d))));
  }
  layer.w_o = workbook::oracle::gaussian_matrix(d, d, rng, 1 / std::sqrt(double(d)));
  return layer;
}

CheckResult forward_matches(const Context& ctx, std::size_t d, std::size_t h, std::size_t n) {
  auto rng = ctx.rng("e-forward-" + std::to_string(d) + "-" + std::to_string(h));
  const auto layer = random_layer(d, h, rng);
  Matrix x = workbook::oracle::gaussian_matrix(n, d, rng);
  for (std::size_t r = 0; r < n; ++r) xt::row(x, r) *= 0.2 + r;  // tokens of different norms
  return workbook::close(ch10_4::multi_head_attention(x, layer), oracle_multi_head(x, layer),
                         workbook::tolerance::float_computation);
}

// The student's layer for (d, h): every shape against (d, d/h) per head and (d, d) for W^O.
CheckResult shapes_match(std::size_t d, std::size_t h, std::mt19937_64& rng) {
  const auto layer = ch10_4::make_multi_head_attention(d, h, rng);
  std::vector<std::int64_t> got, want;
  auto add = [&](const xt::xtensor<double, 2>& m, std::size_t rows, std::size_t cols) {
    got.insert(got.end(), {std::int64_t(m.shape(0)), std::int64_t(m.shape(1))});
    want.insert(want.end(), {std::int64_t(rows), std::int64_t(cols)});
  };
  for (const auto* maps : {&layer.w_q, &layer.w_k, &layer.w_v}) {
    got.push_back(std::int64_t(maps->size()));
    want.push_back(std::int64_t(h));
    for (const auto& m : *maps) add(m, d, d / h);
  }
  add(layer.w_o, d, d);
  return workbook::equal(got, want);
}

std::int64_t parameter_count(const ch10_4::MultiHeadAttention& layer) {
  std::int64_t total = std::int64_t(layer.w_o.size());
  for (const auto* maps : {&layer.w_q, &layer.w_k, &layer.w_v})
    for (const auto& m : *maps) total += std::int64_t(m.size());
  return total;
}

void parts_a_to_d(workbook::Exercise& ex) {
  ex.part("a", 1, "What is the width d_k = d_v of one head?")
      .integer_answer("a", "d_k (= d_v) for d_model = 512 and h = 8", std::int64_t(d_model / heads));
  // Shapes as symbols: numbers would show d_k among the options of (b), which answers (a).
  const std::vector<std::string> head_shapes = {"d_model x d_k", "d_k x d_model", "d_model x d_model", "d_k x d_k"};
  ex.part("b", 1, R"(Give the shapes of W_i^Q, W_i^K and W_i^V for one head, as rows x columns with tokens as the rows
of X (in numbers, with (a)).)")
      .choice_answer("b_wq", "the shape of W_i^Q", head_shapes, "d_model x d_k")
      .choice_answer("b_wk", "the shape of W_i^K", head_shapes, "d_model x d_k")
      .choice_answer("b_wv", "the shape of W_i^V (d_v = d_k here)", head_shapes, "d_model x d_k");
  ex.part("c", 1, "Give the shape of the output projection W^O, rows x columns.")
      .choice_answer("c_wo", "the shape of W^O",
                     {"(h d_v) x d_model", "d_v x d_model", "d_model x d_v", "(h d_model) x d_model"}, "(h d_v) x d_model");
  ex.part("d", 1, R"(Count the parameters of the whole multi-head layer: first without biases, as the question
intends, then with a bias vector on each of the four projections (one per head for Q, K and V, one for W^O).)")
      .integer_answer("d", "parameters of the layer, biases not counted", parameters_without_biases(d_model))
      .integer_answer("d_with_biases", "parameters of the layer with a bias on every projection",
                      parameters_with_biases(d_model));
}

void part_e(workbook::Exercise& ex) {
  ex.part("e1", 2, R"(Implement make_multi_head_attention and multi_head_attention, so that the count in (e2)
is made on a layer that works.)")
      .check("shapes h=8", CheckKind::equal, "the number of matrices and every shape of your layer for d_model = 512, "
             "h = 8 against (d_model, d_model / h) per head and (d_model, d_model) for W^O",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-shapes");
               return shapes_match(d_model, heads, rng);
             })
      .check("shapes, other h", CheckKind::equal, "the same for d_model = 24 with h = 1, 2, 3, 4, 6, 8, 12 and 24",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-shapes-small");
               CheckResult r;
               for (std::size_t h : {1, 2, 3, 4, 6, 8, 12, 24})
                 if ((r = shapes_match(24, h, rng)).status != workbook::Status::pass) return r;
               return r;
             });
  for (std::size_t h : {1, 3, 4, 12})
    ex.parts.back().check("forward h=" + std::to_string(h), CheckKind::close,
                          "multi_head_attention on 5 tokens of different norms, d_model = 12, " + std::to_string(h) +
                              " head(s) with weights drawn by the check, against plain-loop attention per head",
                          [h](const Context& ctx) { return forward_matches(ctx, 12, h, 5); });
  ex.part("e2", 2, R"(A single head with d_k = 512 uses the same input and output width. Show that it has as many
parameters as the 8-head layer: count the parameters of the layer you build for d_model = 512 and
h = 1, 2, 4, 8, 16 and 512.)")
      .choice_answer("e_compare", "the single-head layer has ... parameters than the 8-head layer",
                     {"fewer", "the same number of", "more"}, "the same number of")
      .check("count for each h", CheckKind::equal, "the number of entries of all the matrices of your layer, for "
             "d_model = 512 and h = 1, 2, 4, 8, 16, 512, against 4 d_model^2 for each",
             [](const Context& ctx) {
               auto rng = ctx.rng("e-count");
               std::vector<std::int64_t> got, want;
               for (std::size_t h : head_counts) {
                 got.push_back(parameter_count(ch10_4::make_multi_head_attention(d_model, h, rng)));
                 want.push_back(parameters_without_biases(d_model));
               }
               return workbook::equal(got, want);
             })
      .hint("Write the count as h x (parameters of one head) + (parameters of W^O) and let d_k = d_model / h.");
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "The weights of multi-head attention";
  ex.stars = 1;
  ex.tags = {workbook::Tag::numeric, workbook::Tag::implementation, workbook::Tag::proof};
  ex.statement = R"(Take a multi-head attention layer with model width d_model = 512 and h = 8 heads, laid out as
usual: every head projects the tokens X (one token per row) to its own queries, keys and values with
Q_i = X W_i^Q, K_i = X W_i^K and V_i = X W_i^V, the heads' outputs are placed side by side, and W^O maps the
result back to width d_model. Unless a part says otherwise, the projections have no biases. Computing in float is
fine: the checks allow for float's rounding.)";
  parts_a_to_d(ex);
  part_e(ex);
}
