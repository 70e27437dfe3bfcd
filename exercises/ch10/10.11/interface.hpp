#pragma once
// Interface for ch10/10.11, naive and tiled attention and their cost. Implement the four functions in namespace
// ch10_11; the three inline helpers at the end are given (they measure memory the same way for everyone).

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include <malloc.h>

#include <xtensor/xtensor.hpp>

namespace ch10_11 {

// q (batch, n, d), k (batch, m, d), v (batch, m, d_v): for each batch entry b,
// out[b] = softmax(q[b] k[b]^T / sqrt(d)) v[b], the softmax over each row; the result is (batch, n, d_v).
// The naive way: for one batch entry at a time, store the whole n x m score matrix, turn it into weights with a
// row softmax, multiply by v[b].
xt::xtensor<double, 3> naive_attention(const xt::xtensor<double, 3>& q, const xt::xtensor<double, 3>& k,
                                       const xt::xtensor<double, 3>& v);

// The same result, tiled: queries in blocks of block_size rows meet keys and values in blocks of block_size
// rows; an online softmax (a running row maximum and row sum, the partial output rescaled whenever the maximum
// grows) folds in one key block at a time, and the output rows are divided by the row sums at the end. Never
// holds more than one block_size x block_size tile of scores. block_size need not divide n or m.
xt::xtensor<double, 3> tiled_attention(const xt::xtensor<double, 3>& q, const xt::xtensor<double, 3>& k,
                                       const xt::xtensor<double, 3>& v, std::size_t block_size);

enum class Kernel { naive, tiled };

// What benchmark measured in this process.
struct Measurement {
  double milliseconds;      // mean wall-clock time of one kernel call, over the timed calls
  double peak_extra_bytes;  // peak_extra_bytes_since_start() just after the first (untimed) call
};

// Draws q, k, v of shape (batch, n, d) with N(0, 1) entries from std::mt19937_64(seed), then calls the kernel
// once, untimed, between start_peak_memory() and peak_extra_bytes_since_start() (block_size for the tiled
// kernel), then times `repeats` further calls with std::chrono::steady_clock.
Measurement benchmark(Kernel kernel, std::size_t batch, std::size_t n, std::size_t d, std::size_t block_size,
                      int repeats, std::uint64_t seed);

// ---- given: memory as Linux counts it (resident pages), not as a program thinks it allocates -------------

// A field of /proc/self/status in bytes ("VmRSS:" resident now, "VmHWM:" the high-water mark), -1 if absent.
inline double status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) * 1024;  // the kernel reports kB
  return -1;
}

inline double resident_at_start = 0;

// Returns freed heap memory to the system (malloc_trim), resets the high-water mark to what is resident now
// (writing 5 to /proc/self/clear_refs) and notes that amount.
inline void start_peak_memory() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  resident_at_start = status_bytes("VmRSS:");
}

// How far the resident memory rose above its level at start_peak_memory(), at its highest since then.
inline double peak_extra_bytes_since_start() { return status_bytes("VmHWM:") - resident_at_start; }

}  // namespace ch10_11
