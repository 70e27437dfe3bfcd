// Wrong on purpose: reads the seed's omega_i = L^(-i/D) with i the pair index instead of the coordinate
// index, so every frequency but the first is too high (L^(-j/d) instead of L^(-2j/d)). The blocks are
// still rotations and still compose, so the structure checks pass; the values do not.

#include "manual/10/interface.hpp"

#include <cmath>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/10", {"a/oracle", "b/any n, k", "b/fit", "b/independent of n"}};

namespace manual_10 {

namespace {
double frequency(std::size_t j, std::size_t d, double length_scale) {
  return std::pow(length_scale, -double(j) / double(d));
}
}  // namespace

xt::xtensor<double, 1> sinusoidal_encoding(std::int64_t n, std::size_t d, double length_scale) {
  xt::xtensor<double, 1> r = xt::xtensor<double, 1>::from_shape({d});
  for (std::size_t j = 0; 2 * j < d; ++j) {
    r(2 * j) = std::sin(double(n) * frequency(j, d, length_scale));
    r(2 * j + 1) = std::cos(double(n) * frequency(j, d, length_scale));
  }
  return r;
}

xt::xtensor<double, 2> shift_matrix(std::int64_t k, std::size_t d, double length_scale) {
  xt::xtensor<double, 2> t = xt::zeros<double>({d, d});
  for (std::size_t j = 0; 2 * j < d; ++j) {
    const double angle = double(k) * frequency(j, d, length_scale);
    t(2 * j, 2 * j) = t(2 * j + 1, 2 * j + 1) = std::cos(angle);
    t(2 * j, 2 * j + 1) = std::sin(angle);
    t(2 * j + 1, 2 * j) = -std::sin(angle);
  }
  return t;
}

}  // namespace manual_10
