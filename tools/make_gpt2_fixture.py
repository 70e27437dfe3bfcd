#!/usr/bin/python3
"""Writes arch13/19's fixture: a tiny GPT-2 in Hugging Face's model.safetensors layout, and PyTorch's logits for it.

  data/arch13-19/model.safetensors      what `GPT2LMHeadModel.save_pretrained` writes for a GPT-2 of this shape:
                                         HF's names (wte.weight, h.{l}.attn.c_attn.weight, ...), Conv1D weights
                                         stored (C_in, C_out), the causal-mask buffers h.{l}.attn.bias, no
                                         lm_head.weight (the head is tied to wte), metadata {"format": "pt"}; F32.
  data/arch13-19/reference.safetensors  tokens (2, 16) I64 and PyTorch's logits (2, 16, vocab) F64 for them.

The forward is HF's GPT-2 (modeling_gpt2.py: GPT2Attention, GPT2MLP, GPT2Block) written in plain torch ops, since
no transformers package is available here: Conv1D is x @ W + b with W (C_in, C_out); attention scales by
1/sqrt(head size) and masks with the stored bias buffer; GELU is gelu_new (tanh); LayerNorm eps 1e-5; logits are
ln_f(h) @ wte^T. The float32 weights are upcast to float64 for the forward, so the logits are exact for the
weights the file holds. The script checks its ops against torch.nn.functional and the files by reading them back.

Run from the repository root with Debian's torch:  /usr/bin/python3 tools/make_gpt2_fixture.py
"""
import math
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_nn_fixtures as fixtures  # noqa: E402  (the safetensors writer and reader, gelu_tanh, layernorm)

fixtures.DTYPES.setdefault(torch.float32, ("F32", "<f4"))  # HF stores GPT-2 in float32

SEED = 1919
OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "arch13-19"
# vocab != n_embd and != 3 n_embd, so that a transposed embedding or a reshaped Conv1D weight changes a shape.
CONFIG = dict(vocab_size=80, n_positions=24, n_embd=32, n_layer=2, n_head=4, layer_norm_epsilon=1e-5)
BATCH, SEQ_LEN = 2, 16


def hf_tensors(cfg):
    # name -> float32 tensor, in HF's layout. Larger than GPT-2's own init (0.02), so that every mistake in a
    # mapping moves the logits far beyond 1e-4.
    C, V, P = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    t = {"wte.weight": 0.3 * torch.randn(V, C), "wpe.weight": 0.3 * torch.randn(P, C)}

    def layernorm_params(prefix):
        t[f"{prefix}.weight"] = 1 + 0.2 * torch.randn(C)
        t[f"{prefix}.bias"] = 0.2 * torch.randn(C)

    def conv1d_params(prefix, n_in, n_out):  # HF's Conv1D keeps its weight as (in, out)
        t[f"{prefix}.weight"] = torch.randn(n_in, n_out) / math.sqrt(n_in)
        t[f"{prefix}.bias"] = 0.1 * torch.randn(n_out)

    for layer in range(cfg["n_layer"]):
        h = f"h.{layer}"
        layernorm_params(f"{h}.ln_1")
        conv1d_params(f"{h}.attn.c_attn", C, 3 * C)
        conv1d_params(f"{h}.attn.c_proj", C, C)
        t[f"{h}.attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)  # the causal-mask buffer
        layernorm_params(f"{h}.ln_2")
        conv1d_params(f"{h}.mlp.c_fc", C, 4 * C)
        conv1d_params(f"{h}.mlp.c_proj", 4 * C, C)
    layernorm_params("ln_f")
    return {name: value.float() for name, value in t.items()}


def conv1d(x, w, b):
    return x @ w + b  # HF's Conv1D: torch.addmm(b, x, w)


def gpt2_attention(x, p, prefix, cfg):
    # x (B, T, C) -> (B, T, C), as GPT2Attention: split [q | k | v], heads, scaled scores, mask buffer, softmax.
    B, T, C = x.shape
    H = cfg["n_head"]
    q, k, v = conv1d(x, p[f"{prefix}.c_attn.weight"], p[f"{prefix}.c_attn.bias"]).split(C, dim=2)
    q, k, v = (z.view(B, T, H, C // H).permute(0, 2, 1, 3) for z in (q, k, v))  # (B, H, T, hd)
    scores = q @ k.transpose(-1, -2) / math.sqrt(C // H)
    causal = p[f"{prefix}.bias"][:, :, :T, :T].bool()
    scores = torch.where(causal, scores, torch.tensor(torch.finfo(scores.dtype).min, dtype=scores.dtype))
    out = (scores.softmax(dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, T, C)
    return conv1d(out, p[f"{prefix}.c_proj.weight"], p[f"{prefix}.c_proj.bias"])


def gpt2_logits(tokens, p, cfg):
    # tokens (B, T) -> logits (B, T, vocab): embeddings, pre-LN blocks, ln_f, the head tied to wte.
    eps = cfg["layer_norm_epsilon"]
    x = p["wte.weight"][tokens] + p["wpe.weight"][: tokens.shape[1]]
    for layer in range(cfg["n_layer"]):
        h = f"h.{layer}"
        x = x + gpt2_attention(fixtures.layernorm(x, p[f"{h}.ln_1.weight"], p[f"{h}.ln_1.bias"], eps), p, f"{h}.attn",
                               cfg)
        a = fixtures.layernorm(x, p[f"{h}.ln_2.weight"], p[f"{h}.ln_2.bias"], eps)
        a = fixtures.gelu_tanh(conv1d(a, p[f"{h}.mlp.c_fc.weight"], p[f"{h}.mlp.c_fc.bias"]))
        x = x + conv1d(a, p[f"{h}.mlp.c_proj.weight"], p[f"{h}.mlp.c_proj.bias"])
    x = fixtures.layernorm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    return x @ p["wte.weight"].T


def check_attention_matches_torch(p, cfg):
    # The spelled-out attention equals torch's own multi-head attention with the same weights and a causal mask.
    x = torch.randn(BATCH, SEQ_LEN, cfg["n_embd"], dtype=torch.float64)
    prefix, C = "h.0.attn", cfg["n_embd"]
    mask = torch.triu(torch.full((SEQ_LEN, SEQ_LEN), float("-inf"), dtype=torch.float64), diagonal=1)
    expected, _ = F.multi_head_attention_forward(
        x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1), C, cfg["n_head"],
        p[f"{prefix}.c_attn.weight"].T, p[f"{prefix}.c_attn.bias"], None, None, False, 0.0,
        p[f"{prefix}.c_proj.weight"].T, p[f"{prefix}.c_proj.bias"], training=False, need_weights=False,
        attn_mask=mask)
    assert torch.allclose(gpt2_attention(x, p, prefix, cfg), expected.transpose(0, 1)), "attention"


def main():
    fixtures.check_ops_match_torch()
    torch.manual_seed(SEED)
    weights = hf_tensors(CONFIG)
    as_double = {name: value.double() for name, value in weights.items()}
    check_attention_matches_torch(as_double, CONFIG)
    tokens = torch.randint(0, CONFIG["vocab_size"], (BATCH, SEQ_LEN))
    logits = gpt2_logits(tokens, as_double, CONFIG)
    assert torch.isfinite(logits).all() and logits.std() > 0.5, "logits"
    files = {"model.safetensors": (weights, {"format": "pt"}),
             "reference.safetensors": ({"tokens": tokens, "logits": logits},
                                       {"generator": f"tools/make_gpt2_fixture.py, torch {torch.__version__}",
                                        **{key: str(value) for key, value in CONFIG.items()}})}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, (tensors, metadata) in files.items():
        data = fixtures.safetensors_bytes(tensors, metadata)
        fixtures.check_round_trip(data, tensors, metadata)
        (OUT_DIR / name).write_bytes(data)
        print(f"data/arch13-19/{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
