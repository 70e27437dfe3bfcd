// Reference solution for arch13/2. For one pair, with a = pos w and b = k w:
//   sin(a + b) = cos(b) sin(a) + sin(b) cos(a),   cos(a + b) = -sin(b) sin(a) + cos(b) cos(a),
// so the pair (sin, cos) is multiplied by [[cos b, sin b], [-sin b, cos b]], a rotation; R_k is block diagonal.

#include "arch13/2/interface.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>

namespace arch13_2 {

xt::xtensor<double, 2> offset_map(double k, std::size_t d) {
  xt::xtensor<double, 2> r = xt::zeros<double>({d, d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double angle = k * std::pow(10000.0, -double(2 * i) / double(d));
    r(2 * i, 2 * i) = std::cos(angle);
    r(2 * i, 2 * i + 1) = std::sin(angle);
    r(2 * i + 1, 2 * i) = -std::sin(angle);
    r(2 * i + 1, 2 * i + 1) = std::cos(angle);
  }
  return r;
}

}  // namespace arch13_2
