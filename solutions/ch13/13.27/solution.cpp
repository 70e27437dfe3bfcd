// Reference solution for ch13/13.27: one rotation block per pair of coordinates, each turning at its own rate.

#include "ch13/13.27/interface.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>

namespace ch13_27 {

xt::xtensor<double, 2> rope_matrix(std::int64_t m, std::size_t d, double base) {
  xt::xtensor<double, 2> r = xt::zeros<double>({d, d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double a = double(m) * std::pow(base, -double(2 * i) / double(d));
    r(2 * i, 2 * i) = std::cos(a);
    r(2 * i, 2 * i + 1) = -std::sin(a);
    r(2 * i + 1, 2 * i) = std::sin(a);
    r(2 * i + 1, 2 * i + 1) = std::cos(a);
  }
  return r;
}

}  // namespace ch13_27
