#include "nn/attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/gemm.hpp"
#include "nn/parallel.hpp"
#include "nn/simd.hpp"

namespace nn {

// ---- masks ---------------------------------------------------------------------------------------------

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("attention: " + what);
}
}  // namespace

// Every kind sees one interval of keys: causal [0, p], prefix-LM [0, max(prefix, p + 1)), sliding window
// (p - window, p], bidirectional all, key_ranges its own; padding cuts each at key_lengths[b].
AttentionMask::KeyRange AttentionMask::visible_keys(std::size_t b, std::size_t query_pos, std::size_t kv_len) const {
  std::size_t begin = 0;
  std::size_t end = key_lengths.empty() ? kv_len : std::min(kv_len, key_lengths.at(b));
  switch (kind) {
    case MaskKind::bidirectional:
      break;
    case MaskKind::causal:
      end = std::min(end, query_pos + 1);
      break;
    case MaskKind::prefix_lm:
      end = std::min(end, std::max(prefix, query_pos + 1));
      break;
    case MaskKind::sliding_window:
      require(window >= 1, "a sliding window needs window >= 1");
      begin = query_pos + 1 > window ? query_pos + 1 - window : 0;
      end = std::min(end, query_pos + 1);
      break;
    case MaskKind::key_ranges:
      require(query_pos < key_ranges.size(), "a key_ranges mask needs one range per query position");
      begin = key_ranges[query_pos].begin;
      end = std::min(end, key_ranges[query_pos].end);
      break;
  }
  return {std::min(begin, end), end};
}

template <class T>
xt::xtensor<T, 3> split_heads(const Matrix<T>& x, std::size_t batch, std::size_t n_head) {
  require(batch > 0 && n_head > 0 && x.shape(0) % batch == 0 && x.shape(1) % n_head == 0,
          "split_heads: rows must be batch * len and columns n_head * head_dim");
  const std::size_t len = x.shape(0) / batch, dim = x.shape(1) / n_head;
  xt::xtensor<T, 3> heads = xt::xtensor<T, 3>::from_shape({batch * n_head, len, dim});
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t h = 0; h < n_head; ++h)
      for (std::size_t t = 0; t < len; ++t)
        for (std::size_t c = 0; c < dim; ++c) heads(b * n_head + h, t, c) = x(b * len + t, h * dim + c);
  return heads;
}

template <class T>
Matrix<T> merge_heads(const xt::xtensor<T, 3>& heads, std::size_t batch) {
  require(batch > 0 && heads.shape(0) % batch == 0, "merge_heads: slabs must be batch * n_head");
  const std::size_t n_head = heads.shape(0) / batch, len = heads.shape(1), dim = heads.shape(2);
  Matrix<T> x = Matrix<T>::from_shape({batch * len, n_head * dim});
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t h = 0; h < n_head; ++h)
      for (std::size_t t = 0; t < len; ++t)
        for (std::size_t c = 0; c < dim; ++c) x(b * len + t, h * dim + c) = heads(b * n_head + h, t, c);
  return x;
}

template xt::xtensor<float, 3> split_heads<float>(const Matrix<float>&, std::size_t, std::size_t);
template xt::xtensor<double, 3> split_heads<double>(const Matrix<double>&, std::size_t, std::size_t);
template Matrix<float> merge_heads<float>(const xt::xtensor<float, 3>&, std::size_t);
template Matrix<double> merge_heads<double>(const xt::xtensor<double, 3>&, std::size_t);

bool AttentionMask::allows(std::size_t b, std::size_t query_pos, std::size_t key_pos) const {
  const KeyRange range = visible_keys(b, query_pos, key_pos + 1);
  return range.begin <= key_pos && key_pos < range.end;
}

// ---- shapes --------------------------------------------------------------------------------------------

namespace {

std::string shape_text(std::size_t rows, std::size_t cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

template <class T>
void require_shape(const Matrix<T>& m, std::size_t rows, std::size_t cols, const char* name) {
  require(m.shape(0) == rows && m.shape(1) == cols,
          std::string(name) + " is " + shape_text(m.shape(0), m.shape(1)) + ", expected " + shape_text(rows, cols));
}

// max_distance M of a (n_head, 2M + 1) bias table.
template <class T>
std::size_t max_distance(const Matrix<T>& table) {
  return (table.shape(1) - 1) / 2;
}

template <class T>
void validate(const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v, const AttentionShape& s,
              const AttentionMask& mask, const RelativeBias<T>& bias) {
  require(s.head_dim >= 1, "head_dim must be >= 1");
  require(s.n_kv_head >= 1 && s.n_head % s.n_kv_head == 0, "n_kv_head must divide n_head");
  require(mask.kind != MaskKind::sliding_window || mask.window >= 1, "a sliding window needs window >= 1");
  require(mask.key_lengths.empty() || mask.key_lengths.size() == s.batch, "key_lengths needs one length per batch");
  require_shape(q, s.batch * s.q_len, s.n_head * s.head_dim, "q");
  require_shape(k, s.batch * s.kv_len, s.n_kv_head * s.head_dim, "k");
  require_shape(v, s.batch * s.kv_len, s.n_kv_head * s.head_dim, "v");
  if (bias.table) {
    require(bias.table->shape(1) % 2 == 1, "the relative bias has 2 * max_distance + 1 columns");
    require_shape(*bias.table, s.n_head, bias.table->shape(1), "relative bias");
    if (bias.grad) require_shape(*bias.grad, s.n_head, bias.table->shape(1), "relative bias gradient");
  }
}

// Where head h of batch element b starts in each buffer: every head is a strided sub-matrix that gemm reads
// in place, with row stride q_stride (q, out, dq, dout) or kv_stride (k, v, dk, dv).
struct HeadLayout {
  explicit HeadLayout(const AttentionShape& s)
      : shape(s), q_stride(s.n_head * s.head_dim), kv_stride(s.n_kv_head * s.head_dim), group(s.n_head / s.n_kv_head) {}
  std::size_t q_at(std::size_t b, std::size_t h) const { return b * shape.q_len * q_stride + h * shape.head_dim; }
  std::size_t kv_at(std::size_t b, std::size_t h) const {
    return b * shape.kv_len * kv_stride + (h / group) * shape.head_dim;
  }
  std::size_t probs_at(std::size_t b, std::size_t h) const {
    return (b * shape.n_head + h) * shape.q_len * shape.kv_len;
  }
  const AttentionShape& shape;
  std::size_t q_stride;
  std::size_t kv_stride;
  std::size_t group;  // query heads per key/value head
};

template <class T>
T score_scale(const AttentionShape& s) {
  return T(1 / std::sqrt(double(s.head_dim)));
}

// Column of the bias table for a query at query_pos and a key at key_pos: clamp(key - query) + M.
std::size_t relative_column(std::size_t query_pos, std::size_t key_pos, std::size_t max_distance) {
  const auto m = std::ptrdiff_t(max_distance);
  return std::size_t(std::clamp(std::ptrdiff_t(key_pos) - std::ptrdiff_t(query_pos), -m, m) + m);
}

// ---- forward -------------------------------------------------------------------------------------------

// row (kv_len) of scores -> softmax over [range.begin, range.end), exactly 0 outside (all 0 if empty).
template <class T>
void masked_softmax_row(T* row, std::size_t kv_len, AttentionMask::KeyRange range) {
  std::fill(row, row + range.begin, T(0));
  std::fill(row + range.end, row + kv_len, T(0));
  if (range.begin == range.end) return;
  const T max = *std::max_element(row + range.begin, row + range.end);
  T sum = 0;
  for (std::size_t j = range.begin; j < range.end; ++j) {
    row[j] = std::exp(row[j] - max);
    sum += row[j];
  }
  const T inv_sum = T(1) / sum;
  for (std::size_t j = range.begin; j < range.end; ++j) row[j] *= inv_sum;
}

// The float path of training: the same, sixteen lanes at a time (nn_attention compares it with double).
SIMD_CLONES void masked_softmax_row(float* row, std::size_t kv_len, AttentionMask::KeyRange range) {
  std::fill(row, row + range.begin, 0.f);
  std::fill(row + range.end, row + kv_len, 0.f);
  if (range.begin != range.end) simd::softmax_row(row + range.begin, range.end - range.begin);
}

// scores (q_len, kv_len) of head h in batch b -> probabilities, in place: relative bias, mask, softmax.
template <class T>
void scores_to_probs(T* scores, std::size_t b, std::size_t h, const AttentionShape& s, const AttentionMask& mask,
                     const RelativeBias<T>& bias) {
  for (std::size_t i = 0; i < s.q_len; ++i) {
    T* row = scores + i * s.kv_len;
    const std::size_t query_pos = s.q_offset + i;
    const AttentionMask::KeyRange range = mask.visible_keys(b, query_pos, s.kv_len);
    if (bias.table) {
      const T* bias_row = bias.table->data() + h * bias.table->shape(1);
      const std::size_t m = max_distance(*bias.table);
      for (std::size_t j = range.begin; j < range.end; ++j) row[j] += bias_row[relative_column(query_pos, j, m)];
    }
    masked_softmax_row(row, s.kv_len, range);
  }
}

// ---- backward ------------------------------------------------------------------------------------------

// dprobs row -> dscores row in place: p * (dp - sum(p * dp)); 0 wherever p is 0 (masked keys).
template <class T>
void softmax_backward_row(const T* probs, T* grad, std::size_t kv_len) {
  T dot = 0;
  for (std::size_t j = 0; j < kv_len; ++j) dot += probs[j] * grad[j];
  for (std::size_t j = 0; j < kv_len; ++j) grad[j] = probs[j] * (grad[j] - dot);
}

// dscores (q_len, kv_len) of head h -> adds into row h of the bias gradient (the bias enters unscaled).
template <class T>
void accumulate_bias_grad(const T* dscores, std::size_t h, const AttentionShape& s, Matrix<T>& grad) {
  T* grad_row = grad.data() + h * grad.shape(1);
  const std::size_t m = max_distance(grad);
  for (std::size_t i = 0; i < s.q_len; ++i)
    for (std::size_t j = 0; j < s.kv_len; ++j)
      grad_row[relative_column(s.q_offset + i, j, m)] += dscores[i * s.kv_len + j];
}

}  // namespace

// q (B*Tq, H*D), k, v (B*Tk, Hkv*D) -> out (B*Tq, H*D); cache.probs (B, H, Tq, Tk).
template <class T>
Matrix<T> attention_forward(const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v, const AttentionShape& shape,
                            const AttentionMask& mask, const RelativeBias<T>& bias, AttentionCache<T>& cache) {
  validate(q, k, v, shape, mask, bias);
  const HeadLayout at(shape);
  const T scale = score_scale<T>(shape);
  const std::size_t q_len = shape.q_len, kv_len = shape.kv_len, d = shape.head_dim;
  Matrix<T> out = Matrix<T>::from_shape(q.shape());
  cache.probs.resize(shape.batch * shape.n_head * q_len * kv_len);  // every entry is written below
  // (batch, head) pairs are independent: each writes its own probabilities and its own output columns.
  const std::size_t pairs = shape.batch * shape.n_head;
  parallel_slices(pairs, pairs * q_len * kv_len * d, [&](std::size_t first, std::size_t last) {
    for (std::size_t pair = first; pair < last; ++pair) {
      const std::size_t b = pair / shape.n_head, h = pair % shape.n_head;
      T* probs = cache.probs.data() + at.probs_at(b, h);
      gemm(Trans::no, Trans::yes, q_len, kv_len, d, scale, q.data() + at.q_at(b, h), at.q_stride,
           k.data() + at.kv_at(b, h), at.kv_stride, T(0), probs, kv_len);
      scores_to_probs(probs, b, h, shape, mask, bias);
      gemm(Trans::no, Trans::no, q_len, d, kv_len, T(1), probs, kv_len, v.data() + at.kv_at(b, h), at.kv_stride, T(0),
           out.data() + at.q_at(b, h), at.q_stride);
    }
  });
  return out;
}

// dout (B*Tq, H*D) -> dq (B*Tq, H*D), dk, dv (B*Tk, Hkv*D); adds dscores into bias.grad when set.
template <class T>
AttentionGrads<T> attention_backward(const Matrix<T>& dout, const Matrix<T>& q, const Matrix<T>& k, const Matrix<T>& v,
                                     const AttentionShape& shape, const AttentionMask& mask,
                                     const RelativeBias<T>& bias, const AttentionCache<T>& cache) {
  validate(q, k, v, shape, mask, bias);
  require_shape(dout, q.shape(0), q.shape(1), "dout");
  const std::size_t q_len = shape.q_len, kv_len = shape.kv_len, d = shape.head_dim;
  require(cache.probs.size() == shape.batch * shape.n_head * q_len * kv_len, "the cache is not from this shape");
  const HeadLayout at(shape);
  const T scale = score_scale<T>(shape);
  AttentionGrads<T> grads{Matrix<T>::from_shape(q.shape()), xt::zeros<T>(k.shape()), xt::zeros<T>(v.shape())};
  // Slices of (batch, key/value head) pairs: the query heads of one group add into the same dk and dv, so they
  // stay on one thread. The bias gradient is shared by every batch element: with it, one thread does all.
  const std::size_t pairs = shape.batch * shape.n_kv_head;
  const bool shared_bias_grad = bias.table && bias.grad;
  parallel_slices(pairs, shared_bias_grad ? 0 : pairs * at.group * q_len * kv_len * d,
                  [&](std::size_t first, std::size_t last) {
    std::vector<T> dscores(q_len * kv_len);  // reused by every head of the slice
    for (std::size_t pair = first; pair < last; ++pair) {
      const std::size_t b = pair / shape.n_kv_head, first_head = (pair % shape.n_kv_head) * at.group;
      for (std::size_t h = first_head; h < first_head + at.group; ++h) {
        const T* probs = cache.probs.data() + at.probs_at(b, h);
        const T* dout_bh = dout.data() + at.q_at(b, h);
        gemm(Trans::no, Trans::yes, q_len, kv_len, d, T(1), dout_bh, at.q_stride, v.data() + at.kv_at(b, h),
             at.kv_stride, T(0), dscores.data(), kv_len);
        for (std::size_t i = 0; i < q_len; ++i)
          softmax_backward_row(probs + i * kv_len, dscores.data() + i * kv_len, kv_len);
        if (shared_bias_grad) accumulate_bias_grad(dscores.data(), h, shape, *bias.grad);
        // Each query head owns its dq slice (overwrite); query heads of one group share dk and dv (accumulate).
        gemm(Trans::no, Trans::no, q_len, d, kv_len, scale, dscores.data(), kv_len, k.data() + at.kv_at(b, h),
             at.kv_stride, T(0), grads.dq.data() + at.q_at(b, h), at.q_stride);
        gemm(Trans::yes, Trans::no, kv_len, d, q_len, scale, dscores.data(), kv_len, q.data() + at.q_at(b, h),
             at.q_stride, T(1), grads.dk.data() + at.kv_at(b, h), at.kv_stride);
        gemm(Trans::yes, Trans::no, kv_len, d, q_len, T(1), probs, kv_len, dout_bh, at.q_stride, T(1),
             grads.dv.data() + at.kv_at(b, h), at.kv_stride);
      }
    }
  });
  return grads;
}

#define NN_INSTANTIATE(T)                                                                                              \
  template Matrix<T> attention_forward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&, const AttentionShape&, \
                                          const AttentionMask&, const RelativeBias<T>&, AttentionCache<T>&);           \
  template AttentionGrads<T> attention_backward<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&,               \
                                                   const Matrix<T>&, const AttentionShape&, const AttentionMask&,      \
                                                   const RelativeBias<T>&, const AttentionCache<T>&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
