# Sourced by the benchmark scripts (after setting $build): ours and PyTorch use the same OpenBLAS, so both get
# the same kernels. Where OpenBLAS 0.3.21 does not know the CPU and falls back to its slowest kernels
# (harness/include/workbook/blas_kernels.hpp), OPENBLAS_CORETYPE names the right ones for both sides.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  fallback=$("$build/bench/bench_blas_kernels")
  if [ -n "$fallback" ]; then export OPENBLAS_CORETYPE=$fallback; fi
fi
echo "OpenBLAS kernels for both sides: ${OPENBLAS_CORETYPE:-as OpenBLAS chose them}" >&2
