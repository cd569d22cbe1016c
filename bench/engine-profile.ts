// `npx tsx bench/engine-profile.ts [--batch 8] [--frames 1000]`: where a training step's time goes —
// wall time per kernel of the Kernels contract, plus the rest (TypeScript layers, loss, Adam).
// Prints one JSON line. Profiling aid for docs/engine.md, not a regression benchmark.
// --eval times eval-mode forward passes only (inference).
// --cpu measures process CPU time instead of wall time: with AFFEXION_THREADS=1 that is the work done,
// independent of how busy the machine is (other processes only stretch wall time).
import { parseArgs } from 'node:util';
import { AffexionNet } from '../src/model/network.js';
import { PAPER_CONFIG } from '../src/model/config.js';
import { softmaxCrossEntropy } from '../src/model/loss.js';
import { Adam } from '../src/model/optim.js';
import { getKernels } from '../src/engine/index.js';
import type { Kernels } from '../src/engine/kernels.js';
import { Rng } from '../src/engine/rng.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    frames: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '2' },
    cpu: { type: 'boolean', default: false },
    eval: { type: 'boolean', default: false },
  },
});
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const now = values.cpu ? cpuMs : () => performance.now();
const B = Number(values.batch),
  T = Number(values.frames),
  steps = Number(values.steps);

const base = getKernels();
const ms: Record<string, number> = {};
const timed = new Proxy(base, {
  get(target, prop, recv) {
    const v = Reflect.get(target, prop, recv);
    if (typeof v !== 'function') return v;
    return (...args: unknown[]) => {
      const t0 = now();
      const r = (v as (...a: unknown[]) => unknown).apply(target, args);
      const key = prop === 'gemm' ? `gemm ${args[2]}x${args[3]}x${args[4]}` : String(prop);
      ms[key] = (ms[key] ?? 0) + now() - t0;
      return r;
    };
  },
}) as Kernels;

const net = new AffexionNet(PAPER_CONFIG, { seed: 1, kernels: timed });
const adam = new Adam(net.parameters(), { lr: 1e-3 });
const rng = new Rng(2);
const x = Float32Array.from({ length: B * T * 75 }, () => rng.normal());
const y = Int32Array.from({ length: B }, () => rng.int(4));
const phase: Record<string, number> = { forward: 0, backward: 0, adam: 0 };
for (let s = 0; s <= steps; s++) {
  if (s === 1) for (const k of Object.keys(ms)) ms[k] = 0; // drop the warm-up step
  if (s === 1) for (const k of Object.keys(phase)) phase[k] = 0;
  net.zeroGrad();
  let t = now();
  if (values.eval) {
    // inference only: eval-mode forward
    net.forward(x, B, T, { train: false });
    phase.forward! += now() - t;
    continue;
  }
  const logits = net.forward(x, B, T, { train: true });
  const { dLogits } = softmaxCrossEntropy(logits, y, 4);
  phase.forward! += now() - t;
  t = now();
  net.backward(dLogits);
  phase.backward! += now() - t;
  t = now();
  adam.step();
  phase.adam! += now() - t;
}
const per = (v: number) => Math.round((v / steps) * 10) / 10;
const kernelTotal = Object.values(ms).reduce((a, b) => a + b, 0);
const total = phase.forward! + phase.backward! + phase.adam!;
process.stdout.write(
  JSON.stringify({
    backend: base.name,
    clock: values.cpu ? 'cpu' : 'wall',
    batch: B,
    frames: T,
    step_ms: per(total),
    phase_ms: Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, per(v)])),
    kernels_ms: Object.fromEntries(
      Object.entries(ms)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, per(v)]),
    ),
    outside_kernels_ms: per(total - kernelTotal),
  }) + '\n',
);
