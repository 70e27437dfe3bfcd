// Reference solution for ch13/13.1: a linear recurrence run over every sequence of the batch.

#include "ch13/13.1/interface.hpp"

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch13_1 {

xt::xtensor<double, 3> encoder_states(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b,
                                      const xt::xtensor<double, 3>& xs) {
  const std::size_t batch = xs.shape(0), n = xs.shape(1), d = a.shape(0);
  xt::xtensor<double, 3> states = xt::zeros<double>({batch, n, d});
  for (std::size_t s = 0; s < batch; ++s) {
    xt::xtensor<double, 1> h = xt::zeros<double>({d});
    for (std::size_t t = 0; t < n; ++t) {
      const xt::xtensor<double, 1> x = xt::view(xs, s, t, xt::all());
      h = xt::linalg::dot(a, h) + xt::linalg::dot(b, x);
      xt::view(states, s, t, xt::all()) = h;
    }
  }
  return states;
}

}  // namespace ch13_1
