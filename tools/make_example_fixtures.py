#!/usr/bin/env python3
"""Writes the small input files the examples' smoke tests run on (examples/CMakeLists.txt), with the Python
standard library only:

- tests/nn/fixtures/examples/gpt2/model.safetensors: the tiny GPT-2 of tests/nn/fixtures/tiny_gpt.safetensors in
  Hugging Face's layout (float32; Conv1D weights stored (C_in, C_out); "transformer." on some names, as files in
  the wild have it on all or none; the attn.bias / attn.masked_bias buffers; no lm_head). Prints the prompt and
  the token PyTorch's logits in the fixture make greedy decoding choose next: the smoke test's expected output.
- tests/nn/fixtures/examples/cifar10/{data_batch_1..5,test_batch}.bin: four records each in CIFAR-10's binary
  format (label byte, then 3072 pixel bytes).

    python3 tools/make_example_fixtures.py      (from the repository root; deterministic)
"""
import json
import struct
from pathlib import Path

FIXTURES = Path("tests/nn/fixtures")
OUT = FIXTURES / "examples"
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
FORMATS = {"F64": ("d", 8), "I64": ("q", 8), "F32": ("f", 4)}


def read_safetensors(path):
    raw = path.read_bytes()
    (size,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8:8 + size])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        code, width = FORMATS[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // width
        tensors[name] = (info["shape"], list(struct.unpack_from(f"<{count}{code}", raw, 8 + size + begin)))
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """tensors: name -> (shape, float values), written as F32 in name order."""
    header, data = {"__metadata__": metadata}, b""
    for name in sorted(tensors):
        shape, values = tensors[name]
        blob = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def transpose(shape, values):
    rows, cols = shape
    return [cols, rows], [values[r * cols + c] for c in range(cols) for r in range(rows)]


def gpt2_file():
    tensors, meta = read_safetensors(FIXTURES / "tiny_gpt.safetensors")
    context = int(meta["context"])
    hf = {}
    for name, (shape, values) in tensors.items():
        if not name.startswith("param/"):
            continue
        ours = name[len("param/"):]
        if ours.endswith(CONV1D):
            shape, values = transpose(shape, values)
        prefix = "transformer." if ours.startswith(("wpe", "ln_f", "h.1.")) else ""
        hf[prefix + ours] = (shape, values)
    for layer in range(int(meta["n_layer"])):
        mask = [float(j <= i) for i in range(context) for j in range(context)]
        hf[f"h.{layer}.attn.bias"] = ([1, 1, context, context], mask)
        hf[f"h.{layer}.attn.masked_bias"] = ([], [-1e4])
    write_safetensors(OUT / "gpt2" / "model.safetensors", hf, {"format": "pt"})
    tokens = tensors["input/tokens"][1][:int(meta["seq_len"])]  # the first sequence
    vocab = int(meta["vocab_size"])
    last = tensors["output/logits"][1][(len(tokens) - 1) * vocab:len(tokens) * vocab]
    print("prompt", ",".join(str(t) for t in tokens), "greedy next", max(range(vocab), key=last.__getitem__))


def cifar10_files():
    folder = OUT / "cifar10"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for f, name in enumerate(names):
        records = b""
        for r in range(4):
            label = (4 * f + r) % 10
            records += bytes([label]) + bytes((label * 25 + p) % 256 for p in range(3072))
        (folder / name).write_bytes(records)


if __name__ == "__main__":
    gpt2_file()
    cifar10_files()
