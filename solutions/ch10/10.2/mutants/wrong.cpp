// Wrong on purpose: draws coordinates uniformly from [0, 1) instead of N(0, 1), a common slip when a
// generator's default distribution is used. The mean becomes d/4 and the spread is wrong.

#include "ch10/10.2/interface.hpp"

#include <random>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "ch10/10.2", {"c/std d=64", "c/std d=512", "c/mean d=64"}};

namespace ch10_2 {

xt::xtensor<double, 1> random_dot_products(std::size_t d, std::size_t pairs, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform;
  xt::xtensor<double, 1> dots = xt::zeros<double>({pairs});
  for (auto& dot : dots)
    for (std::size_t j = 0; j < d; ++j) dot += uniform(rng) * uniform(rng);
  return dots;
}

}  // namespace ch10_2
