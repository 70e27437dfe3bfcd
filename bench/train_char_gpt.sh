#!/usr/bin/env bash
# Char GPT training speed, ours against PyTorch in the same run, each at 1 and 2 threads; then one full
# 2000-iteration run of ours for the validation loss. Results: bench/results/train_char_gpt.jsonl.
# Usage: bash bench/train_char_gpt.sh [BUILD_DIR] [SPEED_ITERS (200)] [FULL_ITERS (2000; 0 skips the full run)]
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup-peer.sh
build=${1:-build}
iters=${2:-200}
full=${3:-2000}
source bench/blas-kernels.sh
out=bench/results/train_char_gpt.jsonl
mkdir -p bench/results
: > "$out"
for threads in 1 2; do
  OPENBLAS_NUM_THREADS=$threads "$build/bench/bench_train_char_gpt" --iters "$iters" 2>/dev/null | tee -a "$out"
  # this torch multiplies through OpenBLAS, which set_num_threads does not limit: cap it too
  OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/train_char_gpt_torch.py --iters "$iters" --threads "$threads" | tee -a "$out"
done
if [ "$full" -gt 0 ]; then
  OPENBLAS_NUM_THREADS=1 "$build/bench/bench_train_char_gpt" --iters "$full" --out bench/results/char_gpt 2>/dev/null | tee -a "$out"
fi
