// Wrong on purpose: the off-diagonal signs swapped, i.e. the inverse rotation (a shift by -k).

#include "ch10/10.6/interface.hpp"

#include <cmath>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "ch10/10.6", {"a/w=1,pos=7,k=3", "a/any w, pos, k"}};

namespace ch10_6 {

xt::xtensor<double, 2> offset_rotation(double omega, double k) {
  const double c = std::cos(omega * k), s = std::sin(omega * k);
  return {{c, -s}, {s, c}};
}

}  // namespace ch10_6
