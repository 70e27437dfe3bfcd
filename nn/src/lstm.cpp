#include "nn/lstm.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nn/gemm.hpp"

namespace nn {

namespace {

template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

template <class T>
std::size_t hidden_size(const LstmParams<T>& params) {
  return params.weight_hh.shape(1);
}

template <class T>
void require_shapes(const Matrix<T>& inp, const LstmParams<T>& params, std::size_t batch) {
  const std::size_t hidden = hidden_size(params);
  const bool ok = batch > 0 && inp.shape(0) % batch == 0 && params.weight_ih.shape(0) == 4 * hidden &&
                  params.weight_hh.shape(0) == 4 * hidden && params.weight_ih.shape(1) == inp.shape(1) &&
                  params.bias_ih.size() == 4 * hidden && params.bias_hh.size() == 4 * hidden;
  if (!ok) throw std::invalid_argument("lstm: input, parameters and batch do not fit together");
}

// inp (N, I) -> (N, 4H) = inp W_ih^T + b_ih + b_hh: the input's share of every step in one product.
template <class T>
Matrix<T> input_projection(const Matrix<T>& inp, const LstmParams<T>& params) {
  const std::size_t rows = inp.shape(0), gate_cols = params.weight_ih.shape(0);
  const Vector<T> bias = params.bias_ih + params.bias_hh;
  Matrix<T> pre = Matrix<T>::from_shape({rows, gate_cols});
  for (std::size_t r = 0; r < rows; ++r) std::copy_n(bias.data(), gate_cols, pre.data() + r * gate_cols);
  gemm(Trans::no, Trans::yes, rows, gate_cols, inp.shape(1), T(1), inp.data(), inp.shape(1), params.weight_ih.data(),
       params.weight_ih.shape(1), T(1), pre.data(), gate_cols);
  return pre;
}

// gates rows of step t += h_{t-1} W_hh^T for the whole batch. Row b*time + t of one step lies time rows
// after the previous batch element's, so the row strides pick the step out without copying.
template <class T>
void add_recurrent_projection(LstmCache<T>& cache, const LstmParams<T>& params, std::size_t batch, std::size_t time,
                              std::size_t t) {
  const std::size_t hidden = hidden_size(params);
  gemm(Trans::no, Trans::yes, batch, 4 * hidden, hidden, T(1), cache.hidden.data() + (t - 1) * hidden,
       time * hidden, params.weight_hh.data(), hidden, T(1), cache.gates.data() + t * 4 * hidden,
       time * 4 * hidden);
}

// One position: pre-activations (4H) -> gates in place, c and h (H). first: no previous state.
template <class T>
void cell_step(std::size_t row, bool first, std::size_t hidden, LstmCache<T>& cache) {
  T* gate = cache.gates.data() + row * 4 * hidden;
  T* c = cache.cell.data() + row * hidden;
  T* h = cache.hidden.data() + row * hidden;
  for (std::size_t j = 0; j < hidden; ++j) {
    const T i = sigmoid(gate[j]), f = sigmoid(gate[hidden + j]);
    const T g = std::tanh(gate[2 * hidden + j]), o = sigmoid(gate[3 * hidden + j]);
    gate[j] = i;
    gate[hidden + j] = f;
    gate[2 * hidden + j] = g;
    gate[3 * hidden + j] = o;
    c[j] = (first ? T(0) : f * c[j - hidden]) + i * g;  // c[j - hidden]: the previous row's cell
    h[j] = o * std::tanh(c[j]);
  }
}

// One position backward: dh (H) = dL/dh_t in total, dc (H) holds dL/dc_t from later steps on entry and
// dL/dc_{t-1} on exit; writes dL/d(pre-activations) (4H).
template <class T>
void cell_step_backward(std::size_t row, bool first, std::size_t hidden, const LstmCache<T>& cache, const T* dh,
                        T* dc, T* dgate) {
  const T* gate = cache.gates.data() + row * 4 * hidden;
  const T* c = cache.cell.data() + row * hidden;
  for (std::size_t j = 0; j < hidden; ++j) {
    const T i = gate[j], f = gate[hidden + j], g = gate[2 * hidden + j], o = gate[3 * hidden + j];
    const T tanh_c = std::tanh(c[j]);
    const T c_prev = first ? T(0) : c[j - hidden];
    const T dcell = dc[j] + dh[j] * o * (T(1) - tanh_c * tanh_c);
    dgate[j] = dcell * g * i * (T(1) - i);
    dgate[hidden + j] = dcell * c_prev * f * (T(1) - f);
    dgate[2 * hidden + j] = dcell * i * (T(1) - g * g);
    dgate[3 * hidden + j] = dh[j] * tanh_c * o * (T(1) - o);
    dc[j] = dcell * f;
  }
}

// dh (batch, H) = dout rows of step t + dgates rows of step t+1 times W_hh: the loss's direct gradient
// plus what the next step's gates send back.
template <class T>
void step_dhidden(const Matrix<T>& dout, const Matrix<T>& dgates, const LstmParams<T>& params, std::size_t batch,
                  std::size_t time, std::size_t t, Matrix<T>& dh) {
  const std::size_t hidden = hidden_size(params);
  for (std::size_t b = 0; b < batch; ++b)
    std::copy_n(dout.data() + (b * time + t) * hidden, hidden, dh.data() + b * hidden);
  if (t + 1 < time)
    gemm(Trans::no, Trans::no, batch, hidden, 4 * hidden, T(1), dgates.data() + (t + 1) * 4 * hidden,
         time * 4 * hidden, params.weight_hh.data(), hidden, T(1), dh.data(), hidden);
}

// dW_hh += sum over t >= 1 of dgates_t^T h_{t-1}. Per batch element both are contiguous row blocks
// (steps 1..time-1 of dgates, 0..time-2 of h), so one product per sequence covers all its steps.
template <class T>
void add_dweight_hh(const Matrix<T>& dgates, const Matrix<T>& hidden_states, std::size_t batch, std::size_t time,
                    Matrix<T>& dweight_hh) {
  const std::size_t hidden = hidden_states.shape(1);
  for (std::size_t b = 0; b < batch; ++b)
    gemm(Trans::yes, Trans::no, 4 * hidden, hidden, time - 1, T(1), dgates.data() + (b * time + 1) * 4 * hidden,
         4 * hidden, hidden_states.data() + b * time * hidden, hidden, T(1), dweight_hh.data(), hidden);
}

// Both biases enter every pre-activation once, so each gets the column sums of dgates. Written in place
// through data(): xtensor's `+=` on a container assigns through a temporary and moves its buffer in,
// which would leave the ParamRef pointers a model hands out dangling.
template <class T>
void add_dbiases(const Matrix<T>& dgates, LstmParams<T>& grads) {
  const std::size_t cols = dgates.shape(1);
  T* dbias_ih = grads.bias_ih.data();
  T* dbias_hh = grads.bias_hh.data();
  for (std::size_t r = 0; r < dgates.shape(0); ++r)
    for (std::size_t j = 0; j < cols; ++j) {
      dbias_ih[j] += dgates.data()[r * cols + j];
      dbias_hh[j] += dgates.data()[r * cols + j];
    }
}

}  // namespace

template <class T>
LstmParams<T> lstm_zeros(std::size_t input, std::size_t hidden) {
  return {xt::zeros<T>({4 * hidden, input}), xt::zeros<T>({4 * hidden, hidden}), xt::zeros<T>({4 * hidden}),
          xt::zeros<T>({4 * hidden})};
}

template <class T>
Matrix<T> lstm_forward(const Matrix<T>& inp, const LstmParams<T>& params, std::size_t batch, LstmCache<T>& cache) {
  require_shapes(inp, params, batch);
  const std::size_t rows = inp.shape(0), time = rows / batch, hidden = hidden_size(params);
  cache.gates = input_projection(inp, params);
  cache.cell = Matrix<T>::from_shape({rows, hidden});
  cache.hidden = Matrix<T>::from_shape({rows, hidden});
  for (std::size_t t = 0; t < time; ++t) {
    if (t > 0) add_recurrent_projection(cache, params, batch, time, t);
    for (std::size_t b = 0; b < batch; ++b) cell_step(b * time + t, t == 0, hidden, cache);
  }
  return cache.hidden;
}

template <class T>
Matrix<T> lstm_backward(const Matrix<T>& dout, const Matrix<T>& inp, const LstmParams<T>& params, std::size_t batch,
                        const LstmCache<T>& cache, LstmParams<T>& grads) {
  require_shapes(inp, params, batch);
  const std::size_t rows = inp.shape(0), time = rows / batch, hidden = hidden_size(params);
  if (dout.shape(0) != rows || dout.shape(1) != hidden) throw std::invalid_argument("lstm: dout is not (N, H)");
  Matrix<T> dgates = Matrix<T>::from_shape({rows, 4 * hidden});
  Matrix<T> dh = Matrix<T>::from_shape({batch, hidden});
  Matrix<T> dc = xt::zeros<T>({batch, hidden});  // dL/dc flowing back from the later steps
  for (std::size_t t = time; t-- > 0;) {
    step_dhidden(dout, dgates, params, batch, time, t, dh);
    for (std::size_t b = 0; b < batch; ++b) {
      const std::size_t row = b * time + t;
      cell_step_backward(row, t == 0, hidden, cache, dh.data() + b * hidden, dc.data() + b * hidden,
                         dgates.data() + row * 4 * hidden);
    }
  }
  add_matmul_tn(grads.weight_ih, dgates, inp);
  add_dweight_hh(dgates, cache.hidden, batch, time, grads.weight_hh);
  add_dbiases(dgates, grads);
  return matmul_nn(dgates, params.weight_ih);
}

#define NN_INSTANTIATE(T)                                                                                     \
  template LstmParams<T> lstm_zeros<T>(std::size_t, std::size_t);                                            \
  template Matrix<T> lstm_forward<T>(const Matrix<T>&, const LstmParams<T>&, std::size_t, LstmCache<T>&);   \
  template Matrix<T> lstm_backward<T>(const Matrix<T>&, const Matrix<T>&, const LstmParams<T>&, std::size_t, \
                                      const LstmCache<T>&, LstmParams<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
