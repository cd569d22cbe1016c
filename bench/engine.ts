// `npm run bench:engine [-- --batch 32 --frames 1000 --steps 3]`: the training benchmark of the engine,
// one JSON line per batch size (default: the anchors' batch sizes 8 and 32).
import { parseArgs } from 'node:util';
import { runTrainBenchmark } from '../src/engine/bench.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', multiple: true },
    frames: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '3' },
    masked: { type: 'boolean', default: false },
  },
});
const batches = (values.batch ?? ['8', '32']).map(Number);
for (const batch of batches) {
  const r = runTrainBenchmark({ batch, frames: Number(values.frames), steps: Number(values.steps), masked: values.masked });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
