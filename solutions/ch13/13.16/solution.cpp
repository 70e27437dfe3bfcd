// Reference solution for ch13/13.16.

#include "ch13/13.16/interface.hpp"

#include <cmath>

namespace ch13_16 {

xt::xtensor<double, 3> rope_rotations(const std::vector<double>& positions, double omega) {
  xt::xtensor<double, 3> rotations = xt::zeros<double>({positions.size(), std::size_t(2), std::size_t(2)});
  for (std::size_t t = 0; t < positions.size(); ++t) {
    const double angle = positions[t] * omega;
    rotations(t, 0, 0) = std::cos(angle);
    rotations(t, 0, 1) = -std::sin(angle);
    rotations(t, 1, 0) = std::sin(angle);
    rotations(t, 1, 1) = std::cos(angle);
  }
  return rotations;
}

xt::xtensor<double, 2> rotate_pairs(const xt::xtensor<double, 2>& pairs, const std::vector<double>& positions,
                                    double omega) {
  const auto rotations = rope_rotations(positions, omega);
  xt::xtensor<double, 2> turned = xt::zeros<double>(pairs.shape());
  for (std::size_t t = 0; t < pairs.shape(0); ++t)
    for (std::size_t r = 0; r < 2; ++r)
      turned(t, r) = rotations(t, r, 0) * pairs(t, 0) + rotations(t, r, 1) * pairs(t, 1);
  return turned;
}

}  // namespace ch13_16
