#!/usr/bin/python3
"""Times the PyTorch reference (/work/shared/reference/affexion_torch.py) the way `affexion bench train`
times Affexion: paper-size network, random data, Adam 1e-3; median training step (forward, cross-entropy,
backward, step) after one warm-up, and eval-mode inference per clip. Prints one JSON line.

Usage: /usr/bin/python3 bench/torch-reference.py --batch 8 --frames 1000 --steps 3 [--threads 2]
(Debian's python3-torch; used by `npm run bench:engine -- --torch` to measure both in the same run.)
"""
import argparse
import json
import os
import statistics
import sys
import time

REFERENCE = os.environ.get("AFFEXION_TORCH_REFERENCE", "/work/shared/reference")
sys.path.insert(0, REFERENCE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from affexion_torch import PAPER, Affexion  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--infer-batch", type=int, default=None)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("AFFEXION_THREADS", os.cpu_count() or 1)))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Affexion(**PAPER)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, a.frames, PAPER["n_features"])
    y = torch.randint(0, PAPER["n_classes"], (a.batch,))
    wall, cpu = [], []
    model.train()
    for s in range(a.steps + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if s > 0:
            wall.append((time.perf_counter() - w0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
    ib = a.infer_batch or a.batch
    xi = x if ib == a.batch else torch.randn(ib, a.frames, PAPER["n_features"])
    model.eval()
    inf = []
    with torch.no_grad():
        for r in range(4):
            w0 = time.perf_counter()
            model(xi)
            if r > 0:
                inf.append((time.perf_counter() - w0) * 1e3)
    print(json.dumps({
        "backend": f"torch {torch.__version__}", "threads": a.threads, "batch": a.batch, "frames": a.frames,
        "steps": a.steps, "median_step_ms": round(statistics.median(wall), 1),
        "median_step_cpu_ms": round(statistics.median(cpu), 1),
        "infer_ms_per_clip": round(statistics.median(inf) / ib, 2), "infer_batch": ib,
    }))


if __name__ == "__main__":
    main()
