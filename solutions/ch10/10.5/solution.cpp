// Reference solution for ch10/10.5.

#include "ch10/10.5/interface.hpp"

#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace ch10_5 {

xt::xtensor<double, 2> sinusoidal_pe(std::size_t max_len, std::size_t d_model) {
  xt::xtensor<double, 2> pe = xt::zeros<double>({max_len, d_model});
  for (std::size_t i = 0; i < d_model / 2; ++i) {
    const double frequency = std::pow(10000.0, -2.0 * i / d_model);
    for (std::size_t pos = 0; pos < max_len; ++pos) {
      pe(pos, 2 * i) = std::sin(pos * frequency);
      pe(pos, 2 * i + 1) = std::cos(pos * frequency);
    }
  }
  return pe;
}

xt::xtensor<double, 1> similarity_to_first(const xt::xtensor<double, 2>& m) {
  const auto first = xt::row(m, 0);
  const double first_norm = std::sqrt(xt::sum(first * first)());
  xt::xtensor<double, 1> similarity = xt::zeros<double>({m.shape(0) - 1});
  for (std::size_t k = 1; k < m.shape(0); ++k) {
    const auto row = xt::row(m, k);
    similarity(k - 1) = xt::sum(first * row)() / (first_norm * std::sqrt(xt::sum(row * row)()));
  }
  return similarity;
}

xt::xtensor<double, 2> offset_differences(const xt::xtensor<double, 2>& m, std::size_t k,
                                          const std::vector<std::size_t>& positions) {
  xt::xtensor<double, 2> differences = xt::zeros<double>({positions.size(), m.shape(1)});
  for (std::size_t r = 0; r < positions.size(); ++r)
    xt::row(differences, r) = xt::row(m, positions[r] + k) - xt::row(m, positions[r]);
  return differences;
}

}  // namespace ch10_5
