#pragma once
// Interface for arch13/12, three ways to tell a GPT where its tokens are. Implement the four functions in namespace
// arch13_12. The kit offers nothing of the nn library here: the encodings are what you write.

#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace arch13_12 {

using Matrix = xt::xtensor<double, 2>;

// The fixed (length, dim) sinusoidal table, dim even: with w_i = base^(-2i / dim), entry (t, 2i) is sin(t w_i) and
// entry (t, 2i + 1) is cos(t w_i). Any length: the table is a formula, not a parameter.
Matrix sinusoidal_table(std::size_t length, std::size_t dim, double base);

// The rows of a position table (length, dim) at the given positions: (positions.size(), dim), row r being
// table[positions[r]]. A position with no row in the table (positions[r] >= length) has no encoding: throw
// std::out_of_range naming it, rather than return something else.
Matrix position_rows(const Matrix& table, const std::vector<std::size_t>& positions);

// Rotary encoding of queries or keys x (rows, n_head * head_dim), row r at position positions[r]. Head h owns columns
// [h head_dim, (h + 1) head_dim); within a head, with half = head_dim / 2, column j < half pairs with column j + half
// and the pair (a, b) turns by the angle theta = positions[r] base^(-2j / head_dim):
//   a' = a cos(theta) - b sin(theta),   b' = a sin(theta) + b cos(theta).
Matrix rope_rotate(const Matrix& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                   std::size_t head_dim, double base);

// Its backward: given dout = dL/d(rope_rotate(x, ...)), the gradient dL/dx (same shape).
Matrix rope_rotate_backward(const Matrix& dout, const std::vector<std::size_t>& positions, std::size_t n_head,
                            std::size_t head_dim, double base);

}  // namespace arch13_12
