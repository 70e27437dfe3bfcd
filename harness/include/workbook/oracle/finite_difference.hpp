#pragma once
// Gradients by central differences, to check a backward pass against its forward pass.

#include <xtensor/xarray.hpp>

namespace workbook::oracle {

// (f(x + h e_i) - f(x - h e_i)) / 2h at every entry i of x. Rounding contributes about eps |f| / h and the
// truncation h^2 |f'''| / 6, so with h = 1e-6 and f of order 1 the result is good to ~1e-9 absolute.
template <class Tensor, class F>
xt::xarray<double> numerical_gradient(Tensor x, F f, double h = 1e-6) {
  xt::xarray<double> grad = xt::zeros<double>(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x.flat(i);
    x.flat(i) = saved + h;
    const double up = f(x);
    x.flat(i) = saved - h;
    const double down = f(x);
    x.flat(i) = saved;
    grad.flat(i) = (up - down) / (2 * h);
  }
  return grad;
}

}  // namespace workbook::oracle
