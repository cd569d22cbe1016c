// The on-device monitor's Web Worker: audio windows in, class probabilities out, nothing leaves the
// browser. Features are computed here with the project's own feature code (bundled; the same steps as
// the server's windowProbabilities) and the exported graph runs in onnxruntime-web (WASM), loaded from
// the app's own server (./ort/), never from a CDN. For a model with a functional head, the head's
// functionals (of a window's trailing context, of the enrolment speech) are computed here too, with the
// server's own code (src/monitor/head.ts), so the F0 tracker never runs on the page's main thread.
import type * as Ort from 'onnxruntime-web';
import type { OnnxMetadata } from '../../src/export/onnx-export.js';
import { ortRunner, type OrtRun } from '../../src/export/ort-run.js';
import { onnxFeatureSettings, onnxWindowProbabilities } from '../../src/monitor/onnx-model.js';
import { contextFunctionals, enrolmentFunctionals } from '../../src/monitor/head.js';
import type { SpeakerReference } from '../../src/data/reference.js';

type InitMsg = { type: 'init'; modelUrl: string; meta: OnnxMetadata; threads: number; simd?: boolean };
type ClassifyMsg = { type: 'classify'; id: number; windows: Float32Array[]; ref: SpeakerReference | null };
type RawMsg = { type: 'raw'; id: number; x: Float32Array; B: number; T: number; F: number; lengths: Int32Array | null };
/** The head's functionals: of a window's trailing context, or of the enrolment speech (its reference). */
type FunctionalsMsg =
  { type: 'context-functionals'; id: number; context: Float32Array } | { type: 'reference-functionals'; id: number; clips: Float32Array[] };

let meta: OnnxMetadata | null = null;
let run: OrtRun | null = null;
/** Bare graph runs (tests, benchmark): the logits of a single network, else the probabilities. */
let runRaw: OrtRun | null = null;

const scope = self as unknown as {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

async function init(m: InitMsg): Promise<void> {
  const base = new URL('./ort/', self.location.href).href;
  // A URL the bundler leaves alone: ORT's own module, which loads its .wasm (and thread workers) beside it.
  const ort = (await import(/* @vite-ignore */ `${base}ort.wasm.min.mjs`)) as typeof Ort;
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.numThreads = m.threads;
  ort.env.logLevel = 'error';
  const bytes = new Uint8Array(await (await fetch(m.modelUrl, { credentials: 'same-origin' })).arrayBuffer());
  // With threads, an ensemble's members are independent branches of the graph: the parallel executor
  // runs them side by side (inter-op) besides splitting each GEMM (intra-op).
  const parallel = m.threads > 1 && (m.meta.members ?? 1) > 1;
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    ...(parallel ? { executionMode: 'parallel' as const } : {}),
  });
  meta = m.meta;
  run = ortRunner(ort, session);
  runRaw = ortRunner(ort, session, session.outputNames.includes('logits') ? 'logits' : 'probs');
  scope.postMessage({
    type: 'ready',
    threads: ort.env.wasm.numThreads,
    crossOriginIsolated: (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? false,
  });
}

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as InitMsg | ClassifyMsg | RawMsg | FunctionalsMsg;
  if (m.type === 'init') {
    init(m).catch((err: Error) => scope.postMessage({ type: 'error', message: `model: ${err.message ?? err}` }));
    return;
  }
  const id = m.id;
  (async () => {
    if (!run || !meta) throw new Error('the model is not loaded yet');
    const t0 = performance.now();
    if (m.type === 'context-functionals' || m.type === 'reference-functionals') {
      const settings = onnxFeatureSettings(meta);
      const values = m.type === 'context-functionals' ? contextFunctionals(settings, m.context) : enrolmentFunctionals(settings, m.clips);
      scope.postMessage({ type: 'functionals', id, values, ms: performance.now() - t0 });
      return;
    }
    const out =
      m.type === 'classify'
        ? await onnxWindowProbabilities(meta, run, m.windows, m.ref)
        : await runRaw!({ x: m.x, B: m.B, T: m.T, F: m.F }, m.lengths);
    const probs = Float32Array.from(out); // its own buffer, so it can be transferred
    scope.postMessage({ type: 'probs', id, probs, ms: performance.now() - t0 }, [probs.buffer]);
  })().catch((err: Error) => scope.postMessage({ type: 'error', id, message: err.message ?? String(err) }));
};
