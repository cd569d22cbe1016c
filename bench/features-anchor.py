#!/usr/bin/env python3
"""The same-run anchors of bench:features: librosa's MFCC + deltas and soxr's resampler (librosa.load's
default, quality 'HQ'), timed on the very clips bench/features.ts times ours on. One JSON line.

Usage: python3 bench/features-anchor.py DIR REPS
DIR holds raw little-endian float32 mono clips named clip_<rate>.f32 (the 16000 Hz one is featurised,
the others resampled to 16 kHz); soxr's outputs are written back as soxr_<rate>.f32 so the caller can
measure how close its own resampler is (equal quality is part of the comparison). Also resampled and
written back: real_<rate>_<name>.f32 (recorded clips) as soxr_real_<rate>_<name>.f32; and for each
tones_<rate>.json (src/audio/resample-quality.ts qualityTones) soxr's level of every tone, from which the
caller computes soxr's passband ripple, stop-band attenuation and -6 dB point as it does ours.
Missing packages are reported as {"anchor_missing": "..."} with exit code 0: the caller prints that
instead of a figure. One thread (the caller pins OPENBLAS/OMP/NUMBA threads), as ours is timed.
"""
import json
import os
import statistics
import sys
import time


def timed(fn, reps):
    fn()  # warm-up: numba JIT, FFT plans, filter design
    wall, cpu = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return {"ms": round(statistics.median(wall), 3), "cpu_ms": round(statistics.median(cpu), 3),
            "best_ms": round(min(wall), 3)}


def tone_level(y, rate, f):
    """src/audio/resample-quality.ts toneLevel: amplitude at f Hz over the middle second of y."""
    import numpy as np
    start = rate // 2
    ph = 2 * np.pi * f * (start + np.arange(rate)) / rate
    seg = y[start:start + rate].astype(np.float64)
    return float(2 / rate * np.hypot(seg @ np.cos(ph), seg @ np.sin(ph)))


def tone_levels(soxr, rate, to, tones):
    """soxr's output level for each tone of src/audio/resample-quality.ts qualityTones (same tones, same reading)."""
    import numpy as np

    def level(f_in, f_at):
        x = np.sin(2 * np.pi * f_in * np.arange(2 * rate) / rate).astype(np.float32)
        return tone_level(soxr.resample(x, rate, to, quality="HQ"), to, f_at)

    return {"passband": [level(f, f) for f in tones["passband"]],
            "stopband": [level(f, at) for f, at in tones["stopband"]],
            "transition": [level(f, f) for f in tones["transition"]]}


def main():
    folder, reps = sys.argv[1], int(sys.argv[2])
    missing = []
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"anchor_missing": f"{sys.executable}: {e}"}))
        return
    try:
        import librosa
    except ImportError as e:
        librosa = None
        missing.append(f"librosa: {e}")
    try:
        import soxr
    except ImportError as e:
        soxr = None
        missing.append(f"soxr: {e}")
    out = {"python": sys.executable, "numpy": np.__version__}
    clips = {int(f[5:-4]): np.fromfile(os.path.join(folder, f), dtype="<f4")
             for f in os.listdir(folder) if f.startswith("clip_") and f.endswith(".f32")}
    if librosa is not None and 16000 in clips:
        y = clips[16000]

        def features():
            m = librosa.feature.mfcc(y=y, sr=16000, n_mfcc=25, n_fft=2048, hop_length=160)
            np.vstack([m, librosa.feature.delta(m), librosa.feature.delta(m, order=2)])

        out["librosa"] = librosa.__version__
        out["features"] = timed(features, reps)
    else:
        out["features_missing"] = missing[0] if librosa is None else "no 16 kHz clip"
    if soxr is not None:
        out["soxr"] = soxr.__version__
        out["resample"] = {}
        for rate, x in sorted(clips.items()):
            if rate == 16000:
                continue
            out["resample"][str(rate)] = timed(lambda: soxr.resample(x, rate, 16000, quality="HQ"), reps)
            soxr.resample(x, rate, 16000, quality="HQ").astype("<f4").tofile(os.path.join(folder, f"soxr_{rate}.f32"))
        out["quality_levels"] = {}
        for f in sorted(os.listdir(folder)):
            if f.startswith("tones_") and f.endswith(".json"):
                rate = int(f[6:-5])
                with open(os.path.join(folder, f)) as fh:
                    out["quality_levels"][str(rate)] = tone_levels(soxr, rate, 16000, json.load(fh))
            elif f.startswith("real_") and f.endswith(".f32"):  # real_<rate>_<name>.f32
                rate = int(f.split("_")[1])
                y = np.fromfile(os.path.join(folder, f), dtype="<f4")
                soxr.resample(y, rate, 16000, quality="HQ").astype("<f4").tofile(os.path.join(folder, "soxr_" + f))
    else:
        out["resample_missing"] = [m for m in missing if m.startswith("soxr")][0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
