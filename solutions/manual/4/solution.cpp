// Reference solution for manual/4.

#include "manual/4/interface.hpp"

namespace manual_4 {

xt::xtensor<double, 1> squared_dot_samples(std::size_t d, std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  xt::xtensor<double, 1> samples = xt::xtensor<double, 1>::from_shape({n});
  for (auto& sample : samples) {
    double dot = 0;
    for (std::size_t i = 0; i < d; ++i) dot += normal(rng) * normal(rng);  // a_i b_i, both fresh
    sample = dot * dot;
  }
  return samples;
}

}  // namespace manual_4
