// Wrong on purpose: uses exponent i / d_model instead of 2i / d_model (indexing by pair but forgetting
// the factor 2), a frequent slip; and measures similarity without normalising by the norms.

#include "ch10/10.5/interface.hpp"

#include <cmath>

#include "wrong_solution.hpp"

const workbook::testing::ExpectedFailures workbook::testing::expected_failures{
    "ch10/10.5", {"a/pe 100x128", "a/pe 7x6", "b/similarity"}};

namespace ch10_5 {

xt::xtensor<double, 2> sinusoidal_pe(std::size_t max_len, std::size_t d_model) {
  xt::xtensor<double, 2> pe = xt::zeros<double>({max_len, d_model});
  for (std::size_t i = 0; i < d_model / 2; ++i)
    for (std::size_t pos = 0; pos < max_len; ++pos) {
      const double frequency = std::pow(10000.0, -1.0 * i / d_model);
      pe(pos, 2 * i) = std::sin(pos * frequency);
      pe(pos, 2 * i + 1) = std::cos(pos * frequency);
    }
  return pe;
}

xt::xtensor<double, 1> similarity_to_first(const xt::xtensor<double, 2>& pe) {
  xt::xtensor<double, 1> similarity = xt::zeros<double>({pe.shape(0) - 1});
  for (std::size_t k = 1; k < pe.shape(0); ++k)
    for (std::size_t c = 0; c < pe.shape(1); ++c) similarity(k - 1) += pe(0, c) * pe(k, c);
  return similarity;
}

xt::xtensor<double, 2> offset_differences(const xt::xtensor<double, 2>& pe, std::size_t k,
                                          const std::vector<std::size_t>& positions) {
  xt::xtensor<double, 2> differences = xt::zeros<double>({positions.size(), pe.shape(1)});
  for (std::size_t r = 0; r < positions.size(); ++r)
    for (std::size_t c = 0; c < pe.shape(1); ++c) differences(r, c) = pe(positions[r] + k, c) - pe(positions[r], c);
  return differences;
}

}  // namespace ch10_5
