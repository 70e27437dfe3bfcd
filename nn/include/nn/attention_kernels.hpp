#pragma once
// Inference-only attention forward kernels in float on raw buffers, for the attention benchmark:
// the textbook version that materialises every score, and a flash-style tiled version whose extra memory
// does not grow with the sequence length. Both compute, for each of `batch` independent (n, d) problems
// (batch = batch * heads),  out = softmax(q k^T / sqrt(d) [+ causal mask]) v.
#include <cstddef>

namespace nn {

// q, k, v, out: contiguous (batch, n, d), row b * n + i of each buffer is position i of problem b.
struct AttentionDims {
  std::size_t batch = 1;
  std::size_t n = 1;
  std::size_t d = 1;
  bool causal = false;  // query i sees keys j <= i; otherwise every key
};

// Rows of queries and of keys one tile of the tiled kernel holds. The defaults were tuned on the benchmark
// machine (AMD EPYC, OpenBLAS 0.3.21, d = 64); see docs/benchmarks.md.
struct AttentionTiles {
  std::size_t query_rows = 256;
  std::size_t key_rows = 256;
};

// The (n, n) score matrix of one problem at a time: one gemm for q k^T, a row softmax, one gemm for p v.
// Extra memory threads * n * n floats. Work is split over `threads` OpenMP threads by problem.
void attention_naive(const float* q, const float* k, const float* v, float* out, const AttentionDims& dims,
                     std::size_t threads = 1);

// Flash-style: for each block of queries, stream blocks of keys through an online softmax (running row max
// and row sum; the partial output is rescaled whenever the max grows) and divide by the sum at the end.
// Extra memory threads * (query_rows * key_rows + 2 * query_rows) floats, independent of n.
void attention_tiled(const float* q, const float* k, const float* v, float* out, const AttentionDims& dims,
                     std::size_t threads = 1, const AttentionTiles& tiles = {});

}  // namespace nn
