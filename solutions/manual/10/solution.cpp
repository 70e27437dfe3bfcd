// Reference solution for manual/10.

#include "manual/10/interface.hpp"

#include <cmath>

namespace manual_10 {

namespace {
double frequency(std::size_t j, std::size_t d, double length_scale) {
  return std::pow(length_scale, -2.0 * double(j) / double(d));
}
}  // namespace

xt::xtensor<double, 2> sinusoidal_encodings(const std::vector<std::int64_t>& positions, std::size_t d,
                                            double length_scale) {
  xt::xtensor<double, 2> r = xt::xtensor<double, 2>::from_shape({positions.size(), d});
  for (std::size_t i = 0; i < positions.size(); ++i)
    for (std::size_t j = 0; 2 * j < d; ++j) {
      const double angle = double(positions[i]) * frequency(j, d, length_scale);
      r(i, 2 * j) = std::sin(angle);
      r(i, 2 * j + 1) = std::cos(angle);
    }
  return r;
}

// Block j acts on the pair (sin a, cos a), a = n omega_j. With b = k omega_j the addition formulas give
// the new sine as cos(b)·sin(a) + sin(b)·cos(a) and the new cosine as cos(b)·cos(a) - sin(b)·sin(a).
xt::xtensor<double, 2> shift_matrix(std::int64_t k, std::size_t d, double length_scale) {
  xt::xtensor<double, 2> t = xt::zeros<double>({d, d});
  for (std::size_t j = 0; 2 * j < d; ++j) {
    const double angle = double(k) * frequency(j, d, length_scale);
    const double c = std::cos(angle), s = std::sin(angle);
    t(2 * j, 2 * j) = c;
    t(2 * j, 2 * j + 1) = s;
    t(2 * j + 1, 2 * j) = -s;
    t(2 * j + 1, 2 * j + 1) = c;
  }
  return t;
}

}  // namespace manual_10
