// Reference solution for manual/8: a standard Gaussian vector is rotation invariant, so its direction
// is uniform on the sphere.

#include "manual/8.hpp"

#include <cmath>

namespace manual_8 {

xt::xtensor<double, 1> random_unit_vector(std::size_t d, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  xt::xtensor<double, 1> v = xt::xtensor<double, 1>::from_shape({d});
  double squared = 0;
  for (auto& x : v) {
    x = normal(rng);
    squared += x * x;
  }
  v /= std::sqrt(squared);
  return v;
}

}  // namespace manual_8
