#pragma once
// Interface for arch13/11, the sinusoidal encoding and its frequencies. Implement the two functions in namespace
// arch13_11. The kit offers nothing of the nn library here.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_11 {

using Matrix = xt::xtensor<double, 2>;

// The (n_positions, d) encoding for an even d: with w_i = 10000^(-2i / d) for the pair i = 0 .. d/2 - 1, entry
// (p, 2i) is sin(p w_i) and entry (p, 2i + 1) is cos(p w_i), positions p = 0 .. n_positions - 1.
Matrix sinusoidal_table(std::size_t n_positions, std::size_t d);

// Read off a table laid out as above (consecutive positions in its rows, at least 2 rows, pairs (sin, cos) in
// columns 2i and 2i + 1, every pair turning by less than half a turn from one row to the next) the wavelength of
// each pair: how many positions it takes the pair to come back to where it started. Entry i is pair i's.
// The table may have been built with another base than 10000: measure it, do not assume it.
std::vector<double> pair_wavelengths(const Matrix& table);

}  // namespace arch13_11
