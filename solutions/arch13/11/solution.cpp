// Reference solution for arch13/11: the sinusoidal table, and each pair's wavelength read from the angle the pair
// turns by between consecutive rows (atan2 of the pair, the difference wrapped into (-pi, pi]).

#include "arch13/11/interface.hpp"

#include <cmath>
#include <numbers>

namespace arch13_11 {

Matrix sinusoidal_table(std::size_t n_positions, std::size_t d) {
  Matrix table = Matrix::from_shape({n_positions, d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    const double w = std::pow(10000.0, -double(2 * i) / double(d));
    for (std::size_t p = 0; p < n_positions; ++p) {
      table(p, 2 * i) = std::sin(double(p) * w);
      table(p, 2 * i + 1) = std::cos(double(p) * w);
    }
  }
  return table;
}

std::vector<double> pair_wavelengths(const Matrix& table) {
  std::vector<double> wavelengths;
  const std::size_t rows = table.shape(0);
  for (std::size_t i = 0; 2 * i + 1 < table.shape(1); ++i) {
    // The mean turn per row over the whole table, each step wrapped: one turn is 2 pi.
    double turned = 0;
    for (std::size_t p = 1; p < rows; ++p) {
      double step = std::atan2(table(p, 2 * i), table(p, 2 * i + 1)) -
                    std::atan2(table(p - 1, 2 * i), table(p - 1, 2 * i + 1));
      if (step <= -std::numbers::pi) step += 2 * std::numbers::pi;
      if (step > std::numbers::pi) step -= 2 * std::numbers::pi;
      turned += step;
    }
    wavelengths.push_back(2 * std::numbers::pi * double(rows - 1) / turned);
  }
  return wavelengths;
}

}  // namespace arch13_11
