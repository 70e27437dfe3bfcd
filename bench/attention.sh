#!/usr/bin/env bash
# Benchmark (not a test): attention forward, our naive and tiled kernels against PyTorch's matmul-softmax-
# matmul, batch 8 (= batch * heads), d 64, fp32, for n in 256 1024 4096 8192 on 1 and 2 threads. Every
# configuration runs in its own process, so that its peak RSS is its own. Builds nothing.
# usage: bash bench/attention.sh [build-dir]   (after ninja -C build-dir bench_attention)
# Writes bench/results/attention.jsonl (each line as printed by the benchmark, plus load1: the 1-minute
# load average when the configuration started) and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bench=$build/bench/bench_attention
python=/usr/bin/python3  # Debian's python3-torch; the python3 first on PATH may not have torch
results=bench/results/attention.jsonl
source bench/blas-kernels.sh
[[ -x $bench ]] || { echo "no $bench: build it with ninja -C $build bench_attention" >&2; exit 1; }
mkdir -p "$(dirname "$results")"
: > "$results"

repeats_for() {  # fewer repeats where one run takes seconds
  case $1 in 256) echo 100 ;; 1024) echo 20 ;; 4096) echo 5 ;; *) echo 3 ;; esac
}

load1() { cut -d' ' -f1 /proc/loadavg; }

run() {  # run COMMAND...: one configuration; appends its JSON line with the load it started under
  local load line
  load=$(load1)
  line=$("$@")
  echo "${line%\}}, \"load1\": $load}" | tee -a "$results" >&2
}

for n in 256 1024 4096 8192; do
  repeats=$(repeats_for "$n")
  for threads in 1 2; do
    for kernel in naive tiled; do
      run "$bench" --n "$n" --kernel "$kernel" --threads "$threads" --repeats "$repeats"
    done
    run "$python" bench/attention_torch.py --n "$n" --kernel torch_naive --threads "$threads" --repeats "$repeats"
  done
done

if ! "$python" bench/attention_torch.py --kernel torch_sdpa --n 256 --repeats 1 > /dev/null; then
  echo "(torch_sdpa skipped: this torch has no scaled_dot_product_attention)" >&2
fi

"$python" - "$results" <<'EOF'
import json, sys

rows = [json.loads(line) for line in open(sys.argv[1])]
print("| n | kernel | threads | seconds | GFLOP/s | peak RSS (MiB) | load |")
print("|---:|:---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['n']} | {r['kernel']} | {r['threads']} | {r['seconds']:.4f} | {r['gflops']:.1f} "
          f"| {r['peak_rss_mib']:.0f} | {r['load1']:.1f} |")

def best(kernel, n):
    return min((r for r in rows if r["kernel"] == kernel and r["n"] == n), key=lambda r: r["seconds"])

def threads(r):
    return f"{r['threads']} thread" + ("s" if r["threads"] > 1 else "")

print()
for n in sorted({r["n"] for r in rows}):
    tiled, torch = best("tiled", n), best("torch_naive", n)
    print(f"n = {n}: tiled ({threads(tiled)}) is {torch['seconds'] / tiled['seconds']:.2f}x as fast as "
          f"torch_naive ({threads(torch)}), each at its faster thread count")
EOF
