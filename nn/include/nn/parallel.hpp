#pragma once
// How the library uses more than one core: OpenMP threads (OMP_NUM_THREADS, default one per core) over
// independent slices of the work (rows of a product, attention heads, rows of a norm, elements), each slice
// calling single-threaded BLAS. OpenBLAS's own threads stay off (nn::gemm sees to it): on the small products of
// a training step (768 x 128 x 512) they cost more in hand-offs than they save, and their idle spinning takes
// the core the other slice needs. Measured on the char GPT of bench/: see docs/benchmarks.md.
#include <algorithm>
#include <cstddef>

#include <omp.h>

namespace nn {

// Below this much work (multiply-adds, or elements times a cost) waking a second thread costs more than it saves.
inline constexpr std::size_t parallel_threshold = 1 << 15;

// Runs slice(begin, end) over [0, n) in `threads` contiguous slices, one per thread of one parallel region, even
// for one thread: inside a region the products slice() calls stay whole (parallel_slices below), so that a
// caller that chooses the threads itself gets exactly those.
template <class Slice>
void slices_in_parallel_region(std::size_t threads, std::size_t n, const Slice& slice) {
#pragma omp parallel num_threads(int(threads))
  {
    const std::size_t t = std::size_t(omp_get_thread_num()), count = std::size_t(omp_get_num_threads());
    slice(n * t / count, n * (t + 1) / count);
  }
}

// Runs slice(begin, end) over [0, n) in one contiguous slice per thread when `work` reaches the threshold;
// otherwise, or inside a parallel region already (of any size: its caller has chosen the threads), slice(0, n)
// on this thread.
template <class Slice>
void parallel_slices(std::size_t n, std::size_t work, const Slice& slice) {
  const bool nested = omp_get_level() > 0;
  const std::size_t threads =
      (work < parallel_threshold || nested) ? 1 : std::min<std::size_t>(n, std::size_t(omp_get_max_threads()));
  if (threads <= 1) {
    slice(std::size_t{0}, n);
    return;
  }
  slices_in_parallel_region(threads, n, slice);
}

}  // namespace nn
