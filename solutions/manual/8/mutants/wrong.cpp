// Wrong on purpose: std::uniform_real_distribution<double> defaults to [0, 1), so every coordinate is
// positive and all the vectors lie in one orthant; normalised, they have unit length but point roughly
// the same way (cosines near 3/4 instead of near 0).

#include "manual/8/interface.hpp"

#include <cmath>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/8", {"b/D=2 angles", "b/D=3 fourth moment", "c/D=2", "c/D=10", "c/D=100", "c/D=512",
                 "c/D=1000"}};

namespace manual_8 {

xt::xtensor<double, 1> random_unit_vector(std::size_t d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform;
  xt::xtensor<double, 1> v = xt::xtensor<double, 1>::from_shape({d});
  double squared = 0;
  for (auto& x : v) {
    x = uniform(rng);
    squared += x * x;
  }
  v /= std::sqrt(squared);
  return v;
}

}  // namespace manual_8
