#pragma once
// Which kernels OpenBLAS runs, and the fix for a CPU it does not know.
//
// Debian 12's OpenBLAS (0.3.21, built with DYNAMIC_ARCH) picks its kernels from the CPU model number. On a
// model newer than it knows it falls back to Prescott's SSE3 kernels even when the CPU has AVX-512
// (OpenBLAS issue #4267, fixed in 0.3.25). Measured on an Intel Xeon with model 207 (Emerald Rapids):
// sgemm 512^3 at 28 GFLOP/s with Prescott, 124 with SkylakeX. OPENBLAS_CORETYPE chooses the kernels, but
// OpenBLAS reads it once, when it is loaded: a program that wants it must run itself again.
#include <string>

namespace workbook {

// The kernel set OpenBLAS chose ("SkylakeX", "Haswell", "Zen", "Prescott", ...).
std::string blas_kernels();

// The kernel set to ask for instead: "SkylakeX" (AVX-512) or "Haswell" (AVX2 and FMA) where OpenBLAS fell
// back to Prescott on a CPU that has those instructions; nullptr where its own choice stands.
const char* blas_kernels_fallback();

// Where blas_kernels_fallback names a set and the user chose none, runs this program again (same argv) with
// OPENBLAS_CORETYPE set to it. Returns when there is nothing to do, or if running again fails (the program
// then goes on, slower).
void use_fast_blas_kernels(char** argv);

}  // namespace workbook
