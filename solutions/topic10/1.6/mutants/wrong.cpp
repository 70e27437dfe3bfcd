// Wrong on purpose, two classic slips: the frequency is taken from the column index j (10000^(j/d_model)),
// so the cosine of a pair no longer shares its sine's frequency; and the 2 x 2 blocks rotate the wrong way
// (the transpose of the right block), which shifts positions by -k instead of +k.

#include "topic10/1.6/interface.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.6", {"a/encoding", "b/shift", "c/relative"}};

namespace topic10_1_6 {

xt::xtensor<double, 1> positional_encoding(double pos, std::size_t d_model) {
  xt::xtensor<double, 1> pe = xt::xtensor<double, 1>::from_shape({d_model});
  for (std::size_t j = 0; j < d_model; ++j) {
    const double angle = pos / std::pow(10000.0, double(j) / d_model);
    pe(j) = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
  }
  return pe;
}

xt::xtensor<double, 2> shift_matrix(double k, std::size_t d_model) {
  xt::xtensor<double, 2> m = xt::zeros<double>({d_model, d_model});
  for (std::size_t i = 0; 2 * i < d_model; ++i) {
    const double b = k / std::pow(10000.0, 2.0 * i / d_model);
    m(2 * i, 2 * i) = std::cos(b);
    m(2 * i, 2 * i + 1) = -std::sin(b);
    m(2 * i + 1, 2 * i) = std::sin(b);
    m(2 * i + 1, 2 * i + 1) = std::cos(b);
  }
  return m;
}

}  // namespace topic10_1_6
