// manual/9: a linear map of a concatenation splits into a sum, W [x; e] = W_x x + W_e e. The oracle is the
// entry-by-entry sum over the columns of W; the identity is a property over random sizes (D_x and D_e differ
// in general, so a split at the wrong column shows) with x and e of very different sizes (so swapping them
// shows). Adding is stacking with tied blocks; the converse fails, shown on W = [I | 0].

#include "manual/9/interface.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "workbook/oracle/matrix.hpp"
#include "workbook/oracle/random.hpp"
#include "workbook/tolerances.hpp"

namespace {

using workbook::Context;
using workbook::oracle::Matrix;
using workbook::oracle::Vector;

bool passes(const workbook::CheckResult& result) { return result.status == workbook::Status::pass; }

// y_i = sum_{j < D_x} W_ij x_j + sum_{j < D_e} W_i,(D_x + j) e_j, one entry at a time.
Vector concat_oracle(const Matrix& w, const Vector& x, const Vector& e) {
  Vector y = xt::zeros<double>({w.shape(0)});
  for (std::size_t i = 0; i < w.shape(0); ++i) {
    for (std::size_t j = 0; j < x.size(); ++j) y(i) += w(i, j) * x(j);
    for (std::size_t j = 0; j < e.size(); ++j) y(i) += w(i, x.size() + j) * e(j);
  }
  return y;
}

// The largest sum of |terms| in W [x; e]: the scale of its float rounding.
double term_scale(const Matrix& w, const Vector& x, const Vector& e) {
  return workbook::tolerance::largest_magnitude(concat_oracle(xt::abs(w), xt::abs(x), xt::abs(e)));
}

workbook::CheckResult against(const Vector& actual, const Vector& expected, double scale) {
  const xt::xarray<double> want = expected;
  return workbook::close(actual, want, workbook::tolerance::float_sums(scale));
}

struct Inputs {
  Matrix w;
  Vector x, e;
};

// Gaussian W, x and e, with e a factor 10^u larger than x (u uniform in [-2, 2]) and, where x has two
// entries or more, x_0 exactly 0: a map that swaps x and e, or drops an entry, cannot pass by luck.
Inputs random_inputs(std::size_t d_out, std::size_t d_x, std::size_t d_e, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> exponent(-2, 2);
  Inputs in{workbook::oracle::gaussian_matrix(d_out, d_x + d_e, rng), workbook::oracle::gaussian_vector(d_x, rng),
            workbook::oracle::gaussian_vector(d_e, rng, std::pow(10.0, exponent(rng)))};
  if (d_x >= 2) in.x(0) = 0;
  return in;
}

// The numbers of part (c): token and position vectors of width 512, output width 512, no bias.
constexpr std::int64_t width = 512;

void part_a(workbook::Exercise& ex) {
  using workbook::CheckKind;
  auto& a = ex.part("a", 2, "Implement linear_of_concat and sum_of_blocks.");
  a.check("concat", CheckKind::close,
          "linear_of_concat for D_out = 4, D_x = 3, D_e = 5 (one entry of x exactly 0, e and x of different "
          "sizes) against the entry-by-entry sum over the columns of W",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-concat");
            const auto in = random_inputs(4, 3, 5, rng);
            return against(manual_9::linear_of_concat(in.w, in.x, in.e), concat_oracle(in.w, in.x, in.e),
                           term_scale(in.w, in.x, in.e));
          });
  a.check("blocks", CheckKind::close,
          "sum_of_blocks for D_out = 4, D_x = 3, D_e = 5 (inputs as for concat) against the entry-by-entry sum "
          "over the columns of W",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-blocks");
            const auto in = random_inputs(4, 3, 5, rng);
            return against(manual_9::sum_of_blocks(in.w, in.x, in.e), concat_oracle(in.w, in.x, in.e),
                           term_scale(in.w, in.x, in.e));
          });
  a.hint("W_x is columns 0 .. D_x - 1 of W; W_e starts at column D_x, whatever D_e is.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, "Show W [x; e] = W_x x + W_e e for all sizes and inputs.")
      .check("any sizes", workbook::CheckKind::property,
             "for random D_out, D_x, D_e in 1..16 and Gaussian W, x, e (e and x of different sizes): "
             "linear_of_concat and sum_of_blocks against the entry-by-entry sum and against each other, within "
             "float rounding of the terms summed",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto d_out = *rc::gen::inRange<std::size_t>(1, 17);
                 const auto d_x = *rc::gen::inRange<std::size_t>(1, 17);
                 const auto d_e = *rc::gen::inRange<std::size_t>(1, 17);
                 auto rng = workbook::oracle::property_rng();
                 const auto in = random_inputs(d_out, d_x, d_e, rng);
                 const Vector concat = manual_9::linear_of_concat(in.w, in.x, in.e);
                 const Vector blocks = manual_9::sum_of_blocks(in.w, in.x, in.e);
                 const auto oracle = concat_oracle(in.w, in.x, in.e);
                 const double scale = term_scale(in.w, in.x, in.e);
                 RC_ASSERT(passes(against(concat, oracle, scale)));
                 RC_ASSERT(passes(against(blocks, oracle, scale)));
                 RC_ASSERT(passes(against(blocks, concat, scale)));
               });
             })
      .hint("Write entry i of W [x; e] as one sum over the columns of W and split it where x ends.");
}

// W = [V | V] for random sizes: sum_of_blocks against V (x + e), entry by entry.
workbook::CheckResult tied_check(const Context& ctx) {
  return workbook::property(ctx.seed_for("d-tied"), [] {
    const auto d_out = *rc::gen::inRange<std::size_t>(1, 17);
    const auto d = *rc::gen::inRange<std::size_t>(1, 17);
    auto rng = workbook::oracle::property_rng();
    const auto in = random_inputs(d_out, d, d, rng);
    const Matrix v = xt::view(in.w, xt::all(), xt::range(0, d));
    const Matrix tied = xt::concatenate(xt::xtuple(v, v), 1);
    const Vector added = in.x + in.e;
    RC_ASSERT(passes(against(manual_9::sum_of_blocks(tied, in.x, in.e), concat_oracle(v, added, Vector{}),
                             term_scale(tied, in.x, in.e))));
  });
}

// W = [I | 0] (D = 3) at (x, e) = (u, 0) and (0, u): the two outputs, row by row, against the oracle's.
workbook::CheckResult keep_x_check(const Context& ctx) {
  auto rng = ctx.rng("d-counterexample");
  const Vector u = workbook::oracle::gaussian_vector(3, rng);
  const Vector zero = xt::zeros<double>({3});
  const Matrix keep_x = xt::concatenate(xt::xtuple(xt::eye<double>(3), xt::zeros<double>({3, 3})), 1);
  Matrix got = Matrix::from_shape({2, 3}), want = got;
  xt::row(got, 0) = manual_9::linear_of_concat(keep_x, u, zero);
  xt::row(got, 1) = manual_9::linear_of_concat(keep_x, zero, u);
  xt::row(want, 0) = concat_oracle(keep_x, u, zero);
  xt::row(want, 1) = concat_oracle(keep_x, zero, u);
  const xt::xarray<double> expected = want;
  return workbook::close(got, expected, workbook::tolerance::float_sums(term_scale(keep_x, u, u)));
}

void part_d(workbook::Exercise& ex) {
  using workbook::CheckKind;
  ex.part("d1", 2, "Show that adding is a special case of stacking: with W = [V | V], W [x; e] = V (x + e). "
                   "Then run linear_of_concat with W = [I | 0] on (x, e) = (u, 0) and on (0, u).")
      .check("tied", CheckKind::property,
             "for random sizes and V (D_out x D): sum_of_blocks with W = [V | V] against V (x + e) computed "
             "entry by entry, within float rounding of the terms summed",
             tied_check)
      .check("counterexample", CheckKind::close,
             "with W = [I | 0] (D = 3): linear_of_concat at (x, e) = (u, 0) and at (0, u) against the "
             "entry-by-entry sums",
             keep_x_check);
  ex.part("d2", 1, "Is adding as good as stacking? Decide whether every stacked map can be written as a map of "
                   "x + e, and explain what adding gains and what it gives up.")
      .choice_answer("d_every", "can every (x, e) -> W [x; e] be written as (x, e) -> W'(x + e)?", {"yes", "no"},
                     "no")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "A linear layer on a concatenation is a sum of two layers";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement = R"(A token vector x (length D_x) and a position vector e (length D_e) can be combined by stacking them, [x; e] of length D_x + D_e, and feeding the stack to a linear map W of size D_out x (D_x + D_e). Cut W after column D_x into W_x (D_out x D_x) and W_e (D_out x D_e). Show that W [x; e] = W_x x + W_e e, implement both sides, and compare stacking with the transformer's choice, adding e to x (which needs D_e = D_x). Count parameters without biases. Float arithmetic is accurate enough for the checks.)";
  part_a(ex);
  part_b(ex);
  ex.part("c", 2, "Take D_x = D_e = D_out = 512. How many weights does the linear map have when it reads the "
                  "stacked [x; e], and how many when it reads the sum x + e?")
      .integer_answer("c_concat", "weights of the map on [x; e]", width * 2 * width, "weights")
      .integer_answer("c_add", "weights of the map on x + e", width * width, "weights");
  part_d(ex);
}
