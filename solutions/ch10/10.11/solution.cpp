// Reference solution for ch10/10.11: naive attention (the whole score matrix of one batch entry at a time),
// tiled attention with an online softmax (one tile of scores at a time), and the benchmark that times them and
// reads their peak memory.

#include "ch10/10.11/interface.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xview.hpp>

namespace ch10_11 {

namespace {

using Matrix = xt::xtensor<double, 2>;
using Batch = xt::xtensor<double, 3>;

// Rows [begin, end) of batch entry b, as a contiguous matrix (BLAS wants contiguous operands).
Matrix rows_of(const Batch& t, std::size_t b, std::size_t begin, std::size_t end) {
  return xt::view(t, b, xt::range(begin, end), xt::all());
}

// Each row of s becomes softmax(scale * row), the row maximum subtracted first.
void softmax_rows_in_place(Matrix& s, double scale) {
  const std::size_t cols = s.shape(1);
  for (std::size_t i = 0; i < s.shape(0); ++i) {
    double* row = s.data() + i * cols;
    const double top = *std::max_element(row, row + cols);
    double sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += row[j] = std::exp((row[j] - top) * scale);
    for (std::size_t j = 0; j < cols; ++j) row[j] /= sum;
  }
}

}  // namespace

Batch naive_attention(const Batch& q, const Batch& k, const Batch& v) {
  const std::size_t batch = q.shape(0), n = q.shape(1), m = k.shape(1), d_v = v.shape(2);
  const double scale = 1 / std::sqrt(double(q.shape(2)));
  Batch out = Batch::from_shape({batch, n, d_v});
  Matrix scores = Matrix::from_shape({n, m});  // the tensor that dominates, reused by every batch entry
  Matrix mixed = Matrix::from_shape({n, d_v});
  for (std::size_t b = 0; b < batch; ++b) {
    // gemm writes into our own buffers: xt::linalg::dot returns an xarray, and assigning that to an xtensor
    // would copy it, holding two n x m matrices at once.
    xt::blas::gemm(rows_of(q, b, 0, n), rows_of(k, b, 0, m), scores, false, true);  // q k^T
    softmax_rows_in_place(scores, scale);
    xt::blas::gemm(scores, rows_of(v, b, 0, m), mixed);
    xt::view(out, b, xt::all(), xt::all()) = mixed;
  }
  return out;
}

Batch tiled_attention(const Batch& q, const Batch& k, const Batch& v, std::size_t block_size) {
  const std::size_t batch = q.shape(0), n = q.shape(1), m = k.shape(1), d_v = v.shape(2);
  const double scale = 1 / std::sqrt(double(q.shape(2)));
  Batch out = Batch::from_shape({batch, n, d_v});
  for (std::size_t b = 0; b < batch; ++b) {
    std::vector<Matrix> key_blocks, value_blocks;  // K and V cut into blocks once: O(m d) memory
    for (std::size_t j0 = 0; j0 < m; j0 += block_size) {
      const std::size_t j1 = std::min(j0 + block_size, m);
      key_blocks.push_back(rows_of(k, b, j0, j1));
      value_blocks.push_back(rows_of(v, b, j0, j1));
    }
    for (std::size_t i0 = 0; i0 < n; i0 += block_size) {
      const std::size_t i1 = std::min(i0 + block_size, n), rows = i1 - i0;
      const Matrix q_block = rows_of(q, b, i0, i1) * scale;
      Matrix partial = xt::zeros<double>({rows, d_v});  // unnormalised output of these query rows
      std::vector<double> running_max(rows, -std::numeric_limits<double>::infinity()), running_sum(rows, 0.0);
      Matrix tile;  // rows x (block's keys): the only scores ever held
      for (std::size_t t = 0; t < key_blocks.size(); ++t) {
        const std::size_t cols = key_blocks[t].shape(0);
        tile.resize({rows, cols});
        xt::blas::gemm(q_block, key_blocks[t], tile, false, true);
        for (std::size_t r = 0; r < rows; ++r) {
          double* s = tile.data() + r * cols;
          const double new_max = std::max(running_max[r], *std::max_element(s, s + cols));
          const double rescale = std::exp(running_max[r] - new_max);  // 0 before the first block
          running_sum[r] *= rescale;
          for (std::size_t c = 0; c < d_v; ++c) partial(r, c) *= rescale;
          for (std::size_t j = 0; j < cols; ++j) running_sum[r] += s[j] = std::exp(s[j] - new_max);
          running_max[r] = new_max;
        }
        xt::blas::gemm(tile, value_blocks[t], partial, false, false, 1.0, 1.0);  // partial += tile v
      }
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < d_v; ++c) out(b, i0 + r, c) = partial(r, c) / running_sum[r];
    }
  }
  return out;
}

Measurement benchmark(Kernel kernel, std::size_t batch, std::size_t n, std::size_t d, std::size_t block_size,
                      int repeats, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Batch q = Batch::from_shape({batch, n, d}), k = q, v = q;
  for (auto* t : {&q, &k, &v})
    for (auto& x : *t) x = normal(rng);
  const auto run = [&] { return kernel == Kernel::naive ? naive_attention(q, k, v) : tiled_attention(q, k, v, block_size); };

  Measurement result{};
  start_peak_memory();
  { const Batch warm_up = run(); }
  result.peak_extra_bytes = peak_extra_bytes_since_start();

  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; ++r) { const Batch out = run(); }
  result.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeats;
  return result;
}

}  // namespace ch10_11
