#!/usr/bin/python3
"""Loads an Affexion model directory into the PyTorch reference with load_state_dict (strict) and prints
its eval-mode logits for a (B, T, F) input as JSON. Used by torch-interop.test.ts (needs python3-torch).
Usage: torch_load.py MODEL_DIR INPUT.safetensors [REFERENCE_DIR]"""
import json, sys
import torch
sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else "/work/shared/reference")
from affexion_torch import Affexion, load_safetensors

model_dir, inputs = sys.argv[1], sys.argv[2]
cfg = json.load(open(f"{model_dir}/config.json"))
arch = {k: v for k, v in cfg["architecture"].items() if k != "mask_padding"}
m = Affexion(**arch)
m.load_state_dict(load_safetensors(f"{model_dir}/weights.safetensors"))  # strict: every name and shape must match
m.eval()
t = load_safetensors(inputs)
lengths = t.get("lengths") if cfg["architecture"]["mask_padding"] else None
with torch.no_grad():
    logits = m(t["input"], lengths)
print(json.dumps({"logits": logits.tolist(), "num_batches_tracked": int(m.bn.num_batches_tracked)}))
