// Reference solution for arch13/12. The sinusoidal table is its formula; a table's rows are looked up with a bounds
// check; RoPE turns each (j, j + half) pair of a head by the position's angle, and its backward turns it back, since
// the transpose of a rotation is the rotation by the opposite angle.

#include "arch13/12/interface.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xview.hpp>

namespace arch13_12 {

Matrix sinusoidal_table(std::size_t length, std::size_t dim, double base) {
  Matrix table = Matrix::from_shape({length, dim});
  for (std::size_t t = 0; t < length; ++t)
    for (std::size_t i = 0; i < dim / 2; ++i) {
      const double angle = double(t) * std::pow(base, -double(2 * i) / double(dim));
      table(t, 2 * i) = std::sin(angle);
      table(t, 2 * i + 1) = std::cos(angle);
    }
  return table;
}

Matrix position_rows(const Matrix& table, const std::vector<std::size_t>& positions) {
  Matrix rows = Matrix::from_shape({positions.size(), table.shape(1)});
  for (std::size_t r = 0; r < positions.size(); ++r) {
    if (positions[r] >= table.shape(0))
      throw std::out_of_range("position " + std::to_string(positions[r]) + " is beyond a table of " +
                              std::to_string(table.shape(0)) + " rows");
    xt::row(rows, r) = xt::row(table, positions[r]);
  }
  return rows;
}

// Turns every pair by `sign` times its angle: +1 is the encoding, -1 its transpose.
Matrix rotate_pairs(const Matrix& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                    std::size_t head_dim, double base, double sign) {
  Matrix out = x;
  const std::size_t half = head_dim / 2;
  for (std::size_t r = 0; r < x.shape(0); ++r)
    for (std::size_t h = 0; h < n_head; ++h)
      for (std::size_t j = 0; j < half; ++j) {
        const double theta = sign * double(positions[r]) * std::pow(base, -double(2 * j) / double(head_dim));
        const std::size_t first = h * head_dim + j, second = first + half;
        const double a = x(r, first), b = x(r, second);
        out(r, first) = a * std::cos(theta) - b * std::sin(theta);
        out(r, second) = a * std::sin(theta) + b * std::cos(theta);
      }
  return out;
}

Matrix rope_rotate(const Matrix& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                   std::size_t head_dim, double base) {
  return rotate_pairs(x, positions, n_head, head_dim, base, +1);
}

Matrix rope_rotate_backward(const Matrix& dout, const std::vector<std::size_t>& positions, std::size_t n_head,
                            std::size_t head_dim, double base) {
  return rotate_pairs(dout, positions, n_head, head_dim, base, -1);
}

}  // namespace arch13_12
