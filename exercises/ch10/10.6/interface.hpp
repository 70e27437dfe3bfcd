#pragma once
// Interface for ch10/10.6, the rotation behind sinusoidal encodings. Implement in namespace ch10_6.

#include <xtensor/xtensor.hpp>

namespace ch10_6 {

// The 2 x 2 matrix M, depending only on omega and the offset k, with
// [sin(omega (pos + k)), cos(omega (pos + k))]^T = M [sin(omega pos), cos(omega pos)]^T for every pos.
xt::xtensor<double, 2> offset_rotation(double omega, double k);

}  // namespace ch10_6
