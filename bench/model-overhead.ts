// `npx tsx bench/model-overhead.ts [--batch 8] [--frames 1000] [--steps 5]`: CPU time per training step
// spent in the TypeScript layers (BatchNorm, dropout, pooling, ReLU, bias broadcasts, loss, Adam) —
// everything except the compute kernels, which are replaced by no-ops. Process CPU time, so the figure
// does not depend on how busy the machine is. Prints one JSON line. Profiling aid for docs/model.md.
import { parseArgs } from 'node:util';
import type { Kernels } from '../src/engine/kernels.js';
import { Rng } from '../src/engine/rng.js';
import { PAPER_CONFIG } from '../src/model/config.js';
import { softmaxCrossEntropy } from '../src/model/loss.js';
import { AffexionNet } from '../src/model/network.js';
import { Adam } from '../src/model/optim.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    frames: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '5' },
  },
});
const B = Number(values.batch),
  T = Number(values.frames),
  steps = Number(values.steps);
const noop: Kernels = {
  name: 'noop',
  gemm() {},
  conv1dForward() {},
  conv1dBackward() {},
  lstmCacheSize: () => 1,
  lstmForward() {},
  lstmBackward() {},
  attentionForward() {},
  attentionBackward() {},
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const net = new AffexionNet(PAPER_CONFIG, { seed: 1, kernels: noop });
const adam = new Adam(net.parameters(), { lr: 1e-3 });
const rng = new Rng(2);
const x = rng.fillNormal(new Float32Array(B * T * PAPER_CONFIG.n_features));
const y = Int32Array.from({ length: B }, () => rng.int(PAPER_CONFIG.n_classes));
const phase = { forward: [] as number[], backward: [] as number[], adam: [] as number[] };
for (let s = 0; s < steps + 2; s++) {
  // two warm-up steps for the JIT
  net.zeroGrad();
  const t = cpuMs();
  const logits = net.forward(x, B, T, { train: true });
  const { dLogits } = softmaxCrossEntropy(logits, y, PAPER_CONFIG.n_classes);
  const t1 = cpuMs();
  net.backward(dLogits);
  const t2 = cpuMs();
  adam.step();
  const t3 = cpuMs();
  if (s >= 2) {
    phase.forward.push(t1 - t);
    phase.backward.push(t2 - t1);
    phase.adam.push(t3 - t2);
  }
}
const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return Math.round(s[s.length >> 1]! * 10) / 10;
};
const m = { forward: median(phase.forward), backward: median(phase.backward), adam: median(phase.adam) };
process.stdout.write(
  `${JSON.stringify({
    what: 'typescript-layer cpu ms per training step (kernels excluded)',
    batch: B,
    frames: T,
    steps,
    step_cpu_ms: Math.round((m.forward + m.backward + m.adam) * 10) / 10,
    phase_cpu_ms: m,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
