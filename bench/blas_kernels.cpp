// Prints the OpenBLAS kernel set both sides of a benchmark should run with (OPENBLAS_CORETYPE), or nothing
// where OpenBLAS's own choice stands: see harness/include/workbook/blas_kernels.hpp. Used by blas-kernels.sh.
#include <iostream>

#include "workbook/blas_kernels.hpp"

int main() {
  if (const char* kernels = workbook::blas_kernels_fallback()) std::cout << kernels << '\n';
  return 0;
}
