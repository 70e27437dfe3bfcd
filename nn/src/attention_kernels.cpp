#include "nn/attention_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/gemm.hpp"
#include "nn/parallel.hpp"
#include "nn/simd.hpp"

namespace nn {

namespace {

using simd::exp_nonpositive;
using simd::exponentiate_row;
using simd::minus_infinity;
using simd::row_max;
using simd::scale_row;

// ---- parallelism ------------------------------------------------------------------------------------

// Runs solve_range(first, last) on `threads` contiguous ranges of problems [0, batch), one OpenMP thread
// each, inside a parallel region even for one thread: nn::gemm then leaves its products whole, so that
// "1 thread" in the benchmark means one core.
template <class SolveRange>
void for_problems_in_parallel(std::size_t batch, std::size_t threads, const SolveRange& solve_range) {
  slices_in_parallel_region(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(batch, 1)), batch, solve_range);
}

// scores (rows, cols), row i = query first_query + i, column j = key first_key + j: -inf where the key
// lies after the query.
void mask_future_keys(float* scores, std::size_t rows, std::size_t cols, std::size_t first_query,
                      std::size_t first_key) {
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t first_hidden = first_query + i + 1;  // absolute position of the first hidden key
    const std::size_t visible = first_hidden > first_key ? std::min(cols, first_hidden - first_key) : 0;
    std::fill(scores + i * cols + visible, scores + (i + 1) * cols, minus_infinity);
  }
}

float score_scale(std::size_t d) { return 1.f / std::sqrt(float(d)); }

// ---- naive ------------------------------------------------------------------------------------------

// scores (n, n) -> their row softmax in place; under the causal mask row i keeps only columns j <= i.
SIMD_CLONES void softmax_rows(float* scores, std::size_t n, bool causal) {
  for (std::size_t i = 0; i < n; ++i) {
    float* row = scores + i * n;
    const std::size_t visible = causal ? i + 1 : n;
    simd::softmax_row(row, visible);
    std::fill(row + visible, row + n, 0.f);
  }
}

// One problem: q, k, v (n, d) -> out (n, d), through scores (n, n).
void naive_problem(const float* q, const float* k, const float* v, float* out, std::size_t n, std::size_t d,
                   bool causal, float* scores) {
  gemm(Trans::no, Trans::yes, n, n, d, score_scale(d), q, d, k, d, 0.f, scores, n);
  softmax_rows(scores, n, causal);
  gemm(Trans::no, Trans::no, n, d, n, 1.f, scores, n, v, d, 0.f, out, d);
}

// ---- tiled ------------------------------------------------------------------------------------------

// The running state of the online softmax for one block of queries.
struct OnlineSoftmax {
  std::vector<float> scores;   // (query_rows, key_rows): one tile of scores, then of probabilities
  std::vector<float> row_max;  // (query_rows): the largest score each query has seen so far
  std::vector<float> row_sum;  // (query_rows): sum of exp(score - row_max) over the keys seen so far
};

// Turns one tile of scores (rows, cols) into unnormalised probabilities against the running max and
// brings the partial output acc (rows, d) and the running sums to that max. The first tile of a block
// (first = true) starts the state; acc is not read then.
SIMD_CLONES void absorb_score_tile(OnlineSoftmax& state, std::size_t rows, std::size_t cols, float* acc,
                                   std::size_t d, bool first) {
  for (std::size_t i = 0; i < rows; ++i) {
    float* row = state.scores.data() + i * cols;
    const float old_max = state.row_max[i];
    const float new_max = first ? row_max(row, cols) : std::max(old_max, row_max(row, cols));
    const float tile_sum = exponentiate_row(row, cols, new_max);
    if (first) {
      state.row_sum[i] = tile_sum;
    } else {
      // the old terms were exponentiated against a smaller max: shrink them to the new one
      const float rescale = exp_nonpositive(old_max - new_max);
      state.row_sum[i] = state.row_sum[i] * rescale + tile_sum;
      if (rescale != 1.f) scale_row(acc + i * d, d, rescale);
    }
    state.row_max[i] = new_max;
  }
}

// One block of queries q_blk (rows, d) against keys and values (key_end, d) -> out_blk (rows, d).
// Row i of the block is query first_query + i.
void tiled_query_block(const float* q_blk, const float* k, const float* v, float* out_blk, std::size_t rows,
                       std::size_t first_query, std::size_t key_end, std::size_t d, bool causal,
                       std::size_t key_rows, OnlineSoftmax& state) {
  for (std::size_t first_key = 0; first_key < key_end; first_key += key_rows) {
    const std::size_t cols = std::min(key_rows, key_end - first_key);
    const bool first = first_key == 0;
    gemm(Trans::no, Trans::yes, rows, cols, d, score_scale(d), q_blk, d, k + first_key * d, d, 0.f,
         state.scores.data(), cols);
    if (causal && first_key + cols > first_query + 1)
      mask_future_keys(state.scores.data(), rows, cols, first_query, first_key);
    absorb_score_tile(state, rows, cols, out_blk, d, first);
    gemm(Trans::no, Trans::no, rows, d, cols, 1.f, state.scores.data(), cols, v + first_key * d, d,
         first ? 0.f : 1.f, out_blk, d);
  }
  for (std::size_t i = 0; i < rows; ++i) scale_row(out_blk + i * d, d, 1.f / state.row_sum[i]);
}

// One problem: q, k, v (n, d) -> out (n, d), one block of queries at a time.
void tiled_problem(const float* q, const float* k, const float* v, float* out, std::size_t n, std::size_t d,
                   bool causal, const AttentionTiles& tiles, OnlineSoftmax& state) {
  for (std::size_t first_query = 0; first_query < n; first_query += tiles.query_rows) {
    const std::size_t rows = std::min(tiles.query_rows, n - first_query);
    // under the causal mask no query of this block sees a key past its last query
    const std::size_t key_end = causal ? first_query + rows : n;
    tiled_query_block(q + first_query * d, k, v, out + first_query * d, rows, first_query, key_end, d, causal,
                      tiles.key_rows, state);
  }
}

}  // namespace

void attention_naive(const float* q, const float* k, const float* v, float* out, const AttentionDims& dims,
                     std::size_t threads) {
  const std::size_t problem = dims.n * dims.d;
  for_problems_in_parallel(dims.batch, threads, [&](std::size_t first, std::size_t last) {
    std::vector<float> scores(dims.n * dims.n);
    for (std::size_t b = first; b < last; ++b)
      naive_problem(q + b * problem, k + b * problem, v + b * problem, out + b * problem, dims.n, dims.d,
                    dims.causal, scores.data());
  });
}

void attention_tiled(const float* q, const float* k, const float* v, float* out, const AttentionDims& dims,
                     std::size_t threads, const AttentionTiles& tiles) {
  const std::size_t problem = dims.n * dims.d;
  const AttentionTiles clamped{std::max<std::size_t>(tiles.query_rows, 1),
                               std::max<std::size_t>(tiles.key_rows, 1)};
  for_problems_in_parallel(dims.batch, threads, [&](std::size_t first, std::size_t last) {
    OnlineSoftmax state{std::vector<float>(clamped.query_rows * clamped.key_rows),
                        std::vector<float>(clamped.query_rows), std::vector<float>(clamped.query_rows)};
    for (std::size_t b = first; b < last; ++b)
      tiled_problem(q + b * problem, k + b * problem, v + b * problem, out + b * problem, dims.n, dims.d,
                    dims.causal, clamped, state);
  });
}

}  // namespace nn
