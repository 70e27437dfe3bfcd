// Reference solution for ch10/10.6: the angle-addition formulas written as a matrix.

#include "ch10/10.6/interface.hpp"

#include <cmath>

namespace ch10_6 {

xt::xtensor<double, 2> offset_rotation(double omega, double k) {
  const double c = std::cos(omega * k), s = std::sin(omega * k);
  // Angle addition: the shifted sine and cosine are fixed combinations (cos wk, sin wk) of the old pair.
  return {{c, s}, {-s, c}};
}

}  // namespace ch10_6
