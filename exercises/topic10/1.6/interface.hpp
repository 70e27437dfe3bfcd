#pragma once
// Interface for topic10/1.6, sinusoidal positional encodings under a shift. Implement in namespace
// topic10_1_6.

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace topic10_1_6 {

// The sinusoidal encoding of position `pos` (any real number) in R^d_model, d_model even:
// entry 2i is sin(pos / 10000^(2i / d_model)) and entry 2i + 1 is cos(pos / 10000^(2i / d_model)).
xt::xtensor<double, 1> positional_encoding(double pos, std::size_t d_model);

// The d_model x d_model matrix M_k with PE(pos + k) = M_k PE(pos) for every pos. It may depend on k and
// d_model only, never on pos.
xt::xtensor<double, 2> shift_matrix(double k, std::size_t d_model);

}  // namespace topic10_1_6
