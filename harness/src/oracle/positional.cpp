#include "workbook/oracle/positional.hpp"

#include <cmath>

namespace workbook::oracle {

double pair_frequency(std::size_t j, std::size_t d, double length_scale) {
  return std::pow(length_scale, -2.0 * double(j) / double(d));
}

Vector sinusoidal_position(double n, std::size_t d, double length_scale) {
  Vector r = Vector::from_shape({d});
  for (std::size_t j = 0; 2 * j < d; ++j) {
    const double angle = n * pair_frequency(j, d, length_scale);
    r(2 * j) = std::sin(angle);
    if (2 * j + 1 < d) r(2 * j + 1) = std::cos(angle);
  }
  return r;
}

Matrix sinusoidal_table(std::int64_t first, std::size_t count, std::size_t d, double length_scale) {
  Matrix rows = Matrix::from_shape({count, d});
  for (std::size_t i = 0; i < count; ++i) {
    const auto r = sinusoidal_position(double(first + std::int64_t(i)), d, length_scale);
    for (std::size_t c = 0; c < d; ++c) rows(i, c) = r(c);
  }
  return rows;
}

}  // namespace workbook::oracle
