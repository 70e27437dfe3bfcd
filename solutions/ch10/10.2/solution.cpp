// Reference solution for ch10/10.2.

#include "ch10/10.2/interface.hpp"

#include <random>

namespace ch10_2 {

xt::xtensor<double, 1> random_dot_products(std::size_t d, std::size_t pairs, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  xt::xtensor<double, 1> dots = xt::zeros<double>({pairs});
  for (auto& dot : dots)
    for (std::size_t j = 0; j < d; ++j) dot += normal(rng) * normal(rng);  // q_j * k_j
  return dots;
}

}  // namespace ch10_2
