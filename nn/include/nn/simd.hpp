#pragma once
// Float rows sixteen lanes at a time, for the library's float hot loops (attention softmax, GELU, the
// inference kernels). Internal to the nn library: include it from .cpp files only.
//
// Sixteen floats as one value (GCC's vector extension): every operation on it becomes SIMD instructions,
// one AVX-512 or two AVX2 or four SSE instructions. Plain loops would stay scalar: under the default
// -ftrapping-math GCC does not turn the clamps and selects an exponential needs into vector blends, and
// glibc's expf is a scalar call. Functions that loop over rows are compiled once per instruction set
// (SIMD_CLONES) and chosen when the program loads, so the build needs no -march flag; the primitives here
// are inlined into each clone. Measured: scalar exponentials took 27% of the tiled attention kernel's time
// (n 4096, d 64), these 11%; GELU forward and backward took 22% of a char-GPT training step with expf.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__x86_64__)
#define SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SIMD_CLONES
#endif
#define SIMD_INLINE [[gnu::always_inline]] inline
// For a lambda handed to map: inlined into the clone, never compiled (and called) on its own.
#define SIMD_LAMBDA __attribute__((always_inline))

// GCC warns (at the end of the including file, hence no pop) that returning wide vectors depends on the
// instruction set; they never cross a library boundary. They are passed by const reference: that note
// cannot be switched off otherwise.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace nn::simd {

constexpr std::size_t width = 16;
using Floats = float __attribute__((vector_size(width * sizeof(float))));
using Ints = std::int32_t __attribute__((vector_size(width * sizeof(float))));
constexpr float minus_infinity = -std::numeric_limits<float>::infinity();

SIMD_INLINE Floats broadcast(float x) { return Floats{} + x; }

SIMD_INLINE Floats load(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);  // an unaligned load
  return v;
}

// The last len < width values of a row; the lanes past them hold `fill`.
SIMD_INLINE Floats load_partial(const float* p, std::size_t len, float fill) {
  Floats v = broadcast(fill);
  for (std::size_t i = 0; i < len; ++i) v[i] = p[i];
  return v;
}

SIMD_INLINE void store(float* p, const Floats& v, std::size_t len = width) {
  for (std::size_t i = 0; i < len; ++i) p[i] = v[i];
}

// exp(x) for x <= 0. x = m ln2 + r with |r| <= ln2/2; exp(r) by its degree-6 Taylor polynomial (relative
// error < 3e-7); 2^m written into the exponent bits. Below -87 float exp underflows: the result is 0
// there, which also covers masked (-inf) scores.
SIMD_INLINE Floats exp_nonpositive(const Floats& x) {
  constexpr float log2e = 1.44269504f;
  constexpr float ln2_hi = 0.693359375f;  // ln 2 split so that m * ln2_hi is exact (Cody and Waite)
  constexpr float ln2_lo = -2.12194440e-4f;
  constexpr float round_magic = 12582912.f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
  const Floats floor = broadcast(-87.f);
  const Floats clamped = x < floor ? floor : x;
  const Floats shifted = clamped * log2e + round_magic;
  const Floats m = shifted - round_magic;
  const Floats r = (clamped - m * ln2_hi) - m * ln2_lo;
  const Floats poly =
      1.f + r * (1.f + r * (1.f / 2 + r * (1.f / 6 + r * (1.f / 24 + r * (1.f / 120 + r * (1.f / 720))))));
  const Ints m_int = std::bit_cast<Ints>(shifted) - std::bit_cast<std::int32_t>(round_magic);
  const Floats two_to_m = std::bit_cast<Floats>((m_int + 127) << 23);
  return x < floor ? Floats{} : poly * two_to_m;
}

SIMD_INLINE float exp_nonpositive(float x) { return exp_nonpositive(broadcast(x))[0]; }

// 1 / (1 + exp(-z)) for any z, from exp(-|z|) only (never overflows): e / (1 + e) below 0.
SIMD_INLINE Floats sigmoid(const Floats& z) {
  const Floats e = exp_nonpositive(z < 0 ? z : -z);
  const Floats inv = 1.f / (1.f + e);
  return z < 0 ? e * inv : inv;
}

// row (len) -> its largest value (-inf for an empty or fully masked row).
SIMD_INLINE float row_max(const float* row, std::size_t len) {
  Floats best = broadcast(minus_infinity);
  std::size_t j = 0;
  for (; j + width <= len; j += width) {
    const Floats x = load(row + j);
    best = x > best ? x : best;
  }
  const Floats tail = load_partial(row + j, len - j, minus_infinity);
  best = tail > best ? tail : best;
  float result = minus_infinity;
  for (std::size_t i = 0; i < width; ++i) result = std::max(result, best[i]);
  return result;
}

// row (len) -> exp(row - shift) in place; returns the sum of the new values. shift >= every entry.
SIMD_INLINE float exponentiate_row(float* row, std::size_t len, float shift) {
  Floats sum{};
  std::size_t j = 0;
  for (; j + width <= len; j += width) {
    const Floats e = exp_nonpositive(load(row + j) - shift);
    store(row + j, e);
    sum += e;
  }
  // the padding lanes are -inf and add exp(-inf) = 0 to the sum
  const Floats tail = exp_nonpositive(load_partial(row + j, len - j, minus_infinity) - shift);
  store(row + j, tail, len - j);
  sum += tail;
  float result = 0;
  for (std::size_t i = 0; i < width; ++i) result += sum[i];
  return result;
}

SIMD_INLINE void scale_row(float* row, std::size_t len, float factor) {
  for (std::size_t j = 0; j < len; ++j) row[j] *= factor;
}

// row (len) -> softmax(row) in place (len >= 1).
SIMD_INLINE void softmax_row(float* row, std::size_t len) {
  scale_row(row, len, 1.f / exponentiate_row(row, len, row_max(row, len)));
}

// out[i] = f(in[i]) for i < n, f taking and returning Floats; the tail runs in one partial vector.
template <class F>
SIMD_INLINE void map(const float* in, float* out, std::size_t n, const F& f) {
  std::size_t i = 0;
  for (; i + width <= n; i += width) store(out + i, f(load(in + i)));
  if (i < n) store(out + i, f(load_partial(in + i, n - i, 0.f)), n - i);
}

// out[i] = f(a[i], b[i]) for i < n.
template <class F>
SIMD_INLINE void map(const float* a, const float* b, float* out, std::size_t n, const F& f) {
  std::size_t i = 0;
  for (; i + width <= n; i += width) store(out + i, f(load(a + i), load(b + i)));
  if (i < n) store(out + i, f(load_partial(a + i, n - i, 0.f), load_partial(b + i, n - i, 0.f)), n - i);
}

}  // namespace nn::simd
