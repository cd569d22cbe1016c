#!/usr/bin/python3
"""Times the PyTorch reference (../shared/reference/affexion_torch.py) the way `affexion bench train`
times Affexion: random data, Adam 1e-3; median training step (forward, cross-entropy, backward, step)
after one warm-up, eval-mode inference per clip at the training batch, and eval-mode latency of one
clip at batch 1 (what a live window is). Prints one JSON line.

Usage: /usr/bin/python3 bench/torch-reference.py --batch 8 --frames 1000 --steps 3 --threads 1,2
         [--config '{"conv_channels": 32}'] [--infer-runs 3]
--steps 0 skips training (latency only). Every thread count in --threads is measured in this process
and reported separately, so the caller keeps PyTorch's best configuration on this machine.

The caller (bench/engine.ts) pins the BLAS library's own threads (OPENBLAS_NUM_THREADS=1, MKL too):
left free, OpenBLAS starts its own threads inside PyTorch's intra-op threads, and on 2 shared cores the
per-timestep LSTM GEMMs then stall on thread barriers (issue 17: a batch-8 step took 39 s instead of 2).
It also runs us without OPENBLAS_CORETYPE so OpenBLAS picks its own kernel for this CPU; the kernel
name and a float64 check of one GEMM are reported so a wrong-results kernel cannot pass unnoticed.
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.environ.get("AFFEXION_TORCH_REFERENCE", os.path.join(HERE, "..", "..", "shared", "reference"))
sys.path.insert(0, REFERENCE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from affexion_torch import PAPER, Affexion  # noqa: E402


def openblas_core():
    """Name of the OpenBLAS kernel set in use (None when PyTorch does not load OpenBLAS)."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except OSError:
        return None


def blas_check():
    """Largest relative error of a 256×256 float32 GEMM against float64 (≈1e-6 when the kernel is sound)."""
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(256, 256, generator=g), torch.randn(256, 256, generator=g)
    ref = a.double() @ b.double()
    return float(((a @ b).double() - ref).abs().max() / ref.abs().max())


def measure(cfg, a, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Affexion(**cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, a.frames, cfg["n_features"])
    y = torch.randint(0, cfg["n_classes"], (a.batch,))
    wall, cpu = [], []
    model.train()
    for s in range(a.steps + 1 if a.steps > 0 else 0):
        w0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if s > 0:
            wall.append((time.perf_counter() - w0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
    model.eval()

    def infer(xi):
        ms = []
        with torch.no_grad():
            for r in range(a.infer_runs + 1):  # run 0 warms up
                w0 = time.perf_counter()
                model(xi)
                if r > 0:
                    ms.append((time.perf_counter() - w0) * 1e3)
        return statistics.median(ms)

    out = {"threads": threads, "infer_ms_batch1": round(infer(x[:1]), 3)}
    if a.steps > 0:
        out.update({
            "median_step_ms": round(statistics.median(wall), 1),
            "median_step_cpu_ms": round(statistics.median(cpu), 1),
            "infer_ms_per_clip": round(infer(x) / a.batch, 3),
        })
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--infer-runs", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--config", default="{}", help="architecture fields over the paper's (JSON)")
    a = ap.parse_args()
    cfg = {**PAPER, **json.loads(a.config)}
    cfg.pop("mask_padding", None)
    runs = [measure(cfg, a, int(t)) for t in a.threads.split(",")]
    print(json.dumps({
        "backend": f"torch {torch.__version__}", "openblas_core": openblas_core(),
        "blas_check_rel_err": blas_check(), "batch": a.batch, "frames": a.frames, "steps": a.steps,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE")},
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
