#pragma once
// Linear layer and token embedding.
#include <random>

#include "nn/tensor.hpp"

namespace nn {

// out (N, C_out) = inp (N, C_in) weight^T + bias; weight (C_out, C_in), bias (C_out) or none.
template <class T>
Matrix<T> linear_forward(const Matrix<T>& inp, const Matrix<T>& weight, const Vector<T>* bias);
// Returns dinp (N, C_in); adds into dweight (C_out, C_in) and, when given, dbias (C_out).
template <class T>
Matrix<T> linear_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Matrix<T>& weight, Matrix<T>& dweight,
                          Vector<T>* dbias);

// out (N, C) = rows of table (V, C) picked by ids (N). Throws std::out_of_range on an id outside [0, V).
template <class T>
Matrix<T> embedding_forward(const Tokens& ids, const Matrix<T>& table);
// Adds dout's rows into dtable's rows (an id seen twice collects both).
template <class T>
void embedding_backward(const Matrix<T>& dout, const Tokens& ids, Matrix<T>& dtable);

// Initialisation as GPT-2 does it: normal(0, std) weights (std 0.02 by default), zero biases.
template <class T>
void init_normal(Matrix<T>& weight, double std, std::mt19937_64& rng);

}  // namespace nn
