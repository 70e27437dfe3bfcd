// Wrong on purpose: squares the scaled score (a . b) / sqrt(d) that attention uses, instead of the raw
// dot product, so the mean comes out near 1 for every d.

#include "manual/4/interface.hpp"

#include <cmath>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "manual/4", {"b/mean D=4", "b/mean D=16", "b/mean D=64", "b/mean D=256", "b/mean D=512", "c/fourth D=4",
                 "c/fourth D=64", "c/fourth D=512"}};

namespace manual_4 {

xt::xtensor<double, 1> squared_dot_samples(std::size_t d, std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  xt::xtensor<double, 1> samples = xt::xtensor<double, 1>::from_shape({n});
  for (auto& sample : samples) {
    double dot = 0;
    for (std::size_t i = 0; i < d; ++i) dot += normal(rng) * normal(rng);
    const double score = dot / std::sqrt(double(d));
    sample = score * score;
  }
  return samples;
}

}  // namespace manual_4
