#include "workbook/blas_kernels.hpp"

#include <cstdlib>

#include <unistd.h>

// OpenBLAS's own query; <cblas.h> declares it too, but clashes with xtensor-blas's declarations.
extern "C" char* openblas_get_corename(void);

namespace workbook {

std::string blas_kernels() { return openblas_get_corename(); }

const char* blas_kernels_fallback() {
#if defined(__x86_64__)
  if (blas_kernels() != "Prescott") return nullptr;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;
}

void use_fast_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // the user's choice, or already run again
  const char* kernels = blas_kernels_fallback();
  if (kernels == nullptr) return;
  setenv("OPENBLAS_CORETYPE", kernels, 1);
  execv("/proc/self/exe", argv);
}

}  // namespace workbook
