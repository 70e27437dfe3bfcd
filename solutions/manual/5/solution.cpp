// Reference solution for manual/5.

#include "manual/5/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

namespace manual_5 {

xt::xtensor<double, 2> concat_then_project(const std::vector<xt::xtensor<double, 2>>& heads,
                                           const xt::xtensor<double, 2>& w_o) {
  const std::size_t n = heads.front().shape(0), d_head = heads.front().shape(1);
  xt::xtensor<double, 2> joined = xt::xtensor<double, 2>::from_shape({n, heads.size() * d_head});  // N x H d_head
  for (std::size_t h = 0; h < heads.size(); ++h)
    xt::view(joined, xt::all(), xt::range(h * d_head, (h + 1) * d_head)) = heads[h];
  return xt::linalg::dot(joined, w_o);
}

xt::xtensor<double, 2> sum_of_head_projections(const std::vector<xt::xtensor<double, 2>>& heads,
                                               const xt::xtensor<double, 2>& w_o) {
  const std::size_t n = heads.front().shape(0), d_head = heads.front().shape(1);
  xt::xtensor<double, 2> y = xt::zeros<double>({n, w_o.shape(1)});  // N x D
  for (std::size_t h = 0; h < heads.size(); ++h) {
    const xt::xtensor<double, 2> block = xt::view(w_o, xt::range(h * d_head, (h + 1) * d_head), xt::all());
    y += xt::linalg::dot(heads[h], block);
  }
  return y;
}

}  // namespace manual_5
