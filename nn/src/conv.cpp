#include "nn/conv.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "nn/gemm.hpp"

namespace nn {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("conv2d: ") + what);
}

template <class T>
void require_shapes(const Matrix<T>& inp, const Matrix<T>& weight, const Conv2dShape& shape) {
  const std::size_t k = shape.kernel;
  require(k > 0 && k <= shape.input.height + 2 * shape.padding && k <= shape.input.width + 2 * shape.padding,
          "kernel larger than the padded image");
  require(inp.shape(1) == shape.input.size(), "input rows are not C*H*W");
  require(weight.shape(1) == shape.input.channels * k * k, "weight is not (C_out, C_in*k*k)");
}

// Calls visit(col, pixel) for every pair of an im2col matrix (C*k*k, H_out*W_out) element and the
// input pixel (index into one image row) it copies; taps that fall on the zero padding are skipped.
template <class Visit>
void for_each_tap(const Conv2dShape& shape, Visit&& visit) {
  const std::size_t k = shape.kernel, height = shape.input.height, width = shape.input.width;
  const std::size_t out_h = shape.out_height(), out_w = shape.out_width(), out_size = out_h * out_w;
  const auto pad = std::ptrdiff_t(shape.padding);
  for (std::size_t c = 0; c < shape.input.channels; ++c)
    for (std::size_t ky = 0; ky < k; ++ky)
      for (std::size_t kx = 0; kx < k; ++kx) {
        const std::size_t col_row = (c * k + ky) * k + kx;
        for (std::size_t oy = 0; oy < out_h; ++oy) {
          const std::ptrdiff_t iy = std::ptrdiff_t(oy + ky) - pad;
          if (iy < 0 || iy >= std::ptrdiff_t(height)) continue;
          for (std::size_t ox = 0; ox < out_w; ++ox) {
            const std::ptrdiff_t ix = std::ptrdiff_t(ox + kx) - pad;
            if (ix < 0 || ix >= std::ptrdiff_t(width)) continue;
            visit(col_row * out_size + oy * out_w + ox, (c * height + std::size_t(iy)) * width + std::size_t(ix));
          }
        }
      }
}

// image (C*H*W) -> cols (C*k*k, H_out*W_out): column p holds the receptive field of output pixel p.
template <class T>
void im2col(const T* image, const Conv2dShape& shape, std::vector<T>& cols) {
  std::fill(cols.begin(), cols.end(), T(0));
  for_each_tap(shape, [&](std::size_t col, std::size_t pixel) { cols[col] = image[pixel]; });
}

// The transpose of im2col: image (C*H*W) += each column scattered back onto its receptive field.
template <class T>
void col2im_add(const std::vector<T>& cols, const Conv2dShape& shape, T* image) {
  for_each_tap(shape, [&](std::size_t col, std::size_t pixel) { image[pixel] += cols[col]; });
}

std::size_t cols_size(const Conv2dShape& shape) {
  return shape.input.channels * shape.kernel * shape.kernel * shape.out_height() * shape.out_width();
}

}  // namespace

template <class T>
Matrix<T> conv2d_forward(const Matrix<T>& inp, const Matrix<T>& weight, const Vector<T>& bias,
                         const Conv2dShape& shape) {
  require_shapes(inp, weight, shape);
  require(bias.size() == weight.shape(0), "bias is not (C_out)");
  const std::size_t out_channels = weight.shape(0), patch = weight.shape(1);
  const std::size_t out_size = shape.out_height() * shape.out_width();
  Matrix<T> out = Matrix<T>::from_shape({inp.shape(0), out_channels * out_size});
  std::vector<T> cols(cols_size(shape));
  for (std::size_t n = 0; n < inp.shape(0); ++n) {
    T* image_out = out.data() + n * out.shape(1);
    for (std::size_t co = 0; co < out_channels; ++co) std::fill_n(image_out + co * out_size, out_size, bias(co));
    im2col(inp.data() + n * inp.shape(1), shape, cols);
    // out_n (C_out, H_out*W_out) += weight (C_out, C*k*k) cols (C*k*k, H_out*W_out)
    gemm(Trans::no, Trans::no, out_channels, out_size, patch, T(1), weight.data(), patch, cols.data(), out_size, T(1),
         image_out, out_size);
  }
  return out;
}

template <class T>
Matrix<T> conv2d_backward(const Matrix<T>& dout, const Matrix<T>& inp, const Matrix<T>& weight,
                          const Conv2dShape& shape, Matrix<T>& dweight, Vector<T>& dbias) {
  require_shapes(inp, weight, shape);
  const std::size_t out_channels = weight.shape(0), patch = weight.shape(1);
  const std::size_t out_size = shape.out_height() * shape.out_width();
  require(dout.shape(0) == inp.shape(0) && dout.shape(1) == out_channels * out_size, "dout does not fit the output");
  Matrix<T> dinp = xt::zeros<T>({inp.shape(0), inp.shape(1)});
  std::vector<T> cols(cols_size(shape)), dcols(cols_size(shape));
  for (std::size_t n = 0; n < inp.shape(0); ++n) {
    const T* dimage_out = dout.data() + n * dout.shape(1);
    for (std::size_t co = 0; co < out_channels; ++co)
      dbias(co) += std::accumulate(dimage_out + co * out_size, dimage_out + (co + 1) * out_size, T(0));
    im2col(inp.data() + n * inp.shape(1), shape, cols);
    // dweight (C_out, C*k*k) += dout_n (C_out, H_out*W_out) cols^T
    gemm(Trans::no, Trans::yes, out_channels, patch, out_size, T(1), dimage_out, out_size, cols.data(), out_size, T(1),
         dweight.data(), patch);
    // dcols (C*k*k, H_out*W_out) = weight^T dout_n
    gemm(Trans::yes, Trans::no, patch, out_size, out_channels, T(1), weight.data(), patch, dimage_out, out_size, T(0),
         dcols.data(), out_size);
    col2im_add(dcols, shape, dinp.data() + n * dinp.shape(1));
  }
  return dinp;
}

template <class T>
Matrix<T> max_pool2x2_forward(const Matrix<T>& inp, const ImageShape& shape, MaxPoolCache& cache) {
  if (inp.shape(1) != shape.size()) throw std::invalid_argument("max_pool2x2: input rows are not C*H*W");
  const ImageShape pooled = max_pool2x2_output(shape);
  const std::size_t out_cols = pooled.size();
  Matrix<T> out = Matrix<T>::from_shape({inp.shape(0), out_cols});
  cache.argmax.resize(inp.shape(0) * out_cols);
  for (std::size_t n = 0; n < inp.shape(0); ++n) {
    const T* image = inp.data() + n * inp.shape(1);
    for (std::size_t c = 0; c < shape.channels; ++c)
      for (std::size_t oy = 0; oy < pooled.height; ++oy)
        for (std::size_t ox = 0; ox < pooled.width; ++ox) {
          const std::size_t corner = (c * shape.height + 2 * oy) * shape.width + 2 * ox;
          std::size_t best = corner;
          for (std::size_t candidate : {corner + 1, corner + shape.width, corner + shape.width + 1})
            if (image[candidate] > image[best]) best = candidate;
          const std::size_t o = (c * pooled.height + oy) * pooled.width + ox;
          out.data()[n * out_cols + o] = image[best];
          cache.argmax[n * out_cols + o] = best;
        }
  }
  return out;
}

template <class T>
Matrix<T> max_pool2x2_backward(const Matrix<T>& dout, const ImageShape& shape, const MaxPoolCache& cache) {
  const std::size_t out_cols = dout.shape(1);
  if (cache.argmax.size() != dout.size() || out_cols != max_pool2x2_output(shape).size())
    throw std::invalid_argument("max_pool2x2: dout does not fit the cached forward");
  Matrix<T> dinp = xt::zeros<T>({dout.shape(0), shape.size()});
  for (std::size_t n = 0; n < dout.shape(0); ++n)
    for (std::size_t o = 0; o < out_cols; ++o)
      dinp.data()[n * shape.size() + cache.argmax[n * out_cols + o]] += dout.data()[n * out_cols + o];
  return dinp;
}

#define NN_INSTANTIATE(T)                                                                                         \
  template Matrix<T> conv2d_forward<T>(const Matrix<T>&, const Matrix<T>&, const Vector<T>&, const Conv2dShape&); \
  template Matrix<T> conv2d_backward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&, const Conv2dShape&, \
                                        Matrix<T>&, Vector<T>&);                                                  \
  template Matrix<T> max_pool2x2_forward<T>(const Matrix<T>&, const ImageShape&, MaxPoolCache&);                 \
  template Matrix<T> max_pool2x2_backward<T>(const Matrix<T>&, const ImageShape&, const MaxPoolCache&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
