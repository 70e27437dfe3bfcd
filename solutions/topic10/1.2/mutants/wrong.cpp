// Wrong on purpose, two classic slips: the coordinates come from the default uniform distribution on [0, 1)
// instead of N(0, 1), so the scores have mean d/4 and the wrong spread; and the softmax exponentiates the raw
// scores without subtracting their maximum, which overflows (inf / inf = NaN) once scores pass ~709.

#include "topic10/1.2/interface.hpp"

#include <random>

#include <xtensor/xmath.hpp>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "topic10/1.2",
    {"d/sample mean", "d/sample variance", "d/sample 4th moment", "d/scaled d=1", "d/scaled d=16", "d/scaled d=256",
     "e/softmax", "e/one-hot"}};

namespace topic10_1_2 {

xt::xtensor<double, 1> sample_scores(std::size_t d, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> entry;  // [0, 1): not standard normal
  xt::xtensor<double, 1> scores = xt::zeros<double>({n});
  for (auto& s : scores)
    for (std::size_t i = 0; i < d; ++i) s += entry(rng) * entry(rng);
  return scores;
}

xt::xtensor<double, 1> softmax(const xt::xtensor<double, 1>& scores) {
  xt::xtensor<double, 1> weights = xt::exp(scores);  // no max subtracted
  const double total = xt::sum(weights)();
  weights /= total;
  return weights;
}

}  // namespace topic10_1_2
