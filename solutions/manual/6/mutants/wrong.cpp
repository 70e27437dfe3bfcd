// Wrong on purpose: copies the seed's column-vector picture (blocks a_nm W_v) into the row convention
// of the interface without transposing W_v, so M x computes A X W_v^T instead of A X W_v.

#include "manual/6/interface.hpp"

#include <xtensor/xview.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/6", {"d/blocks", "d/Y = A X W_v"}};

namespace manual_6 {

xt::xtensor<double, 2> dense_equivalent(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& w_v) {
  const std::size_t n = a.shape(0), d = w_v.shape(0);
  xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({n * d, n * d});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      xt::view(m, xt::range(i * d, (i + 1) * d), xt::range(j * d, (j + 1) * d)) = a(i, j) * w_v;
  return m;
}

}  // namespace manual_6
