// Reference solution for topic10/1.6.

#include "topic10/1.6/interface.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>

namespace topic10_1_6 {

namespace {
// The angular frequency of pair i: 1 / 10000^(2i / d_model).
double frequency(std::size_t i, std::size_t d_model) { return std::pow(10000.0, -2.0 * i / d_model); }
}  // namespace

xt::xtensor<double, 1> positional_encoding(double pos, std::size_t d_model) {
  xt::xtensor<double, 1> pe = xt::xtensor<double, 1>::from_shape({d_model});
  for (std::size_t i = 0; 2 * i < d_model; ++i) {
    pe(2 * i) = std::sin(pos * frequency(i, d_model));
    pe(2 * i + 1) = std::cos(pos * frequency(i, d_model));
  }
  return pe;
}

// Angle addition on each (sin, cos) pair, with a = pos w and b = k w:
//   sin(a + b) =  cos(b) sin(a) + sin(b) cos(a)
//   cos(a + b) = -sin(b) sin(a) + cos(b) cos(a)
// so each pair is multiplied by the 2 x 2 rotation [[cos b, sin b], [-sin b, cos b]].
xt::xtensor<double, 2> shift_matrix(double k, std::size_t d_model) {
  xt::xtensor<double, 2> m = xt::zeros<double>({d_model, d_model});
  for (std::size_t i = 0; 2 * i < d_model; ++i) {
    const double b = k * frequency(i, d_model);
    m(2 * i, 2 * i) = std::cos(b);
    m(2 * i, 2 * i + 1) = std::sin(b);
    m(2 * i + 1, 2 * i) = -std::sin(b);
    m(2 * i + 1, 2 * i + 1) = std::cos(b);
  }
  return m;
}

}  // namespace topic10_1_6
