#pragma once
// 2-D convolution and 2x2 max pooling on NCHW images, one image per row: an (N, C*H*W) matrix whose row
// n holds image n channel by channel, each channel row by row (PyTorch's memory order).
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

struct ImageShape {
  std::size_t channels = 1;
  std::size_t height = 1;
  std::size_t width = 1;
  std::size_t size() const { return channels * height * width; }
};

// A square kernel, stride 1, zero padding on all four sides (PyTorch's Conv2d(padding=p)).
struct Conv2dShape {
  ImageShape input;
  std::size_t kernel = 3;
  std::size_t padding = 1;
  std::size_t out_height() const { return input.height + 2 * padding - kernel + 1; }
  std::size_t out_width() const { return input.width + 2 * padding - kernel + 1; }
  ImageShape output(std::size_t out_channels) const { return {out_channels, out_height(), out_width()}; }
};

// inp (N, C_in*H*W), weight (C_out, C_in*k*k) (PyTorch's (C_out, C_in, k, k) flattened), bias (C_out)
// -> out (N, C_out*H_out*W_out). Per image: im2col, then one product with the weight.
template <class T>
Matrix<T> conv2d_forward(const Matrix<T>& inp, const Matrix<T>& weight, const Vector<T>& bias,
                         const Conv2dShape& shape);
// Returns dinp (N, C_in*H*W) (col2im of weight^T dout); adds into dweight and dbias.
template <class T>
Matrix<T> conv2d_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Matrix<T>& weight,
                          const Conv2dShape& shape, Matrix<T>& dweight, Vector<T>& dbias);

// For each output element, the column of the input row it was taken from.
struct MaxPoolCache {
  std::vector<std::size_t> argmax;  // (N * C * H/2 * W/2), row-major like the output
};

// 2x2 windows, stride 2: inp (N, C*H*W) -> out (N, C*(H/2)*(W/2)); an odd last row or column is dropped
// (PyTorch's floor mode). Ties go to the first maximum in row-major order.
template <class T>
Matrix<T> max_pool2x2_forward(const Matrix<T>& inp, const ImageShape& shape, MaxPoolCache& cache);
// Routes each dout element to its window's maximum: dinp (N, C*H*W), zero elsewhere.
template <class T>
Matrix<T> max_pool2x2_backward(const Matrix<T>& dout, const ImageShape& shape, const MaxPoolCache& cache);

// The output shape of a pooling layer, for chaining layers.
inline ImageShape max_pool2x2_output(const ImageShape& shape) {
  return {shape.channels, shape.height / 2, shape.width / 2};
}

}  // namespace nn
