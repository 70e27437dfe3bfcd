#pragma once
// Gradients by central differences, to check a backward pass against its forward pass.

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>

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

// Three arrays laid end to end, flattened: one check over the three gradients of an attention layer.
template <class A, class B, class C>
xt::xarray<double> end_to_end(const A& a, const B& b, const C& c) {
  return xt::concatenate(xt::xtuple(xt::flatten(xt::xarray<double>(a)), xt::flatten(xt::xarray<double>(b)),
                                    xt::flatten(xt::xarray<double>(c))));
}

// The gradients of loss(q, k, v) with respect to q, k and v by central differences, end to end.
template <class Tensor, class Loss>
xt::xarray<double> numerical_gradients(const Tensor& q, const Tensor& k, const Tensor& v, const Loss& loss) {
  return end_to_end(numerical_gradient(q, [&](const Tensor& x) { return loss(x, k, v); }),
                    numerical_gradient(k, [&](const Tensor& x) { return loss(q, x, v); }),
                    numerical_gradient(v, [&](const Tensor& x) { return loss(q, k, x); }));
}

}  // namespace workbook::oracle
