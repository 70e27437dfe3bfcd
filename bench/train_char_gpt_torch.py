#!/usr/bin/python3
"""The PyTorch peer of bench_train_char_gpt: the same GPT (pre-LN, GELU tanh, learned positions, tied head,
biases, no dropout), the same data split, AdamW, warm-up + cosine schedule and clipping, timed the same way
(training steps only). Prints one JSON line. Needs Debian's python3-torch (run with /usr/bin/python3).

    /usr/bin/python3 bench/train_char_gpt_torch.py --iters 200 --threads 1
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.c_attn, self.c_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def attention(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self, vocab, context, n_layer, n_head, c):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, c), nn.Embedding(context, c)
        self.blocks = nn.ModuleList(Block(c, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(c)
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.T  # tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def lr_at(step, max_lr, min_lr, warmup, decay):
    if step < warmup:
        return max_lr * (step + 1) / warmup
    if step > decay:
        return min_lr
    ratio = (step - warmup) / (decay - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (max_lr - min_lr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default="data/tinyshakespeare.txt")
    ap.add_argument("--eval-batches", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1337)
    text = open(args.data, "rb").read()
    alphabet = sorted(set(text))
    index = {ch: i for i, ch in enumerate(alphabet)}
    data = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    cut = len(data) - round(0.1 * len(data))
    train, val = data[:cut], data[cut:]
    B, T = 12, 64

    def batch(split):
        starts = torch.randint(len(split) - T, (B,))
        return torch.stack([split[s:s + T] for s in starts]), torch.stack([split[s + 1:s + T + 1] for s in starts])

    model = Gpt(len(alphabet), T, 4, 4, 128)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    seconds = 0.0
    for step in range(args.iters):
        x, y = batch(train)
        start = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr_at(step, 1e-3, 1e-4, 100, args.iters)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seconds += time.perf_counter() - start
    with torch.no_grad():
        model.eval()
        val_loss = sum(model(*batch(val)).item() for _ in range(args.eval_batches)) / args.eval_batches
    print(json.dumps({"side": "torch", "threads": args.threads, "iterations": args.iters,
                      "tokens_per_second": args.iters * B * T / seconds, "val_loss": val_loss,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
