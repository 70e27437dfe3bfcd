#!/usr/bin/env bash
# Char GPT training speed, ours against PyTorch in the same run, each at 1 and 2 threads, alternating sides, ROUNDS
# times (this machine's speed drifts by tens of percent over minutes: compare medians); then one full 2000-iteration
# run of ours for the validation loss. Results: bench/results/train_char_gpt.jsonl.
# Usage: bash bench/train_char_gpt.sh [BUILD_DIR] [SPEED_ITERS (200)] [FULL_ITERS (2000; 0 skips it)] [ROUNDS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup-peer.sh
build=${1:-build}
iters=${2:-200}
full=${3:-2000}
rounds=${4:-3}
source bench/blas-kernels.sh
out=bench/results/train_char_gpt.jsonl
mkdir -p bench/results
: > "$out"
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    # ours: the library's own threads (OpenMP), over single-threaded OpenBLAS (nn/parallel.hpp)
    OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1 "$build/bench/bench_train_char_gpt" --iters "$iters" 2>/dev/null |
      tee -a "$out"
    # PyTorch the same way: its own threads (set_num_threads) over single-threaded OpenBLAS, which this torch
    # multiplies through. Its best 2-thread figure came that way: with OPENBLAS_NUM_THREADS=2 as well it ran
    # slower than on one thread (docs/benchmarks.md).
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/train_char_gpt_torch.py --iters "$iters" --threads "$threads" |
      tee -a "$out"
  done
done
if [ "$full" -gt 0 ]; then
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 "$build/bench/bench_train_char_gpt" --iters "$full" --out bench/results/char_gpt 2>/dev/null | tee -a "$out"
fi
