// Reference solution for manual/6.

#include "manual/6/interface.hpp"

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

namespace manual_6 {

xt::xtensor<double, 2> dense_equivalent(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& w_v) {
  const std::size_t n = a.shape(0), d = w_v.shape(0);
  const xt::xtensor<double, 2> w_t = xt::transpose(w_v);
  xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({n * d, n * d});  // N D x N D
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      xt::view(m, xt::range(i * d, (i + 1) * d), xt::range(j * d, (j + 1) * d)) = a(i, j) * w_t;
  return m;
}

}  // namespace manual_6
