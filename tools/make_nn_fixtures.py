#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the nn library's model tests: tests/nn/fixtures/*.safetensors.

Three tiny models -- a GPT-2 style decoder, a LLaMA style decoder and a BERT style encoder -- are built from
plain torch ops in float64, run forward, through their loss and backward. Each file holds the parameters, the
gradients dLoss/dparam, the integer inputs and the outputs, so the C++ tests compare against PyTorch without
needing Python. The script checks its own results (finite loss, no all-zero gradient, gradcheck, our ops equal
torch.nn.functional's, the files read back) before writing anything.

Run from the repository root with Debian's torch:  /usr/bin/python3 tools/make_nn_fixtures.py
"""
import json
import math
import pathlib
import struct

import numpy as np
import torch
import torch.nn.functional as F

SEED = 1234
FIXTURE_DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "nn" / "fixtures"

# Configs: everything the C++ side needs to rebuild a model. Stored in each file's metadata as strings.
TINY_GPT = dict(model="tiny_gpt", vocab_size=11, context=8, n_layer=2, n_head=2, n_kv_head=2, n_embd=8,
                head_dim=4, ffn_hidden=32, norm="layernorm", norm_eps=1e-5, activation="gelu_tanh",
                position="learned", bias=True, tied=True, mask="causal", batch=2, seq_len=6, seed=SEED)
TINY_LLAMA = dict(model="tiny_llama", vocab_size=11, context=8, n_layer=2, n_head=4, n_kv_head=2, n_embd=16,
                  head_dim=4, ffn_hidden=24, norm="rmsnorm", norm_eps=1e-5, activation="swiglu",
                  position="rope", rope_base=10000.0, rope_layout="rotate_half", bias=False, tied=False,
                  mask="causal", batch=2, seq_len=6, seed=SEED)
TINY_ENCODER = dict(model="tiny_encoder", vocab_size=13, context=8, n_layer=2, n_head=2, n_kv_head=2, n_embd=8,
                    head_dim=4, ffn_hidden=32, norm="layernorm", norm_eps=1e-5, activation="gelu_tanh",
                    position="learned", bias=True, tied=False, mask="bidirectional_padding", n_classes=3,
                    n_mlm_targets=4, batch=2, seq_len=6, seed=SEED)


# ---------------------------------------------------------------------------------------------------------
# Parameters: (name, shape, kind) specs, then initialisation by kind.

def linear_specs(prefix, n_out, n_in, bias):
    specs = [(f"{prefix}.weight", (n_out, n_in), "weight")]
    return specs + ([(f"{prefix}.bias", (n_out,), "bias")] if bias else [])


def norm_specs(prefix, cfg):
    # LayerNorm has a bias, RMSNorm has none.
    specs = [(f"{prefix}.weight", (cfg["n_embd"],), "norm")]
    return specs + ([(f"{prefix}.bias", (cfg["n_embd"],), "bias")] if cfg["norm"] == "layernorm" else [])


def mlp_specs(prefix, cfg):
    C, hidden, bias = cfg["n_embd"], cfg["ffn_hidden"], cfg["bias"]
    if cfg["activation"] == "swiglu":
        return (linear_specs(f"{prefix}.gate", hidden, C, bias) + linear_specs(f"{prefix}.up", hidden, C, bias)
                + linear_specs(f"{prefix}.down", C, hidden, bias))
    return linear_specs(f"{prefix}.c_fc", hidden, C, bias) + linear_specs(f"{prefix}.c_proj", C, hidden, bias)


def block_specs(layer, cfg):
    C, hd, bias = cfg["n_embd"], cfg["head_dim"], cfg["bias"]
    qkv_width = (cfg["n_head"] + 2 * cfg["n_kv_head"]) * hd
    p = f"h.{layer}"
    return (norm_specs(f"{p}.ln_1", cfg) + linear_specs(f"{p}.attn.c_attn", qkv_width, C, bias)
            + linear_specs(f"{p}.attn.c_proj", C, cfg["n_head"] * hd, bias) + norm_specs(f"{p}.ln_2", cfg)
            + mlp_specs(f"{p}.mlp", cfg))


def trunk_specs(cfg):
    # Embeddings, blocks and the final norm: what all three models share.
    specs = [("wte.weight", (cfg["vocab_size"], cfg["n_embd"]), "weight")]
    if cfg["position"] == "learned":
        specs.append(("wpe.weight", (cfg["context"], cfg["n_embd"]), "weight"))
    for layer in range(cfg["n_layer"]):
        specs += block_specs(layer, cfg)
    return specs + norm_specs("ln_f", cfg)


def gpt_specs(cfg):
    return trunk_specs(cfg)  # tied: the logits reuse wte.weight


def llama_specs(cfg):
    return trunk_specs(cfg) + linear_specs("lm_head", cfg["vocab_size"], cfg["n_embd"], False)


def encoder_specs(cfg):
    C = cfg["n_embd"]
    return (trunk_specs(cfg) + linear_specs("mlm_head", cfg["vocab_size"], C, True)
            + linear_specs("cls_head", cfg["n_classes"], C, True))


def init_param(shape, kind):
    # Larger than usual weights so that the gradients are not tiny.
    noise = torch.randn(shape, dtype=torch.float64)
    if kind == "weight":
        return 0.3 * noise
    if kind == "norm":
        return 1.0 + 0.1 * noise
    return 0.1 * noise  # bias


def init_params(specs):
    return {name: init_param(shape, kind).requires_grad_() for name, shape, kind in specs}


# ---------------------------------------------------------------------------------------------------------
# Layers. Activations are (B, T, C); weights are (out, in) as in torch.nn.Linear.

def linear(x, p, prefix):
    out = x @ p[f"{prefix}.weight"].T
    bias = p.get(f"{prefix}.bias")
    return out if bias is None else out + bias


def layernorm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased, as torch.nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def rmsnorm(x, weight, eps):
    return x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) * weight


def norm(x, p, prefix, cfg):
    if cfg["norm"] == "rmsnorm":
        return rmsnorm(x, p[f"{prefix}.weight"], cfg["norm_eps"])
    return layernorm(x, p[f"{prefix}.weight"], p[f"{prefix}.bias"], cfg["norm_eps"])


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x * torch.sigmoid(x)


def mlp(x, p, prefix, cfg):
    if cfg["activation"] == "swiglu":
        return linear(silu(linear(x, p, f"{prefix}.gate")) * linear(x, p, f"{prefix}.up"), p, f"{prefix}.down")
    return linear(gelu_tanh(linear(x, p, f"{prefix}.c_fc")), p, f"{prefix}.c_proj")


def rope(x, base):
    # x (B, H, T, hd) -> same; element d < hd/2 pairs with d + hd/2 ("rotate half"), angle pos * base^(-2d/hd).
    T, hd = x.shape[-2], x.shape[-1]
    freq = base ** (-2.0 * torch.arange(hd // 2, dtype=torch.float64) / hd)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * freq[None, :]  # (T, hd/2)
    cos, sin = torch.cos(angle), torch.sin(angle)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def split_heads(x, n_head, head_dim):
    # (B, T, n_head*head_dim) -> (B, n_head, T, head_dim); head h = columns h*hd..(h+1)*hd
    B, T, _ = x.shape
    return x.reshape(B, T, n_head, head_dim).transpose(1, 2)


def attention(h, p, prefix, cfg, allowed):
    # h (B, T, C), allowed (B, T, T) bool [b, query, key] -> (B, T, C)
    B, T, _ = h.shape
    H, KV, hd = cfg["n_head"], cfg["n_kv_head"], cfg["head_dim"]
    qkv = linear(h, p, f"{prefix}.c_attn")  # columns [q | k | v]
    q = split_heads(qkv[..., : H * hd], H, hd)
    k = split_heads(qkv[..., H * hd: (H + KV) * hd], KV, hd)
    v = split_heads(qkv[..., (H + KV) * hd:], KV, hd)
    if cfg["position"] == "rope":
        q, k = rope(q, cfg["rope_base"]), rope(k, cfg["rope_base"])
    # grouped-query: query head h uses kv head h // (H / KV)
    k, v = k.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # (B, H, T, T)
    scores = scores.masked_fill(~allowed[:, None], float("-inf"))
    out = scores.softmax(-1) @ v  # (B, H, T, hd)
    return linear(out.transpose(1, 2).reshape(B, T, H * hd), p, f"{prefix}.c_proj")


def block(x, p, layer, cfg, allowed):
    # pre-LN residual block
    prefix = f"h.{layer}"
    x = x + attention(norm(x, p, f"{prefix}.ln_1", cfg), p, f"{prefix}.attn", cfg, allowed)
    return x + mlp(norm(x, p, f"{prefix}.ln_2", cfg), p, f"{prefix}.mlp", cfg)


def embedding(tokens, p, cfg):
    # tokens (B, T) -> (B, T, C): token embedding plus, if learned, the position embedding of 0..T-1
    x = p["wte.weight"][tokens]
    if cfg["position"] == "learned":
        x = x + p["wpe.weight"][: tokens.shape[1]]
    return x


def trunk(tokens, p, cfg, allowed):
    # tokens (B, T) -> (B, T, C): embedding, blocks, final norm
    x = embedding(tokens, p, cfg)
    for layer in range(cfg["n_layer"]):
        x = block(x, p, layer, cfg, allowed)
    return norm(x, p, "ln_f", cfg)


def causal_mask(B, T):
    return torch.ones(T, T, dtype=torch.bool).tril().expand(B, T, T)


def padding_mask(key_lengths, T):
    # bidirectional; in batch b, keys j >= key_lengths[b] are hidden (padded queries are still computed)
    keys_visible = torch.arange(T)[None, :] < key_lengths[:, None]  # (B, T)
    return keys_visible[:, None, :].expand(-1, T, T)


def cross_entropy(logits, targets):
    # logits (N, V), targets (N) -> mean negative log-likelihood
    return -logits.log_softmax(-1).gather(1, targets[:, None]).mean()


# ---------------------------------------------------------------------------------------------------------
# Models: forward(params, inputs, cfg) -> outputs, with "loss" a scalar.

def gpt_forward(p, inputs, cfg):
    tokens = inputs["tokens"]
    x = trunk(tokens, p, cfg, causal_mask(*tokens.shape))
    logits = x @ p["wte.weight"].T  # tied
    return {"logits": logits, "loss": cross_entropy(logits.flatten(0, 1), inputs["targets"].flatten())}


def llama_forward(p, inputs, cfg):
    tokens = inputs["tokens"]
    logits = linear(trunk(tokens, p, cfg, causal_mask(*tokens.shape)), p, "lm_head")
    return {"logits": logits, "loss": cross_entropy(logits.flatten(0, 1), inputs["targets"].flatten())}


def encoder_forward(p, inputs, cfg):
    tokens = inputs["tokens"]
    x = trunk(tokens, p, cfg, padding_mask(inputs["key_lengths"], tokens.shape[1]))
    mlm_logits = linear(x, p, "mlm_head")
    cls_logits = linear(x[:, 0], p, "cls_head")
    masked = inputs["mlm_targets"] != -1
    mlm_loss = cross_entropy(mlm_logits[masked], inputs["mlm_targets"][masked])
    loss = mlm_loss + cross_entropy(cls_logits, inputs["labels"])
    return {"mlm_logits": mlm_logits, "cls_logits": cls_logits, "loss": loss}


def decoder_inputs(cfg):
    shape = (cfg["batch"], cfg["seq_len"])
    return {"tokens": torch.randint(0, cfg["vocab_size"], shape), "targets": torch.randint(0, cfg["vocab_size"], shape)}


def encoder_inputs(cfg):
    B, T = cfg["batch"], cfg["seq_len"]
    key_lengths = torch.tensor([6, 4])
    tokens = torch.randint(0, cfg["vocab_size"], (B, T))
    # MLM targets at a few random non-padding positions; -1 elsewhere
    unpadded = [(b, t) for b in range(B) for t in range(int(key_lengths[b]))]
    mlm_targets = torch.full((B, T), -1, dtype=torch.int64)
    for i in torch.randperm(len(unpadded))[: cfg["n_mlm_targets"]]:
        mlm_targets[unpadded[i]] = torch.randint(0, cfg["vocab_size"], ())
    labels = torch.randint(0, cfg["n_classes"], (B,))
    return {"tokens": tokens, "key_lengths": key_lengths, "mlm_targets": mlm_targets, "labels": labels}


# (config, parameter specs, inputs, forward, parameters to gradcheck)
MODELS = [
    (TINY_GPT, gpt_specs, decoder_inputs, gpt_forward, ["wte.weight", "h.0.attn.c_attn.weight"]),
    (TINY_LLAMA, llama_specs, decoder_inputs, llama_forward, ["h.0.attn.c_attn.weight", "h.1.ln_1.weight"]),
    (TINY_ENCODER, encoder_specs, encoder_inputs, encoder_forward, ["wpe.weight", "h.0.attn.c_attn.bias"]),
]


# ---------------------------------------------------------------------------------------------------------
# safetensors, written by hand (torch 1.13 has no safetensors package).

DTYPES = {torch.float64: ("F64", "<f8"), torch.int64: ("I64", "<i8")}


def safetensors_bytes(tensors, metadata):
    # 8-byte little-endian header length N, JSON header padded with spaces to a multiple of 8, raw data
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach()
        dtype, np_dtype = DTYPES[t.dtype]
        blob = np.ascontiguousarray(t.numpy(), dtype=np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header_json = json.dumps(header, separators=(",", ":")).encode()
    header_json += b" " * (-len(header_json) % 8)
    return struct.pack("<Q", len(header_json)) + header_json + b"".join(blobs)


def read_safetensors(data):
    # -> (tensors, metadata); used to check what we wrote
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8: 8 + n])
    metadata = header.pop("__metadata__")
    body = data[8 + n:]
    np_dtypes = {name: np_dtype for name, np_dtype in DTYPES.values()}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=np_dtypes[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


def metadata_string(value):
    return str(value).lower() if isinstance(value, bool) else str(value)


def fixture_metadata(cfg):
    metadata = {key: metadata_string(value) for key, value in cfg.items()}
    metadata["generator"] = f"tools/make_nn_fixtures.py, torch {torch.__version__}"
    return metadata


def fixture_tensors(params, inputs, outputs):
    tensors = {f"param/{name}": value for name, value in params.items()}
    tensors.update({f"grad/{name}": value.grad for name, value in params.items()})
    tensors.update({f"input/{name}": value for name, value in inputs.items()})
    tensors.update({f"output/{name}": value.reshape(-1) if value.dim() == 0 else value
                    for name, value in outputs.items()})
    return tensors


# ---------------------------------------------------------------------------------------------------------
# Checks: a fixture that is wrong would make every C++ test built on it wrong.

def check_ops_match_torch():
    # Our spelled-out ops follow PyTorch's conventions (the C++ side is told to match PyTorch).
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    w, b = torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    assert torch.allclose(layernorm(x, w, b, 1e-5), F.layer_norm(x, (8,), w, b, 1e-5))
    assert torch.allclose(gelu_tanh(x), F.gelu(x, approximate="tanh"))
    assert torch.allclose(silu(x), F.silu(x))
    logits, targets = torch.randn(7, 4, dtype=torch.float64), torch.randint(0, 4, (7,))
    assert torch.allclose(cross_entropy(logits, targets), F.cross_entropy(logits, targets))


def check_gradients(cfg, params, forward, inputs, gradcheck_names):
    for name, value in params.items():
        assert value.grad is not None and value.grad.abs().max() > 0, f"{cfg['model']}: zero gradient of {name}"
    for name in gradcheck_names:
        others = {key: value.detach() for key, value in params.items()}

        def loss_of(param, name=name):
            return forward({**others, name: param}, inputs, cfg)["loss"]

        assert torch.autograd.gradcheck(loss_of, (params[name].detach().clone().requires_grad_(),)), name


def check_round_trip(data, tensors, metadata):
    read_tensors, read_metadata = read_safetensors(data)
    assert read_metadata == metadata and read_tensors.keys() == tensors.keys()
    for name, value in tensors.items():
        assert torch.equal(read_tensors[name], value.detach()), name


# ---------------------------------------------------------------------------------------------------------

def build_fixture(cfg, specs, make_inputs, forward, gradcheck_names):
    # -> safetensors bytes of one model, after checking it; seeded per model so files do not depend on each other
    torch.manual_seed(cfg["seed"])
    params = init_params(specs(cfg))
    inputs = make_inputs(cfg)
    outputs = forward(params, inputs, cfg)
    assert torch.isfinite(outputs["loss"]), cfg["model"]
    outputs["loss"].backward()
    check_gradients(cfg, params, forward, inputs, gradcheck_names)
    tensors, metadata = fixture_tensors(params, inputs, outputs), fixture_metadata(cfg)
    data = safetensors_bytes(tensors, metadata)
    check_round_trip(data, tensors, metadata)
    return data, outputs["loss"].item()


def main():
    check_ops_match_torch()
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    for model in MODELS:
        data, loss = build_fixture(*model)
        path = FIXTURE_DIR / f"{model[0]['model']}.safetensors"
        path.write_bytes(data)
        print(f"{path.relative_to(FIXTURE_DIR.parent.parent.parent)}: {len(data)} bytes, loss {loss:.17g}")


if __name__ == "__main__":
    main()
