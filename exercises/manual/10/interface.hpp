#pragma once
// Interface for manual/10, sinusoidal position encoding and its shift matrices. Implement in namespace
// manual_10. Convention: d is even, coordinate pair j = 0 .. d/2 - 1 has frequency omega_j = L^(-2j/d),
// coordinate 2j holds the sine and coordinate 2j+1 the cosine. Compute in double: positions reach 10^4.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace manual_10 {

// r_n for every n in `positions` (any integers, negative ones too), one row each (positions.size() x d):
// row i holds r_n for n = positions[i], with r[2j] = sin(n omega_j) and r[2j+1] = cos(n omega_j).
// One call encodes a whole batch, since each call crosses to the solution's process.
xt::xtensor<double, 2> sinusoidal_encodings(const std::vector<std::int64_t>& positions, std::size_t d,
                                            double length_scale);

// T_k (d x d): the matrix with r_{n+k} = T_k r_n for every position n.
xt::xtensor<double, 2> shift_matrix(std::int64_t k, std::size_t d, double length_scale);

}  // namespace manual_10
