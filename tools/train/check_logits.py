#!/usr/bin/python3
"""Checks lamina against the PyTorch reference forward of tools/train/train.py.

Loads out/ckpt.pt, runs a greedy continuation of a held-out prompt with the reference model,
runs `lamina run --temp 0 --dump-logits` on the GGUF with the same prompt, and compares every
logits row (relative error ||a-b||/||b||) and the greedy tokens.
Usage: /usr/bin/python3 tools/train/check_logits.py [--lamina build/rel/lamina] [--gguf models/lamina-kjv.gguf]
"""
import argparse
import os
import struct
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(train.HERE))


def read_lgt(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"LGT1", path
    n_prompt, n_total, n_vocab, first = struct.unpack("4i", data[4:20])
    toks = np.frombuffer(data, "<i4", n_total, 20)
    logits = np.frombuffer(data, "<f4", offset=20 + 4 * n_total).reshape(n_total - first, n_vocab)
    return n_prompt, [int(t) for t in toks], logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lamina", default=os.path.join(ROOT, "build/rel/lamina"))
    ap.add_argument("--gguf", default=os.path.join(ROOT, "models/lamina-kjv.gguf"))
    ap.add_argument("--out", default=os.path.join(train.HERE, "out"))
    ap.add_argument("-n", type=int, default=24)
    ap.add_argument("--round-f16", action="store_true",
                    help="round the reference's matrices to f16 first, as an F16 GGUF stores them")
    args = ap.parse_args()
    torch.set_num_threads(1)

    state = torch.load(os.path.join(args.out, "ckpt.pt"))
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.out, "kjv_spm.model"))
    a = state["args"]
    c = train.Cfg(dim=a["dim"], hidden_dim=a["hidden"], n_layers=a["layers"], n_heads=a["heads"],
                  n_kv_heads=a["kv_heads"], vocab_size=sp.get_piece_size(), seq_len=a["seq_len"],
                  eps=1e-5, rope_base=10000.0)
    model = train.Llama(c)
    model.load_state_dict(state["model"])
    if args.round_f16:
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() == 2:
                    p.copy_(p.half().float())
    model.eval()

    with open(os.path.join(train.HERE, "heldout_excerpt.txt")) as f:
        prompt = f.read()[:400]
    prompt_path = os.path.join(args.out, "check_prompt.txt")
    with open(prompt_path, "w") as f:
        f.write(prompt)
    ref_path = os.path.join(args.out, "check_ref.lgt")
    got_path = os.path.join(args.out, "check_lamina.lgt")
    ref_toks = train.write_lgt(model, train.tokenize_text(sp, prompt), args.n, ref_path)
    subprocess.run([args.lamina, "run", "-m", args.gguf, "-f", prompt_path, "--temp", "0",
                    "-n", str(args.n), "-t", "1", "--dump-logits", got_path], check=True,
                   stdout=subprocess.DEVNULL)
    n_prompt, ref_toks, ref = read_lgt(ref_path)
    n_prompt2, got_toks, got = read_lgt(got_path)
    print(f"prompt tokens: reference {n_prompt}, lamina {n_prompt2}; "
          f"prompt tokens identical: {ref_toks[:n_prompt] == got_toks[:n_prompt2]}")
    print(f"greedy continuation identical: {ref_toks == got_toks}")
    rows = min(len(ref), len(got))
    errs = [np.linalg.norm(got[i] - ref[i]) / np.linalg.norm(ref[i]) for i in range(rows)]
    print(f"logits rows compared {rows}: max relative error {max(errs):.2e}, mean {np.mean(errs):.2e}")
    print("reference greedy text:", repr(sp.decode(ref_toks[n_prompt:])))
    ok = ref_toks == got_toks and max(errs) < 1e-3
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
