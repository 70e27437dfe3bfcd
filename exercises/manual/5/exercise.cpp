// manual/5: concatenating the heads and multiplying by W_o equals summing each head times its block of
// rows of W_o (block matrix multiplication). Both forms are checked against a plain loop that reads the
// definition of the concatenated product index by index, and against each other, on random sizes.

#include "manual/5/interface.hpp"

#include "workbook/oracle_matrix.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;

struct Heads {
  std::vector<Matrix> outputs;  // H matrices, N x d_head
  Matrix w_o;                   // (H d_head) x D
};

// Y(n, j) = sum over heads h and columns c of H_h(n, c) W_o(h d_head + c, j): column c of head h sits in
// column h d_head + c of the concatenation, which meets row h d_head + c of W_o.
Matrix projection_oracle(const Heads& in) {
  const std::size_t n = in.outputs.front().size(), d_head = in.outputs.front().front().size();
  const std::size_t d = in.w_o.front().size();
  Matrix y(n, workbook::oracle::Vector(d, 0.0));
  for (std::size_t h = 0; h < in.outputs.size(); ++h)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < d_head; ++c)
        for (std::size_t j = 0; j < d; ++j) y[i][j] += in.outputs[h][i][c] * in.w_o[h * d_head + c][j];
  return y;
}

Heads random_heads(std::size_t n, std::size_t heads, std::size_t d_head, std::size_t d, std::mt19937_64& rng) {
  Heads in;
  for (std::size_t h = 0; h < heads; ++h) in.outputs.push_back(workbook::oracle::gaussian_rows(n, d_head, rng));
  in.w_o = workbook::oracle::gaussian_rows(heads * d_head, d, rng);
  return in;
}

std::vector<xt::xtensor<double, 2>> as_tensors(const std::vector<Matrix>& heads) {
  std::vector<xt::xtensor<double, 2>> out;
  for (const auto& h : heads) out.push_back(workbook::oracle::to_tensor(h));
  return out;
}

// The two forms add the same products in a different order.
const workbook::Tolerance reordering{1e-10, 1e-12};

using Form = xt::xtensor<double, 2> (*)(const std::vector<xt::xtensor<double, 2>>&, const xt::xtensor<double, 2>&);

workbook::CheckResult form_matches_oracle(Form form, const Context& ctx, const std::string& stream) {
  auto rng = ctx.rng(stream);
  const auto in = random_heads(4, 3, 2, 5, rng);  // N = 4, H = 3, d_head = 2, D = 5
  return workbook::close(form(as_tensors(in.outputs), workbook::oracle::to_tensor(in.w_o)),
                         workbook::oracle::to_array(projection_oracle(in)), reordering);
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Multi-head output projection as a sum over heads";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement =
      "Multi-head attention produces H head outputs H_1, ..., H_H, each N x d_head (tokens as rows), places "
      "them side by side into an N x (H d_head) matrix and multiplies by the output projection W_o, of "
      "size (H d_head) x D. Cut W_o horizontally into H blocks W_o^(h) of d_head consecutive rows each. "
      "Show that the concatenated product equals sum_h H_h W_o^(h), so that the concatenation never has to "
      "be formed, and implement both forms.";

  ex.part("a", 2, "Implement concat_then_project.")
      .check("example", CheckKind::close, "Y for N = 4, H = 3, d_head = 2, D = 5 with Gaussian inputs against "
             "the plain loop over heads, head columns and rows of W_o",
             [](const Context& ctx) { return form_matches_oracle(&manual_5::concat_then_project, ctx, "a"); })
      .hint("Fill columns h d_head .. (h + 1) d_head - 1 of an N x (H d_head) matrix with head h, then one dot.");
  ex.part("b", 2, "Implement sum_of_head_projections, without building the concatenation.")
      .check("example", CheckKind::close, "Y for N = 4, H = 3, d_head = 2, D = 5 with Gaussian inputs against "
             "the same plain loop",
             [](const Context& ctx) { return form_matches_oracle(&manual_5::sum_of_head_projections, ctx, "b"); })
      .hint("Head h's block starts at row h * d_head, not at row h.");

  ex.part("c", 2, "Show that the two forms are equal for every size.")
      .check("both equal", CheckKind::property,
             "for random 1 <= N, H, d_head <= 6 and 1 <= D <= 8 with Gaussian inputs, both forms match the "
             "plain-loop oracle and each other within 1e-10 relative",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_head = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 9);
                 auto rng = workbook::oracle::property_rng();
                 const auto in = random_heads(n, heads, d_head, d, rng);
                 const auto outputs = as_tensors(in.outputs);
                 const auto w_o = workbook::oracle::to_tensor(in.w_o);
                 const auto joined = manual_5::concat_then_project(outputs, w_o);
                 const auto summed = manual_5::sum_of_head_projections(outputs, w_o);
                 const auto expected = projection_oracle(in);
                 RC_ASSERT(workbook::oracle::all_close(joined, expected, reordering));
                 RC_ASSERT(workbook::oracle::all_close(summed, expected, reordering));
                 RC_ASSERT(workbook::oracle::all_close(summed, workbook::oracle::to_matrix(joined), reordering));
               });
             })
      .manual(1);

  ex.part("d", 1, "In a layer with H = 8 heads, d_head = 64 and D = 512, which rows of W_o make up W_o^(3)? "
                  "Count heads and rows from 1 here.")
      .integer_answer("d_first", "first row of W_o^(3)", 2 * 64 + 1)
      .integer_answer("d_last", "last row of W_o^(3)", 3 * 64)
      .integer_answer("d_columns", "number of columns of W_o^(3)", 512);
}
