// Wrong on purpose: the position vector is put first, [e; x], and the split follows the same order
// (W_e = the first D_e columns). The two functions agree with each other, but not with W [x; e].

#include "manual/9/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/9", {"a/concat", "a/blocks", "b/any sizes", "d/counterexample"}};

namespace manual_9 {

xt::xtensor<double, 1> linear_of_concat(const xt::xtensor<double, 2>& w, const xt::xtensor<double, 1>& x,
                                        const xt::xtensor<double, 1>& e) {
  const xt::xtensor<double, 1> joined = xt::concatenate(xt::xtuple(e, x));
  return xt::linalg::dot(w, joined);
}

xt::xtensor<double, 1> sum_of_blocks(const xt::xtensor<double, 2>& w, const xt::xtensor<double, 1>& x,
                                     const xt::xtensor<double, 1>& e) {
  const xt::xtensor<double, 2> w_e = xt::view(w, xt::all(), xt::range(0, e.size()));
  const xt::xtensor<double, 2> w_x = xt::view(w, xt::all(), xt::range(e.size(), w.shape(1)));
  const xt::xtensor<double, 1> from_x = xt::linalg::dot(w_x, x);
  const xt::xtensor<double, 1> from_e = xt::linalg::dot(w_e, e);
  return from_x + from_e;
}

}  // namespace manual_9
