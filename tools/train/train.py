#!/usr/bin/python3
"""Trains lamina's bundled model: a small Llama on the King James Bible (Debian bible-kjv).

Steps (all outputs go to --out, default tools/train/out/, which git ignores):
  1. corpus: dump the KJV with `bible`, one chapter per document; every 20th chapter is held out.
  2. tokenizer: spm_train (BPE, byte fallback) on the training chapters only.
  3. train: a Llama (RMSNorm, adjacent-pair RoPE as GGUF's llama layout, GQA, SwiGLU), fixed
     step count, seeded, one thread -> deterministic given --seed.
  4. export: llama2.c legacy .bin (version 0) and llama2.c tokenizer.bin.
  5. evaluate: held-out perplexity by llama.cpp's llama-perplexity method, the committed excerpt's
     figure (tools/train/heldout_excerpt_ppl.txt) and reference logits in LGT1 format.

Needs the packages from scripts/setup-train and must run under /usr/bin/python3.
"""
import argparse
import json
import math
import os
import re
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- corpus
def dump_corpus(out_dir, holdout_every):
    raw = subprocess.run(["bible", "-l100000", "gen1:1-rev22:21"], check=True,
                         capture_output=True, text=True, cwd="/tmp").stdout
    chapters = []  # list of (title, [verses])
    for line in raw.split("\n"):
        if not line.strip():
            continue
        m = re.match(r"^\s+\d+ (.*)$", line)
        if m:
            chapters[-1][1].append(m.group(1).strip())
        else:
            chapters.append((line.strip(), []))
    docs = [title + "\n" + "\n".join(verses) + "\n" for title, verses in chapters]
    train = [d for i, d in enumerate(docs) if i % holdout_every != holdout_every - 1]
    held = [d for i, d in enumerate(docs) if i % holdout_every == holdout_every - 1]
    with open(os.path.join(out_dir, "kjv_train.txt"), "w") as f:
        f.write("\n".join(train))
    with open(os.path.join(out_dir, "kjv_heldout.txt"), "w") as f:
        f.write("\n".join(held))
    return train, held


# ---------------------------------------------------------------- tokenizer
def train_tokenizer(out_dir, vocab_size):
    prefix = os.path.join(out_dir, "kjv_spm")
    if not os.path.exists(prefix + ".model"):
        subprocess.run([
            "spm_train", f"--input={os.path.join(out_dir, 'kjv_train.txt')}",
            f"--model_prefix={prefix}", f"--vocab_size={vocab_size}", "--model_type=bpe",
            "--byte_fallback=true", "--character_coverage=1.0", "--normalization_rule_name=identity",
            "--remove_extra_whitespaces=false", "--add_dummy_prefix=true", "--split_digits=true",
            "--unk_id=0", "--bos_id=1", "--eos_id=2", "--pad_id=-1", "--num_threads=1",
            "--minloglevel=2"], check=True)
    import sentencepiece as spm
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


# ---------------------------------------------------------------- model
class Cfg:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def rope_tables(head_dim, seq_len, base):
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    ang = torch.outer(torch.arange(seq_len, dtype=torch.float64), inv)
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    # x: (B, T, H, D); rotates adjacent pairs (x[2i], x[2i+1]) like GGUF's llama layout and llama2.c.
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1).flatten(-2)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        hd = c.dim // c.n_heads
        self.attention_norm = RMSNorm(c.dim, c.eps)
        self.wq = nn.Linear(c.dim, c.n_heads * hd, bias=False)
        self.wk = nn.Linear(c.dim, c.n_kv_heads * hd, bias=False)
        self.wv = nn.Linear(c.dim, c.n_kv_heads * hd, bias=False)
        self.wo = nn.Linear(c.n_heads * hd, c.dim, bias=False)
        self.ffn_norm = RMSNorm(c.dim, c.eps)
        self.w1 = nn.Linear(c.dim, c.hidden_dim, bias=False)  # gate
        self.w2 = nn.Linear(c.hidden_dim, c.dim, bias=False)  # down
        self.w3 = nn.Linear(c.dim, c.hidden_dim, bias=False)  # up

    def forward(self, x, cos, sin):
        c = self.c
        B, T, _ = x.shape
        hd = c.dim // c.n_heads
        h = self.attention_norm(x)
        q = apply_rope(self.wq(h).view(B, T, c.n_heads, hd), cos, sin)
        k = apply_rope(self.wk(h).view(B, T, c.n_kv_heads, hd), cos, sin)
        v = self.wv(h).view(B, T, c.n_kv_heads, hd)
        rep = c.n_heads // c.n_kv_heads  # query head h reads KV head h // rep
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        mask = torch.full((T, T), float("-inf")).triu(1)
        att = torch.softmax(att + mask, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, c.n_heads * hd)
        x = x + self.wo(o)
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.tok_embeddings = nn.Embedding(c.vocab_size, c.dim)
        self.layers = nn.ModuleList([Block(c) for _ in range(c.n_layers)])
        self.norm = RMSNorm(c.dim, c.eps)
        self.output = nn.Linear(c.dim, c.vocab_size, bias=False)
        cos, sin = rope_tables(c.dim // c.n_heads, c.seq_len, c.rope_base)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * c.n_layers) if n.endswith(("wo.weight", "w2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens):
        T = tokens.shape[1]
        x = self.tok_embeddings(tokens)
        for layer in self.layers:
            x = layer(x, self.cos[:T], self.sin[:T])
        return self.output(self.norm(x))


# ---------------------------------------------------------------- export
def export_llama2c(model, path):
    c = model.c
    header = struct.pack("7i", c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads,
                         -c.vocab_size, c.seq_len)  # negative vocab: separate classifier at the end
    L = model.layers
    tensors = [model.tok_embeddings.weight]
    tensors += [l.attention_norm.weight for l in L]
    for name in ("wq", "wk", "wv", "wo"):
        tensors += [getattr(l, name).weight for l in L]
    tensors += [l.ffn_norm.weight for l in L]
    for name in ("w1", "w2", "w3"):
        tensors += [getattr(l, name).weight for l in L]
    tensors += [model.norm.weight, model.cos, model.sin, model.output.weight]
    with open(path, "wb") as f:
        f.write(header)
        for t in tensors:
            f.write(t.detach().float().contiguous().numpy().astype("<f4").tobytes())


def export_tokenizer(sp, path):
    pieces = []
    for i in range(sp.get_piece_size()):
        t = sp.id_to_piece(i)
        if i == sp.bos_id():
            t = "\n<s>\n"
        elif i == sp.eos_id():
            t = "\n</s>\n"
        pieces.append((t.replace("\u2581", " ").encode("utf-8"), sp.get_score(i)))
    with open(path, "wb") as f:
        f.write(struct.pack("i", max(len(b) for b, _ in pieces)))
        for b, s in pieces:
            f.write(struct.pack("fi", s, len(b)))
            f.write(b)


# ---------------------------------------------------------------- evaluation
@torch.no_grad()
def perplexity(model, tokens, n_ctx, bos):
    """llama.cpp's llama-perplexity: windows of n_ctx tokens, BOS replaces each window's first
    token, the second half scored. Returns (ppl, uncertainty, running estimates)."""
    first = n_ctx // 2
    nll = nll2 = 0.0
    count = 0
    running = []
    for i in range(len(tokens) // n_ctx):
        w = list(tokens[i * n_ctx:(i + 1) * n_ctx])
        w[0] = bos
        logits = model(torch.tensor([w]))[0].double()
        lp = torch.log_softmax(logits, dim=-1)
        for j in range(first, n_ctx - 1):
            v = -lp[j, w[j + 1]].item()
            nll += v
            nll2 += v * v
            count += 1
        running.append(math.exp(nll / count))
    mean = nll / count
    var = nll2 / count - mean * mean
    ppl = math.exp(mean)
    unc = math.sqrt(var / (count - 1)) * ppl if var > 0 else 0.0
    return ppl, unc, running


@torch.no_grad()
def write_lgt(model, prompt_tokens, n_gen, path):
    """Greedy continuation and every row of logits, in LGT1 (src/runtime/logits_file.h)."""
    toks = list(prompt_tokens)
    for _ in range(n_gen):
        toks.append(int(model(torch.tensor([toks]))[0, -1].argmax()))
    logits = model(torch.tensor([toks]))[0].float().numpy()
    with open(path, "wb") as f:
        f.write(b"LGT1" + struct.pack("4i", len(prompt_tokens), len(toks), logits.shape[1], 0))
        f.write(np.array(toks, dtype="<i4").tobytes())
        f.write(logits.astype("<f4").tobytes())
    return toks


def tokenize_text(sp, text):
    return [sp.bos_id()] + sp.encode(text)


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=688)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--holdout-every", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-only", action="store_true", help="reuse out/ckpt.pt")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)

    train_docs, held_docs = dump_corpus(args.out, args.holdout_every)
    sp = train_tokenizer(args.out, args.vocab)
    bos = sp.bos_id()
    stream = []
    for d in train_docs:
        stream += tokenize_text(sp, d)
    stream = torch.tensor(stream, dtype=torch.long)
    held_text = "\n".join(held_docs)
    held = tokenize_text(sp, held_text)
    print(f"train tokens {len(stream)}, held-out tokens {len(held)}", flush=True)

    c = Cfg(dim=args.dim, hidden_dim=args.hidden, n_layers=args.layers, n_heads=args.heads,
            n_kv_heads=args.kv_heads, vocab_size=sp.get_piece_size(), seq_len=args.seq_len,
            eps=1e-5, rope_base=10000.0)
    model = Llama(c)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params}", flush=True)
    ckpt = os.path.join(args.out, "ckpt.pt")
    log = []
    if args.eval_only:
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        log = state["log"]
    else:
        gen = torch.Generator().manual_seed(args.seed)
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
        held_eval = torch.tensor(held[:8 * (args.seq_len + 1)]).view(8, args.seq_len + 1)
        t0 = time.time()
        warm = max(1, args.steps // 20)
        for step in range(args.steps + 1):
            lr = args.lr * min(1.0, (step + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
            for g in opt.param_groups:
                g["lr"] = lr
            if step % 100 == 0 or step == args.steps:
                model.eval()
                with torch.no_grad():
                    hl = F.cross_entropy(model(held_eval[:, :-1]).flatten(0, 1), held_eval[:, 1:].flatten()).item()
                model.train()
                log.append({"step": step, "train_loss": None, "heldout_loss": hl, "seconds": time.time() - t0})
                print(f"step {step} held-out loss {hl:.4f} ({time.time() - t0:.0f}s)", flush=True)
            if step == args.steps:
                break
            starts = torch.randint(0, len(stream) - args.seq_len - 1, (args.batch,), generator=gen)
            batch = torch.stack([stream[s:s + args.seq_len + 1] for s in starts])
            loss = F.cross_entropy(model(batch[:, :-1]).flatten(0, 1), batch[:, 1:].flatten())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if step % 100 == 0:
                log[-1]["train_loss"] = loss.item()
            if step % 50 == 0 and step > 0:
                torch.save({"model": model.state_dict(), "log": log, "step": step}, ckpt + ".partial")
            if step % 20 == 0:
                print(f"step {step} train loss {loss.item():.4f} ({time.time() - t0:.0f}s)", flush=True)
        torch.save({"model": model.state_dict(), "log": log, "args": vars(args),
                    "train_seconds": time.time() - t0}, ckpt)
    model.eval()

    export_llama2c(model, os.path.join(args.out, "lamina-kjv.bin"))
    export_tokenizer(sp, os.path.join(args.out, "tokenizer.bin"))

    # Held-out figures (llama.cpp method) and the committed excerpt's reference figure.
    results = {"parameters": n_params, "train_tokens": len(stream), "heldout_tokens": len(held),
               "config": vars(c), "log": log}
    ppl, unc, _ = perplexity(model, held[:32768], args.seq_len, bos)
    results["heldout_ppl_c256"] = [ppl, unc]
    print(f"held-out PPL (c={args.seq_len}) = {ppl:.4f} +/- {unc:.5f}", flush=True)
    excerpt_path = os.path.join(HERE, "heldout_excerpt.txt")
    if not os.path.exists(excerpt_path):
        with open(excerpt_path, "w") as f:
            f.write(held_text[:4000].rsplit("\n", 1)[0] + "\n")
    with open(excerpt_path) as f:
        ex = tokenize_text(sp, f.read())
    ppl, unc, running = perplexity(model, ex, 128, bos)
    # The committed figure is only rewritten by a run into the default output folder.
    figure_dir = HERE if os.path.abspath(args.out) == os.path.join(HERE, "out") else args.out
    with open(os.path.join(figure_dir, "heldout_excerpt_ppl.txt"), "w") as f:
        f.write(f"{ppl:.6f}\n")
    results["excerpt_ppl_c128"] = [ppl, unc, running, len(ex)]
    print(f"excerpt PPL (c=128, {len(ex)} tokens) = {ppl:.4f} +/- {unc:.5f}", flush=True)
    write_lgt(model, held[:64], 16, os.path.join(args.out, "reference.lgt"))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
