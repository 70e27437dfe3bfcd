#pragma once
// Positional encodings. Learned absolute positions are an embedding table indexed by position
// (embedding_forward in linear.hpp); sinusoidal ones are a fixed table; RoPE rotates queries and keys.
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

// (length, dim) table of "Attention is all you need": PE(t, 2i) = sin(t / base^(2i/dim)),
// PE(t, 2i+1) = cos(t / base^(2i/dim)). dim even.
template <class T>
Matrix<T> sinusoidal_positions(std::size_t length, std::size_t dim, double base = 10000.0);

// Rotary embedding of x (N, n_head*head_dim), row r at position positions[r]. Within each head, element
// d < head_dim/2 pairs with d + head_dim/2 (the "rotate half" layout of GPT-NeoX and LLaMA in HF) and the
// pair is rotated by the angle positions[r] * base^(-2d/head_dim). head_dim even.
template <class T>
Matrix<T> rope_forward(const Matrix<T>& x, const std::vector<std::size_t>& positions, std::size_t n_head,
                       std::size_t head_dim, double base = 10000.0);
// A rotation's transpose is the rotation by the opposite angle.
template <class T>
Matrix<T> rope_backward(const Matrix<T>& dout, const std::vector<std::size_t>& positions, std::size_t n_head,
                        std::size_t head_dim, double base = 10000.0);

}  // namespace nn
