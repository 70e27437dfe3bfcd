#pragma once
// The sinusoidal position vector written out coordinate by coordinate, for exercises about position
// encodings (manual/7, 10).

#include <cmath>
#include <cstddef>
#include <random>

#include <xtensor/xtensor.hpp>

#include "workbook/oracle.hpp"

namespace workbook::oracle {

// The frequency of coordinate pair j (coordinates 2j and 2j+1) in a d-dimensional sinusoidal encoding
// with length scale L: omega_j = L^(-2j/d).
inline double pair_frequency(std::size_t j, std::size_t d, double length_scale) {
  return std::pow(length_scale, -2.0 * double(j) / double(d));
}

// r_n for position n (d even): r[2j] = sin(n omega_j), r[2j+1] = cos(n omega_j).
inline Vector sinusoidal_position(double n, std::size_t d, double length_scale) {
  Vector r(d);
  for (std::size_t j = 0; 2 * j < d; ++j) {
    const double angle = n * pair_frequency(j, d, length_scale);
    r[2 * j] = std::sin(angle);
    r[2 * j + 1] = std::cos(angle);
  }
  return r;
}

}  // namespace workbook::oracle
