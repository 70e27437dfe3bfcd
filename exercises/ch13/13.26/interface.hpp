#pragma once
// Interface for ch13/13.26, the shift of a sinusoidal encoding read off the encodings themselves. Implement
// shift_from_rows in namespace ch13_26. The kit offers nothing of the nn library here.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace ch13_26 {

// `table` holds sinusoidal encodings, one row per position: row p is PE(p), d = its number of columns (even), and for
// pair i (columns 2i and 2i + 1) the entries are sin(p w_i) and cos(p w_i) for frequencies w_i you are not told.
// Using rows pos, pos + 1, pos + k and pos + k + 1 of the table and nothing else, return the (d, d) matrix M that
// sends the encodings of rows pos and pos + 1 to those of rows pos + k and pos + k + 1, pair by pair: M is block
// diagonal, and its 2 x 2 block i is the one matrix B with B u = u' and B v = v', where u, v are pair i of rows pos
// and pos + 1 and u', v' pair i of rows pos + k and pos + k + 1.
xt::xtensor<double, 2> shift_from_rows(const xt::xtensor<double, 2>& table, std::size_t pos, std::size_t k);

}  // namespace ch13_26
