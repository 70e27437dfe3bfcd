// Reference solution for manual/8: a standard Gaussian vector is rotation invariant, so its direction
// is uniform on the sphere.

#include "manual/8/interface.hpp"

#include <cmath>

namespace manual_8 {

xt::xtensor<double, 2> random_unit_vectors(std::size_t d, std::size_t count, std::mt19937_64& rng) {
  xt::xtensor<double, 2> vectors = xt::xtensor<double, 2>::from_shape({count, d});
  for (std::size_t i = 0; i < count; ++i) {
    std::normal_distribution<double> normal;
    double squared = 0;
    for (std::size_t j = 0; j < d; ++j) {
      vectors(i, j) = normal(rng);
      squared += vectors(i, j) * vectors(i, j);
    }
    for (std::size_t j = 0; j < d; ++j) vectors(i, j) /= std::sqrt(squared);
  }
  return vectors;
}

}  // namespace manual_8
