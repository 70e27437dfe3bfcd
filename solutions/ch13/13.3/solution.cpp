// Reference solution for ch13/13.3: dot products of random Gaussian vectors.

#include "ch13/13.3/interface.hpp"

#include <cmath>

namespace ch13_3 {

xt::xtensor<double, 1> sample_dot_products(std::size_t d_k, std::size_t count, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  xt::xtensor<double, 1> dots = xt::zeros<double>({count});
  for (std::size_t s = 0; s < count; ++s) {
    double dot = 0;
    for (std::size_t i = 0; i < d_k; ++i) {
      const double q = normal(rng), k = normal(rng);
      dot += q * k;
    }
    dots(s) = dot;
  }
  return dots;
}

}  // namespace ch13_3
