/**
 * `affexion predict DIR …`: run a model directory.
 *
 * Today: the raw-feature mode (`--features X.safetensors`), which feeds a (B, T, F) tensor straight to
 * the network in eval mode — no feature extraction, no normalisation — for checking against PyTorch.
 * Audio-file prediction (positional INPUTS: extract features with the model's feature_params, normalise,
 * pad, then predictRaw) is to be added to this file by the train/CLI owner: see `predictAudio` below.
 */
import { Option, type Command } from 'commander';
import { loadModelDir } from '../../model/io.js';
import { ensembleMemberDir, isEnsembleDir } from '../../model/model-dir.js';
import { predictRaw, type RawPrediction } from '../../model/predict.js';
import { numel, readSafetensors, toFloat32, toInt32 } from '../../model/safetensors.js';
import { formatPredictions, predictFiles } from '../../eval/predict.js';
import { predictOnQueue } from '../../workflows/sweep/remote.js';

interface PredictOptions {
  features?: string;
  tensor: string;
  lengthsTensor?: string;
  json?: boolean;
  batchSize: string;
  window?: string;
  hop?: string;
  reference: string[];
  queue?: string;
  queueName: string;
  chunk: string;
}

/** Reads the input tensor (and optional lengths) from a safetensors file; errors name the file and tensor. */
function readFeatureTensor(
  file: string,
  tensorName: string,
  lengthsName?: string,
): { x: Float32Array; B: number; T: number; F: number; lengths: Int32Array | null } {
  const { tensors } = readSafetensors(file);
  const t = tensors.get(tensorName);
  if (!t)
    throw new Error(`--features ${file}: no tensor '${tensorName}' (has: ${[...tensors.keys()].join(', ')}); choose one with --tensor`);
  if (t.shape.length !== 3) throw new Error(`--features ${file}: tensor '${tensorName}' is [${t.shape}], expected (B, T, F)`);
  const [B, T, F] = t.shape as [number, number, number];
  let lengths: Int32Array | null = null;
  if (lengthsName) {
    const l = tensors.get(lengthsName);
    if (!l) throw new Error(`--lengths-tensor: ${file} has no tensor '${lengthsName}'`);
    if (numel(l.shape) !== B) throw new Error(`--lengths-tensor: '${lengthsName}' has ${numel(l.shape)} values for ${B} clips`);
    lengths = toInt32(l, `${file}:${lengthsName}`);
  }
  return { x: toFloat32(t), B, T, F, lengths };
}

function printPrediction(p: RawPrediction, json: boolean): void {
  const rows = (a: Float32Array) =>
    Array.from({ length: a.length / p.nClasses }, (_, b) => Array.from(a.subarray(b * p.nClasses, (b + 1) * p.nClasses)));
  if (json) {
    process.stdout.write(`${JSON.stringify({ labels: p.labels, logits: rows(p.logits), probs: rows(p.probs) })}\n`);
    return;
  }
  rows(p.probs).forEach((pr, b) => {
    const best = pr.indexOf(Math.max(...pr));
    const detail = pr.map((v, k) => `${p.labels[k]} ${v.toFixed(3)}`).join('  ');
    process.stdout.write(`clip ${b}: ${p.labels[best]}  (${detail})\n`);
  });
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('Predict the class of audio files (timeline over sliding windows for long files), or of raw features (--features)')
    .argument(
      '<modelDir>',
      'model folder written by train (config.json + weights.safetensors), an ensemble (ensemble.json + members/, ' +
        'probabilities averaged), or one from model import (--features only)',
    )
    .argument('[inputs...]', 'audio files (any supported format)')
    .option('--features <file>', 'safetensors file with a (B, T, F) feature tensor, used as-is (eval mode, no normalisation)')
    .option('--tensor <name>', 'name of the input tensor in --features', 'input')
    .option(
      '--lengths-tensor <name>',
      "name of a (B) tensor of valid frame counts: padded frames are masked, for any model (as the reference's forward(x, lengths))",
    )
    .option('--batch-size <n>', 'clips per forward pass', '16')
    .option('--window <s>', "audio: window length in seconds for the timeline of long files (default: the model's MAX_LEN)")
    .option('--hop <s>', 'audio: hop between windows in seconds (default: half the window)')
    .addOption(
      new Option(
        '--reference <file>',
        "audio: a clip of the speaker's calm speech (repeatable), for a model trained with " +
          '--speaker-reference; all inputs are taken to be that speaker',
      )
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([], 'none'),
    )
    .option('--json', 'print JSON: {"labels", "logits", "probs"} for --features; one object per audio file')
    .option(
      '--queue <url>',
      'redis://HOST:PORT: score the audio files on `affexion worker` processes through BullMQ; prints JSONL in input order',
    )
    .option('--queue-name <name>', 'BullMQ queue name', 'affexion')
    .option('--chunk <n>', 'with --queue: files per job', '16')
    .action(async (modelDir: string, inputs: string[], o: PredictOptions) => {
      if (o.features) {
        if (o.queue) throw new Error('--queue: scores audio files; --features runs here');
        if (inputs.length) throw new Error('give either --features or audio files, not both');
        if (o.reference.length)
          throw new Error('--reference: --features are used as given (already normalised); reference clips apply to audio files only');
        const bs = Number(o.batchSize);
        if (!Number.isInteger(bs) || bs < 1) throw new Error(`--batch-size must be a positive integer, got ${o.batchSize}`);
        if (isEnsembleDir(modelDir)) {
          throw new Error(
            `--features runs one network, and ${modelDir} is an ensemble; give one member (${ensembleMemberDir(modelDir, 1)}) or predict audio files`,
          );
        }
        const { x, B, T, F, lengths } = readFeatureTensor(o.features, o.tensor, o.lengthsTensor);
        const model = loadModelDir(modelDir);
        if (F !== model.config.n_features) {
          throw new Error(
            `--features ${o.features}: tensor '${o.tensor}' has ${F} features per frame, the model in ${modelDir} expects ${model.config.n_features}`,
          );
        }
        printPrediction(predictRaw(model, x, B, T, lengths, { batchSize: bs }), Boolean(o.json));
        return;
      }
      await predictAudio(modelDir, inputs, o);
    });
}

/** Audio-file prediction: probabilities per file, plus a sliding-window timeline for long files. */
async function predictAudio(modelDir: string, inputs: string[], o: PredictOptions): Promise<void> {
  if (!inputs.length) throw new Error('nothing to predict: give audio files or --features X.safetensors');
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`${name}: expected a positive number of seconds, got "${v}"`);
    return n;
  };
  const bs = Number(o.batchSize);
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`--batch-size must be a positive integer, got ${o.batchSize}`);
  if (o.queue) {
    const chunk = Number(o.chunk);
    if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`--chunk must be a positive integer, got ${o.chunk}`);
    const preds = await predictOnQueue({
      queue: o.queue,
      queueName: o.queueName,
      model: modelDir,
      files: inputs,
      chunk,
      options: { window: num('--window', o.window), hop: num('--hop', o.hop), batchSize: bs, reference: o.reference },
      onResult: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
    });
    const failed = preds.filter((p) => p.error);
    if (failed.length) throw new Error(`${failed.length} of ${preds.length} file(s) could not be read (see above)`);
    return;
  }
  const preds = await predictFiles(modelDir, inputs, {
    window: num('--window', o.window),
    hop: num('--hop', o.hop),
    batchSize: bs,
    reference: o.reference,
    onWarning: (msg) => process.stderr.write(`warning: ${msg}\n`),
  });
  if (o.json) for (const p of preds) process.stdout.write(`${JSON.stringify(p)}\n`);
  else process.stdout.write(`${formatPredictions(preds)}\n`);
  const failed = preds.filter((p) => p.error);
  if (failed.length) throw new Error(`${failed.length} of ${preds.length} file(s) could not be read (see above)`);
}
