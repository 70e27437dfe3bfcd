#pragma once
// One LSTM layer with PyTorch's conventions: gates stacked in the order i, f, g, o;
//   i = sigmoid(.), f = sigmoid(.), g = tanh(.), o = sigmoid(.) of x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh,
//   c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t),  h_{-1} = c_{-1} = 0.
// Rows are positions in batch-major order (row b * time + t), like every activation in the library.
#include "nn/tensor.hpp"

namespace nn {

// The layer's parameters, PyTorch's names and layouts. Also used for their gradients.
template <class T>
struct LstmParams {
  Matrix<T> weight_ih;  // (4H, I)
  Matrix<T> weight_hh;  // (4H, H)
  Vector<T> bias_ih;    // (4H)
  Vector<T> bias_hh;    // (4H)
};

// Zero parameters (or gradients) for input size I and hidden size H.
template <class T>
LstmParams<T> lstm_zeros(std::size_t input, std::size_t hidden);

// What backward needs from forward, all (batch*time, .) in the input's row order.
template <class T>
struct LstmCache {
  Matrix<T> gates;   // (batch*time, 4H): i, f, g, o after their nonlinearities
  Matrix<T> cell;    // (batch*time, H): c_t
  Matrix<T> hidden;  // (batch*time, H): h_t (the output), the previous step's state for backward
};

// inp (batch*time, I) -> h (batch*time, H) for every step. time = inp rows / batch.
template <class T>
Matrix<T> lstm_forward(const Matrix<T>& inp, const LstmParams<T>& params, std::size_t batch, LstmCache<T>& cache);

// Backpropagation through time: dout (batch*time, H) = dL/dh_t for every step (the loss's direct
// gradient, not including what flows back from later steps). Returns dinp (batch*time, I) and adds
// into every tensor of grads.
template <class T>
Matrix<T> lstm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const LstmParams<T>& params, std::size_t batch,
                        const LstmCache<T>& cache, LstmParams<T>& grads);

}  // namespace nn
