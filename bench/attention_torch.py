#!/usr/bin/python3
"""The PyTorch peer of bench_attention: the same shapes and JSON line, one configuration per process.

Runs on Debian's python3-torch (/usr/bin/python3), in fp32 under torch.no_grad().
usage: /usr/bin/python3 bench/attention_torch.py --n 4096 --threads 1|2
           [--kernel torch_naive|torch_sdpa --batch 8 --d 64 --repeats 5 --seed 1]

torch_naive is matmul, softmax, matmul: the (batch, n, n) scores and their softmax both exist at once.
This torch does its matrix products with OpenBLAS, whose threads torch.set_num_threads does not limit:
OPENBLAS_NUM_THREADS is set to --threads as well, before torch (and OpenBLAS with it) is loaded.
torch_sdpa is torch.nn.functional.scaled_dot_product_attention, which PyTorch 1.13 does not have (it
arrived in 2.0): asking for it there prints an error and exits with status 3.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time


def naive_attention(torch, q, k, v):
    """q, k, v (batch, n, d) -> (batch, n, d), the textbook way."""
    scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def sdpa_attention(torch, q, k, v):
    return torch.nn.functional.scaled_dot_product_attention(q, k, v)


KERNELS = {"torch_naive": naive_attention, "torch_sdpa": sdpa_attention}


def median_seconds(run, repeats):
    """Median wall-clock seconds of `repeats` runs after one warm-up run."""
    run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", choices=sorted(KERNELS), default="torch_naive")
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main():
    args = parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch  # only now: OpenBLAS reads its thread count when it is loaded

    if args.kernel == "torch_sdpa" and not hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        print(f"attention_torch.py: torch {torch.__version__} has no scaled_dot_product_attention", file=sys.stderr)
        return 3
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    q, k, v = (torch.randn(args.batch, args.n, args.d, generator=generator, dtype=torch.float32) for _ in range(3))
    attention = KERNELS[args.kernel]
    with torch.no_grad():
        seconds = median_seconds(lambda: attention(torch, q, k, v), args.repeats)
    flops = 4.0 * args.batch * args.n * args.n * args.d  # the two matrix products
    line = {"kernel": args.kernel, "n": args.n, "batch": args.batch, "d": args.d, "threads": args.threads,
            "seconds": seconds, "gflops": flops / seconds / 1e9,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}  # KiB on Linux
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
