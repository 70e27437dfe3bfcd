#pragma once
// Inverted dropout: in training each element is zeroed with probability p and the survivors scaled by
// 1/(1-p), so evaluation (p = 0, or not training) is the identity.
#include <random>

#include "nn/tensor.hpp"

namespace nn {

// mask receives the factor applied to each element (0 or 1/(1-p)); backward multiplies by it.
// p = 0 leaves inp unchanged and sets the mask to ones. The draws come from rng only (seeded runs repeat).
template <class T>
Matrix<T> dropout_forward(const Matrix<T>& inp, double p, std::mt19937_64& rng, Matrix<T>& mask);
template <class T>
Matrix<T> dropout_backward(const Matrix<T>& dout, const Matrix<T>& mask);

}  // namespace nn
