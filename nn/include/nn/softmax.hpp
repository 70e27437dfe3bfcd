#pragma once
// Softmax with temperature, and the fused softmax + cross-entropy loss of a language model head.
#include "nn/tensor.hpp"

namespace nn {

// probs = softmax(logits / temperature) along each row (max subtracted first). temperature > 0.
template <class T>
Matrix<T> softmax_forward(const Matrix<T>& logits, T temperature);
// dlogits given dprobs and the forward's probs: (p * (dp - sum(p * dp))) / temperature, per row.
template <class T>
Matrix<T> softmax_backward(const Matrix<T>& dprobs, const Matrix<T>& probs, T temperature);

// Mean over the rows whose target is not ignore_index of -log softmax(logits)[target].
// logits (N, V), targets (N). probs receives softmax(logits) for the backward. No counted row: loss 0.
template <class T>
T cross_entropy_forward(const Matrix<T>& logits, const Tokens& targets, Matrix<T>& probs);
// dlogits = (probs - onehot(target)) / count on counted rows, 0 on ignored rows, times dloss.
template <class T>
Matrix<T> cross_entropy_backward(const Matrix<T>& probs, const Tokens& targets, T dloss = T(1));

}  // namespace nn
