// Wrong on purpose: the sum form takes head h's block of W_o from row h instead of row h * d_head, so the
// blocks overlap. Right when H = 1 or d_head = 1, wrong otherwise. The concatenated form is correct.

#include "manual/5/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/5", {"b/example", "c/both equal"}};

namespace manual_5 {

xt::xtensor<double, 2> concat_then_project(const std::vector<xt::xtensor<double, 2>>& heads,
                                           const xt::xtensor<double, 2>& w_o) {
  const std::size_t n = heads.front().shape(0), d_head = heads.front().shape(1);
  xt::xtensor<double, 2> joined = xt::xtensor<double, 2>::from_shape({n, heads.size() * d_head});
  for (std::size_t h = 0; h < heads.size(); ++h)
    xt::view(joined, xt::all(), xt::range(h * d_head, (h + 1) * d_head)) = heads[h];
  return xt::linalg::dot(joined, w_o);
}

xt::xtensor<double, 2> sum_of_head_projections(const std::vector<xt::xtensor<double, 2>>& heads,
                                               const xt::xtensor<double, 2>& w_o) {
  const std::size_t n = heads.front().shape(0), d_head = heads.front().shape(1);
  xt::xtensor<double, 2> y = xt::zeros<double>({n, w_o.shape(1)});
  for (std::size_t h = 0; h < heads.size(); ++h) {
    const xt::xtensor<double, 2> block = xt::view(w_o, xt::range(h, h + d_head), xt::all());  // should be h * d_head
    y += xt::linalg::dot(heads[h], block);
  }
  return y;
}

}  // namespace manual_5
