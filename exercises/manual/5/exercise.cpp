// manual/5: concatenating the heads and multiplying by W_o equals summing each head times its block of rows of
// W_o (block matrix multiplication). Both forms are checked against a plain loop that reads the definition of the
// concatenated product index by index. The inputs have small integer entries (with exact zeros, ties and heads of
// different scales), so every product and sum is exact in float and in double: any summation order gives the
// oracle's numbers, and any mistake shows as a whole-number difference.

#include "manual/5/interface.hpp"

#include <random>
#include <string>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

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
  const std::size_t n = in.outputs.front().shape(0), d_head = in.outputs.front().shape(1), d = in.w_o.shape(1);
  Matrix y = xt::zeros<double>({n, d});
  for (std::size_t h = 0; h < in.outputs.size(); ++h)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < d_head; ++c)
        for (std::size_t j = 0; j < d; ++j) y(i, j) += in.outputs[h](i, c) * in.w_o(h * d_head + c, j);
  return y;
}

// Entries drawn from -4..4 (a ninth of them exact zeros, many repeated values), head h multiplied by 10^(h mod 3)
// so that the heads differ in scale. With N, H, d_head <= 6 every |Y| entry stays below 36 * 400 * 4, far inside
// the 2^24 up to which float holds integers exactly.
Heads integer_heads(std::size_t n, std::size_t heads, std::size_t d_head, std::size_t d, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> entry(-4, 4);
  Heads in;
  for (std::size_t h = 0; h < heads; ++h) {
    const double scale = h % 3 == 0 ? 1 : h % 3 == 1 ? 10 : 100;
    Matrix head = Matrix::from_shape({n, d_head});
    for (auto& v : head) v = scale * entry(rng);
    in.outputs.push_back(head);
  }
  in.w_o = Matrix::from_shape({heads * d_head, d});
  for (auto& v : in.w_o) v = entry(rng);
  return in;
}

using Form = xt::xtensor<double, 2> (*)(const std::vector<xt::xtensor<double, 2>>&, const xt::xtensor<double, 2>&);

// Integer inputs make every route exact; float_computation is the tolerance a float solution is promised.
workbook::CheckResult form_matches_oracle(Form form, const Heads& in) {
  return workbook::close(form(in.outputs, in.w_o), projection_oracle(in), workbook::tolerance::float_computation);
}

bool holds(Form form, const Heads& in) { return form_matches_oracle(form, in).status == workbook::Status::pass; }

// Part (b): only head h is nonzero, so Y must be H_h W_o^(h) alone and a block taken from the wrong rows shows up
// as a wrong Y for that head. N = 3, H = 4, d_head = 3, D = 5.
workbook::CheckResult one_head_at_a_time(const Context& ctx) {
  auto rng = ctx.rng("b-one-head");
  const auto full = integer_heads(3, 4, 3, 5, rng);
  for (std::size_t h = 0; h < full.outputs.size(); ++h) {
    Heads only = full;
    for (std::size_t other = 0; other < only.outputs.size(); ++other)
      if (other != h) only.outputs[other].fill(0.0);
    auto result = form_matches_oracle(&manual_5::sum_of_head_projections, only);
    if (result.status != workbook::Status::pass) {
      result.message = "with only head " + std::to_string(h + 1) + " (from 1) nonzero: " + result.message;
      return result;
    }
  }
  return form_matches_oracle(&manual_5::sum_of_head_projections, full);
}

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "Multi-head output projection as a sum over heads";
  ex.tags = {workbook::Tag::proof, workbook::Tag::implementation, workbook::Tag::numeric};
  ex.statement = R"(Multi-head attention produces H head outputs H_1, ..., H_H, each N x d_head (tokens as rows), places them side by side into an N x (H d_head) matrix and multiplies by the output projection W_o, of size (H d_head) x D. Cut W_o horizontally into H blocks W_o^(h) of d_head consecutive rows each. Show that the concatenated product equals sum_h H_h W_o^(h), so that the concatenation never has to be formed, and implement both forms. Your code may work in float or double.)";

  ex.part("a", 2, "Implement concat_then_project.")
      .check("example", CheckKind::close,
             "Y for N = 4, H = 3, d_head = 2, D = 5 with integer entries (exact zeros, ties, heads of scales 1, 10 "
             "and 100) against the plain loop over heads, head columns and rows of W_o",
             [](const Context& ctx) {
               auto rng = ctx.rng("a");
               return form_matches_oracle(&manual_5::concat_then_project, integer_heads(4, 3, 2, 5, rng));
             })
      .hint("Fill columns h d_head .. (h + 1) d_head - 1 of an N x (H d_head) matrix with head h, then one dot.");
  ex.part("b", 2, "Implement sum_of_head_projections, without building the concatenation.")
      .check("one head at a time", CheckKind::close,
             "for N = 3, H = 4, d_head = 3, D = 5 with integer entries: with every head but one set to zero, Y "
             "against the plain loop, for each head in turn, then with all heads",
             [](const Context& ctx) { return one_head_at_a_time(ctx); })
      .hint("Head h's block starts at row h * d_head, not at row h.");

  ex.part("c", 2, "Show that the two forms are equal for every size.")
      .check("both forms", CheckKind::property,
             "for random 1 <= N, H, d_head <= 6 and 1 <= D <= 8 with integer entries (heads of scales 1, 10 and "
             "100), both forms match the plain-loop oracle",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("c-property"), [] {
                 const auto n = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto heads = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d_head = *rc::gen::inRange<std::size_t>(1, 7);
                 const auto d = *rc::gen::inRange<std::size_t>(1, 9);
                 auto rng = workbook::oracle::property_rng();
                 const auto in = integer_heads(n, heads, d_head, d, rng);
                 RC_ASSERT(holds(&manual_5::concat_then_project, in));
                 RC_ASSERT(holds(&manual_5::sum_of_head_projections, in));
               });
             })
      .manual(1);

  ex.part("d", 1, "A layer has H = 8 heads of width d_head = 64, and its model width D is H d_head. Counting heads "
                  "and rows from 1, which rows of W_o make up W_o^(3), and how many columns does that block have?")
      .integer_answer("d_first", "first row of W_o^(3)", 2 * 64 + 1)
      .integer_answer("d_last", "last row of W_o^(3)", 3 * 64)
      .integer_answer("d_columns", "number of columns of W_o^(3)", 8 * 64);
}
