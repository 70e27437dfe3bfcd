#pragma once
// LayerNorm and RMSNorm over the last dimension (each row normalised on its own).
#include "nn/tensor.hpp"

namespace nn {

// What a norm's backward needs from its forward: per row mean (LayerNorm only) and 1/std or 1/rms.
template <class T>
struct NormCache {
  Vector<T> mean;  // (N); empty for RMSNorm
  Vector<T> rstd;  // (N)
};

// out = (inp - mean) / sqrt(var + eps) * weight + bias, var the biased variance (PyTorch's LayerNorm).
// inp (N, C), weight and bias (C).
template <class T>
Matrix<T> layernorm_forward(const Matrix<T>& inp, const Vector<T>& weight, const Vector<T>& bias, T eps,
                            NormCache<T>& cache);
template <class T>
Matrix<T> layernorm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& weight,
                             const NormCache<T>& cache, Vector<T>& dweight, Vector<T>& dbias);

// out = inp / sqrt(mean(inp^2) + eps) * weight (RMSNorm, as in LLaMA).
template <class T>
Matrix<T> rmsnorm_forward(const Matrix<T>& inp, const Vector<T>& weight, T eps, NormCache<T>& cache);
template <class T>
Matrix<T> rmsnorm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Vector<T>& weight,
                           const NormCache<T>& cache, Vector<T>& dweight);

}  // namespace nn
