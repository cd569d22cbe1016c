/**
 * The training/inference benchmark of the engine: trains the paper-size network (AffexionNet) on random
 * data for a few steps and measures step time, inference time, throughput and peak memory. Used by
 * `affexion bench train` and `npm run bench:engine`. A benchmark, not a test: numbers depend on the
 * machine and its load. It holds no anchor figures: comparisons with PyTorch are measured in the same
 * run by bench/engine.ts (issue 17: constants measured on another day and CPU misled).
 */
import { cpus, loadavg } from 'node:os';
import { AffexionNet } from './network.js';
import { PAPER_CONFIG, type AffexionConfig } from './config.js';
import { softmaxCrossEntropy } from './loss.js';
import { Adam } from './optim.js';
import type { Kernels } from '../engine/kernels.js';
import { getKernels } from '../engine/index.js';
import { loadNative } from '../engine/native.js';
import { Rng } from '../engine/rng.js';
import { ParamError } from '../engine/errors.js';

/** Options of runTrainBenchmark. */
export interface TrainBenchOptions {
  /** Clips per training step (default 8). */
  batch?: number;
  /** Frames per clip (default 1000 = 10 s at hop 160). */
  frames?: number;
  /** Timed training steps after one warm-up step (default 3). */
  steps?: number;
  /** Clips per inference call (default: the training batch). */
  inferBatch?: number;
  /** Timed inference calls after one warm-up (default 3); also the batch-1 latency runs. */
  inferRuns?: number;
  /** FMA peak to relate GFLOP/s to (default: measured once per process by measurePeak()). */
  peak?: PeakMeasurement | null;
  /** Architecture (default the paper's). */
  config?: AffexionConfig;
  /** Backend (default getKernels()). */
  kernels?: Kernels;
  /** Seed of weights and data (default 1). */
  seed?: number;
  /** Lengths masking: give clips random lengths in [frames/2, frames] (default false, as the paper). */
  masked?: boolean;
}

/** One benchmark result (printed as one JSON line by the CLI). */
export interface TrainBenchResult {
  backend: string;
  threads: number | null;
  batch: number;
  frames: number;
  steps: number;
  /** Median wall time of one training step (forward, loss, backward, Adam). */
  median_step_ms: number;
  step_ms: number[];
  /**
   * Median process CPU time (all threads) of one step. Unlike wall time it barely changes when other
   * programs load the machine, so it is the better figure on a shared machine; on an idle machine
   * wall ≈ CPU / threads when the work parallelises well.
   */
  median_step_cpu_ms: number;
  /** Median eval-mode forward time divided by the inference batch (throughput, not latency). */
  infer_ms_per_clip: number;
  /** Median eval-mode forward time of one clip alone at batch 1 (the latency of a live window). */
  infer_ms_batch1: number;
  infer_cpu_ms_batch1: number;
  infer_batch: number;
  infer_cpu_ms_per_clip: number;
  /** Peak resident memory of the whole process so far. */
  peak_rss_mb: number;
  /** Analytic FLOPs of one training step / median step time. */
  gflops: number;
  infer_gflops: number;
  train_gflop_per_clip: number;
  forward_gflop_per_clip: number;
  /** Measured fp32 FMA peak of this machine on the pool threads (null for the js backend). */
  peak_gflops: number | null;
  pct_of_peak: number | null;
  /** True when the peak was measured with a 1-min load average above 0.5: then it is too low and pct_of_peak too high. */
  peak_under_load: boolean | null;
  /** os.loadavg()[0] at the end of the run: figures taken under load are indicative only. */
  load_avg: number;
  loss_first: number;
  loss_last: number;
}

/** Multiply-adds × 2 of one clip's forward pass (conv, LSTM, Q/K/V, attention, head). */
export function forwardFlopsPerClip(c: AffexionConfig, T: number): number {
  const convOut = c.conv_channels * c.kernel_sizes.length;
  let f = 0;
  for (const k of c.kernel_sizes) f += 2 * T * c.n_features * c.conv_channels * k;
  let inSize = convOut;
  for (let l = 0; l < c.lstm_layers; l++) {
    f += 2 /* directions */ * 2 * T * 4 * c.lstm_hidden * (inSize + c.lstm_hidden);
    inSize = 2 * c.lstm_hidden;
  }
  const D = 2 * c.lstm_hidden;
  f += 3 * 2 * T * D * D; // Q, K, V projections
  f += 2 * 2 * T * T * D; // Q Kᵀ and P V
  f += 2 * D * c.fc_hidden + 2 * c.fc_hidden * c.n_classes;
  return f;
}

/** Training ≈ forward + backward (2× forward: input and weight gradients), minus the unused input gradient of the first conv. */
export function trainFlopsPerClip(c: AffexionConfig, T: number): number {
  let firstConvDx = 0;
  for (const k of c.kernel_sizes) firstConvDx += 2 * T * c.n_features * c.conv_channels * k;
  return 3 * forwardFlopsPerClip(c, T) - firstConvDx;
}

/** The FMA peak of the pool threads, with the load it was measured under. */
export interface PeakMeasurement {
  gflops: number;
  threads: number;
  per_core_gflops: number;
  load_avg: number;
  /** Load average above 0.5: other processes shared the cores, so the figure is low. */
  under_load: boolean;
  cpu_model: string;
}

let peakOnce: PeakMeasurement | null | undefined;
/**
 * Measures the FMA peak once per process (the first call; later calls return it). Null without the
 * native addon. Measured once because under load it swings 3× between runs (issue 17: 167–461 GFLOP/s),
 * which made pct_of_peak meaningless; `under_load` says when it cannot be trusted.
 */
export function measurePeak(seconds = 0.3): PeakMeasurement | null {
  if (peakOnce !== undefined) return peakOnce;
  let addon;
  try {
    addon = loadNative();
  } catch {
    return (peakOnce = null);
  }
  const load = loadavg()[0]!;
  const gflops = addon.peakGflops(seconds) as number;
  const threads = addon.threads() as number;
  return (peakOnce = {
    gflops: Math.round(gflops * 10) / 10,
    threads,
    per_core_gflops: Math.round((gflops / threads) * 10) / 10,
    load_avg: Math.round(load * 100) / 100,
    under_load: load > 0.5,
    cpu_model: cpus()[0]?.model ?? 'unknown',
  });
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function checkCount(param: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new ParamError(param, `must be an integer ≥ ${min} (got ${v})`);
}

/** Median wall and CPU time of `runs` eval-mode forwards after one warm-up. */
function timeInference(net: AffexionNet, x: Float32Array, B: number, T: number, runs: number): { ms: number; cpuMs: number } {
  const ms: number[] = [],
    cpu: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    net.forward(x, B, T, { train: false, lengths: null });
    if (r > 0) {
      ms.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
  }
  return { ms: median(ms), cpuMs: median(cpu) };
}

/**
 * Batch-1 latency of one window (eval-mode forward of a single clip of `frames` frames) for an
 * architecture: what the live monitor pays per stream and network every half second.
 */
export function runWindowBenchmark(opts: { config: AffexionConfig; frames: number; runs?: number; kernels?: Kernels; seed?: number }): {
  frames: number;
  infer_ms_batch1: number;
  infer_cpu_ms_batch1: number;
  forward_gflop: number;
  backend: string;
} {
  checkCount('--window-frames', opts.frames, 1);
  const kernels = opts.kernels ?? getKernels();
  const net = new AffexionNet({ ...opts.config, mask_padding: false }, { seed: opts.seed ?? 1, kernels });
  const rng = new Rng((opts.seed ?? 1) + 1);
  const x = Float32Array.from({ length: opts.frames * net.config.n_features }, () => rng.normal());
  const runs = opts.runs ?? 20;
  checkCount('runs', runs, 1);
  const t = timeInference(net, x, 1, opts.frames, runs);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    frames: opts.frames,
    infer_ms_batch1: r(t.ms),
    infer_cpu_ms_batch1: r(t.cpuMs),
    forward_gflop: r(forwardFlopsPerClip(net.config, opts.frames) / 1e9),
    backend: kernels.name,
  };
}

/** Runs the benchmark. Synchronous; takes roughly (steps + 1) training steps + (inferRuns + 1) inferences. */
export function runTrainBenchmark(opts: TrainBenchOptions = {}): TrainBenchResult {
  const B = opts.batch ?? 8,
    T = opts.frames ?? 1000,
    steps = opts.steps ?? 3;
  const inferB = opts.inferBatch ?? B,
    inferRuns = opts.inferRuns ?? 3;
  checkCount('batch', B, 1);
  checkCount('frames', T, 1);
  checkCount('steps', steps, 1);
  checkCount('inferBatch', inferB, 1);
  checkCount('inferRuns', inferRuns, 1);
  const cfg = { ...(opts.config ?? PAPER_CONFIG), mask_padding: opts.masked ?? false };
  const kernels = opts.kernels ?? getKernels();
  const seed = opts.seed ?? 1;
  const net = new AffexionNet(cfg, { seed, kernels });
  const adam = new Adam(net.parameters(), { lr: 1e-3 });
  const rng = new Rng(seed + 1);
  const F = cfg.n_features;
  const x = new Float32Array(B * T * F);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const targets = Int32Array.from({ length: B }, () => rng.int(cfg.n_classes));
  const lengths = cfg.mask_padding ? Int32Array.from({ length: B }, () => T - rng.int(Math.ceil(T / 2))) : null;

  const stepMs: number[] = [],
    stepCpu: number[] = [];
  const losses: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    net.zeroGrad();
    const logits = net.forward(x, B, T, { train: true, lengths });
    const { loss, dLogits } = softmaxCrossEntropy(logits, targets, cfg.n_classes);
    net.backward(dLogits);
    adam.step();
    const dt = performance.now() - t0;
    const dc = cpuMs() - c0;
    losses.push(loss);
    if (s > 0) {
      stepMs.push(dt);
      stepCpu.push(dc);
    } // step 0 warms up caches, page faults and JIT
  }

  const xi = inferB === B ? x : Float32Array.from({ length: inferB * T * F }, () => rng.normal());
  const infer = timeInference(net, xi, inferB, T, inferRuns);
  const one = timeInference(net, xi.subarray(0, T * F), 1, T, inferRuns);

  const isNative = kernels.name.startsWith('native');
  const addon = isNative ? loadNative() : null;
  const peakM = !isNative ? null : opts.peak === undefined ? measurePeak() : opts.peak;
  const peak = peakM?.gflops ?? null;
  const medStep = median(stepMs);
  const medInfer = infer.ms / inferB;
  const trainFlop = trainFlopsPerClip(cfg, T),
    fwdFlop = forwardFlopsPerClip(cfg, T);
  const gflops = (trainFlop * B) / (medStep * 1e6);
  const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    backend: kernels.name,
    threads: addon ? (addon.threads() as number) : null,
    batch: B,
    frames: T,
    steps,
    median_step_ms: round(medStep, 1),
    step_ms: stepMs.map((v) => round(v, 1)),
    median_step_cpu_ms: round(median(stepCpu), 1),
    infer_ms_per_clip: round(medInfer),
    infer_batch: inferB,
    infer_cpu_ms_per_clip: round(infer.cpuMs / inferB),
    infer_ms_batch1: round(one.ms, 3),
    infer_cpu_ms_batch1: round(one.cpuMs, 3),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 0),
    gflops: round(gflops, 1),
    infer_gflops: round(fwdFlop / (medInfer * 1e6), 1),
    train_gflop_per_clip: round(trainFlop / 1e9, 3),
    forward_gflop_per_clip: round(fwdFlop / 1e9, 3),
    peak_gflops: peak === null ? null : round(peak, 1),
    pct_of_peak: peak ? round((100 * gflops) / peak, 1) : null,
    peak_under_load: peakM ? peakM.under_load : null,
    load_avg: round(loadavg()[0]!),
    loss_first: round(losses[0]!, 4),
    loss_last: round(losses[losses.length - 1]!, 4),
  };
}
