#!/usr/bin/env bash
# KV-cache generation against recomputation (100 new tokens), at 1 and 2 threads.
# Results: bench/results/generate_kv.jsonl. Usage: bash bench/generate_kv.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
source bench/blas-kernels.sh
out=bench/results/generate_kv.jsonl
mkdir -p bench/results
: > "$out"
for threads in 1 2; do
  printf '{"threads": %s, "result": ' "$threads" >> "$out"
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1 "$build/bench/bench_generate_kv" | tr -d '\n' | tee -a "$out"
  echo "}" >> "$out"
  echo
done
