#pragma once
// The sinusoidal position encoding written out coordinate by coordinate.

#include <cstddef>
#include <cstdint>

#include "workbook/oracle/matrix.hpp"

namespace workbook::oracle {

// The frequency of coordinate pair j (coordinates 2j and 2j+1) in a d-dimensional sinusoidal encoding with
// length scale L (10000 in the original transformer): omega_j = L^(-2j/d).
double pair_frequency(std::size_t j, std::size_t d, double length_scale);
// r_n for position n (d even): r[2j] = sin(n omega_j), r[2j+1] = cos(n omega_j).
Vector sinusoidal_position(double n, std::size_t d, double length_scale);
// The encodings of positions first, first + 1, ..., first + count - 1, one per row.
Matrix sinusoidal_table(std::int64_t first, std::size_t count, std::size_t d, double length_scale);

}  // namespace workbook::oracle
