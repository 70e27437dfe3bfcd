// Reference solution for ch13/13.26. Pair by pair, put the two known inputs side by side as the columns of X and
// the two outputs as the columns of Y; the block is B = Y X^(-1), a 2 x 2 inverse written out.

#include "ch13/13.26/interface.hpp"

#include <xtensor/xbuilder.hpp>

namespace ch13_26 {

xt::xtensor<double, 2> shift_from_rows(const xt::xtensor<double, 2>& table, std::size_t pos, std::size_t k) {
  const std::size_t d = table.shape(1);
  xt::xtensor<double, 2> m = xt::zeros<double>({d, d});
  for (std::size_t i = 0; i + 1 < d; i += 2) {
    // X = [[a, b], [c, e]]: columns are pair i at pos and at pos + 1.
    const double a = table(pos, i), b = table(pos + 1, i), c = table(pos, i + 1), e = table(pos + 1, i + 1);
    const double det = a * e - b * c;
    const double inv[2][2] = {{e / det, -b / det}, {-c / det, a / det}};
    const double y[2][2] = {{table(pos + k, i), table(pos + k + 1, i)}, {table(pos + k, i + 1), table(pos + k + 1, i + 1)}};
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t col = 0; col < 2; ++col) m(i + r, i + col) = y[r][0] * inv[0][col] + y[r][1] * inv[1][col];
  }
  return m;
}

}  // namespace ch13_26
