/** Worker for bench/features.ts: extracts features of the files it is sent, reports the time taken. */
import { parentPort } from 'node:worker_threads';
import { extractFeaturesFromFile } from '../src/features/index.js';

parentPort!.on('message', async (msg: { files: string[] } | 'exit') => {
  if (msg === 'exit') process.exit(0);
  let frames = 0;
  for (const f of msg.files) frames += (await extractFeaturesFromFile(f)).frames;
  parentPort!.postMessage({ frames });
});
