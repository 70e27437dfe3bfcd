// manual/9: a linear map of a concatenation splits into a sum, W [x; e] = W_x x + W_e e. The oracle is
// the entry-by-entry sum over the columns of W; the identity is a property over random sizes (D_x and
// D_e differ in general, so a split at the wrong column shows).

#include "manual/9/interface.hpp"

#include "workbook/oracle_tokens.hpp"

namespace {

using workbook::Context;

// Both sides are the same sums of products in a different order.
const workbook::Tolerance rounding{1e-10, 1e-12};

// y_i = sum_{j < D_x} W_ij x_j + sum_{j < D_e} W_i,(D_x + j) e_j, one entry at a time.
xt::xarray<double> concat_oracle(const xt::xtensor<double, 2>& w, const xt::xtensor<double, 1>& x,
                                 const xt::xtensor<double, 1>& e) {
  workbook::oracle::Vector y(w.shape(0), 0.0);
  for (std::size_t i = 0; i < w.shape(0); ++i) {
    for (std::size_t j = 0; j < x.size(); ++j) y[i] += w(i, j) * x(j);
    for (std::size_t j = 0; j < e.size(); ++j) y[i] += w(i, x.size() + j) * e(j);
  }
  return workbook::oracle::to_array(y);
}

struct Inputs {
  xt::xtensor<double, 2> w;
  xt::xtensor<double, 1> x, e;
};

Inputs random_inputs(std::size_t d_out, std::size_t d_x, std::size_t d_e, std::mt19937_64& rng) {
  return {workbook::oracle::gaussian_matrix(d_out, d_x + d_e, rng), workbook::oracle::gaussian_vector(d_x, rng),
          workbook::oracle::gaussian_vector(d_e, rng)};
}

bool passes(const workbook::CheckResult& result) { return result.status == workbook::Status::pass; }

// The numbers of part (c): token and position vectors of width 512, output width 512, no bias.
constexpr std::int64_t width = 512;

}  // namespace

WORKBOOK_EXERCISE {
  using workbook::CheckKind;
  ex.title = "A linear layer on a concatenation is a sum of two layers";
  ex.tags = {workbook::Tag::implementation, workbook::Tag::proof, workbook::Tag::numeric, workbook::Tag::conceptual};
  ex.statement =
      "A token vector x (length D_x) and a position vector e (length D_e) can be combined by stacking them, "
      "[x; e] of length D_x + D_e, and feeding the stack to a linear map W of size D_out x (D_x + D_e). Cut W "
      "after column D_x into W_x (D_out x D_x) and W_e (D_out x D_e). Show that W [x; e] = W_x x + W_e e, "
      "implement both sides, and compare stacking with the transformer's choice, "
      "adding e to x (which needs D_e = D_x). Count parameters without biases.";

  auto& a = ex.part("a", 2, "Implement linear_of_concat and sum_of_blocks.");
  a.check("concat", CheckKind::close, "linear_of_concat for D_out = 4, D_x = 3, D_e = 5 against the entry-by-entry sum",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-concat");
            const auto in = random_inputs(4, 3, 5, rng);
            return workbook::close(manual_9::linear_of_concat(in.w, in.x, in.e), concat_oracle(in.w, in.x, in.e), rounding);
          });
  a.check("blocks", CheckKind::close, "sum_of_blocks for D_out = 4, D_x = 3, D_e = 5 against the entry-by-entry sum",
          [](const Context& ctx) {
            auto rng = ctx.rng("a-blocks");
            const auto in = random_inputs(4, 3, 5, rng);
            return workbook::close(manual_9::sum_of_blocks(in.w, in.x, in.e), concat_oracle(in.w, in.x, in.e), rounding);
          });
  a.hint("W_x is columns 0 .. D_x - 1 of W; W_e starts at column D_x, whatever D_e is.");

  ex.part("b", 2, "Show W [x; e] = W_x x + W_e e for all sizes and inputs.")
      .check("any sizes", CheckKind::property,
             "for random D_out, D_x, D_e in 1..16 and Gaussian W, x, e, linear_of_concat and sum_of_blocks agree "
             "with each other and with the entry-by-entry sum within 1e-10 relative",
             [](const Context& ctx) {
               return workbook::property(ctx.seed_for("b-property"), [] {
                 const auto d_out = *rc::gen::inRange<std::size_t>(1, 17);
                 const auto d_x = *rc::gen::inRange<std::size_t>(1, 17);
                 const auto d_e = *rc::gen::inRange<std::size_t>(1, 17);
                 std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
                 const auto in = random_inputs(d_out, d_x, d_e, rng);
                 const auto concat = manual_9::linear_of_concat(in.w, in.x, in.e);
                 const auto blocks = manual_9::sum_of_blocks(in.w, in.x, in.e);
                 const auto oracle = concat_oracle(in.w, in.x, in.e);
                 RC_ASSERT(passes(workbook::close(concat, oracle, rounding)));
                 RC_ASSERT(passes(workbook::close(blocks, oracle, rounding)));
                 RC_ASSERT(passes(workbook::close(blocks, concat, rounding)));
               });
             })
      .hint("Write entry i of W [x; e] as one sum over the columns of W and split it where x ends.");

  ex.part("c", 2, "Take D_x = D_e = D_out = 512. How many weights does the linear map have when it reads the "
                  "stacked [x; e], and how many when it reads the sum x + e? Which is smaller?")
      .integer_answer("c_concat", "weights of the map on [x; e]", width * 2 * width, "weights")
      .integer_answer("c_add", "weights of the map on x + e", width * width, "weights")
      .choice_answer("c_fewer", "which uses fewer weights", {"stacking", "adding"}, "adding");

  auto& d = ex.part("d", 2, "Is adding as good as stacking? Show that adding is a special case of stacking, and "
                            "decide whether every stacked map can be written as a map of x + e.");
  d.choice_answer("d_every", "can every (x, e) -> W [x; e] be written as (x, e) -> W'(x + e)?", {"yes", "no"}, "no");
  d.check("tied", CheckKind::property,
          "for random sizes and V (D_out x D), sum_of_blocks with W = [V | V] equals V(x + e), computed entry by "
          "entry, within 1e-10 relative: adding is stacking with tied blocks",
          [](const Context& ctx) {
            return workbook::property(ctx.seed_for("d-tied"), [] {
              const auto d_out = *rc::gen::inRange<std::size_t>(1, 17);
              const auto d = *rc::gen::inRange<std::size_t>(1, 17);
              std::mt19937_64 rng(*rc::gen::arbitrary<std::uint64_t>());
              const auto v = workbook::oracle::gaussian_matrix(d_out, d, rng);
              const auto x = workbook::oracle::gaussian_vector(d, rng), e = workbook::oracle::gaussian_vector(d, rng);
              xt::xtensor<double, 2> tied = xt::xtensor<double, 2>::from_shape({d_out, 2 * d});
              workbook::oracle::Vector added(d_out, 0.0);
              for (std::size_t i = 0; i < d_out; ++i)
                for (std::size_t j = 0; j < d; ++j) {
                  tied(i, j) = tied(i, d + j) = v(i, j);
                  added[i] += v(i, j) * (x(j) + e(j));
                }
              RC_ASSERT(passes(workbook::close(manual_9::sum_of_blocks(tied, x, e), workbook::oracle::to_array(added),
                                               rounding)));
            });
          });
  d.check("counterexample", CheckKind::close,
          "with W = [I | 0] (D = 3), linear_of_concat sends (x, e) = (u, 0) to u and (0, u) to 0: the same "
          "x + e, two different outputs, so no map of x + e reproduces W",
          [](const Context& ctx) {
            auto rng = ctx.rng("d-counterexample");
            const auto u = workbook::oracle::gaussian_vector(3, rng);
            const xt::xtensor<double, 1> zero = xt::zeros<double>({3});
            xt::xtensor<double, 2> keep_x = xt::zeros<double>({3, 6});
            for (std::size_t i = 0; i < 3; ++i) keep_x(i, i) = 1;
            const auto first = manual_9::linear_of_concat(keep_x, u, zero);
            const auto second = manual_9::linear_of_concat(keep_x, zero, u);
            xt::xarray<double> got = xt::zeros<double>({2, 3}), want = got;
            for (std::size_t i = 0; i < 3; ++i) {
              got(0, i) = first(i);
              got(1, i) = second(i);
              want(0, i) = u(i);  // want(1, i) stays 0
            }
            return workbook::close(got, want, rounding);
          });
  d.manual();
}
