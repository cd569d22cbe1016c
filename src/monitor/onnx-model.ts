/**
 * The monitor's model when it runs on the device: an exported ONNX file (src/export) whose metadata
 * says how to turn audio into its input. Windows become features with the project's own feature code
 * (`featuresFromSamples`: loudness step + MFCC/deltas), are z-scored with the speaker's reference and
 * the model's statistics, and padded to `max_len` — the same steps as `windowProbabilities` on the
 * server — and the graph runs wherever the injected runner puts it (a Web Worker with onnxruntime-web
 * in the page; onnxruntime-web in Node for the tests).
 *
 * A model exported with a functional head (metadata `functional_head`) gets it fused into each window as
 * the server-side monitor does (src/monitor/head.ts: the same context, speech threshold, reference and
 * fusion), its functionals computed where the injected `HeadFunctionals` say (the page: its worker).
 *
 * Browser-safe: the Node-only modules that `featuresFromSamples` sits beside (file loading, the cache,
 * the native front end) are replaced by stubs when the page is bundled (scripts/build-on-device-web.mjs).
 */
import { featuresFromSamples, type FeatureSettings, type LoudnessMode } from '../data/features.js';
import { toModelBatch, type ModelBatch } from '../data/normalize.js';
import { applySpeakerReference, speakerReferences, type SpeakerReference } from '../data/reference.js';
import type { FeatureParams } from '../features/params.js';
import type { OnnxMetadata } from '../export/onnx-export.js';
import type { OrtRun } from '../export/ort-run.js';
import { checkFunctionalHead } from '../model/functional-head.js';
import type { MonitorModel } from './core.js';
import { functionalMonitorHead, localHeadFunctionals, type HeadFunctionals } from './head.js';

/** The feature settings an exported model was trained with (silence trimming: what the head's functionals are computed on, as on the server). */
export function onnxFeatureSettings(meta: OnnxMetadata): FeatureSettings {
  return {
    params: meta.feature_params as unknown as FeatureParams,
    loudness: meta.loudness as LoudnessMode,
    ...(meta.trim_silence === true ? { trimSilence: true } : {}),
    ...(meta.prosodic_rows === true ? { prosodicRows: true } : {}),
  };
}

/**
 * The model input for audio windows (samples at the model's rate): features, speaker reference, the
 * model's z-score, padded/truncated to max_len; `lengths` only for models trained with masking (as
 * `predictProbabilities` does).
 */
export function onnxWindowBatch(
  meta: OnnxMetadata,
  windows: readonly Float32Array[],
  ref: SpeakerReference | null,
): { batch: ModelBatch; lengths: Int32Array | null } {
  const settings = onnxFeatureSettings(meta);
  const mats = windows.map((w) => {
    const m = featuresFromSamples(w, settings);
    return ref ? applySpeakerReference(m, ref) : m;
  });
  const batch = toModelBatch(mats, meta.normalization, meta.max_len);
  return { batch, lengths: meta.mask_padding ? batch.lengths : null };
}

/** A speaker's reference statistics from clips of their calm speech, as `referenceFromSamples` computes them. */
export function onnxReference(meta: OnnxMetadata, clips: readonly Float32Array[]): SpeakerReference {
  if (clips.length === 0) throw new Error('reference: no clips');
  const settings = onnxFeatureSettings(meta);
  const mats = clips.map((c) => featuresFromSamples(c, settings));
  return speakerReferences(
    mats,
    mats.map(() => 'speaker'),
    meta.max_len,
  ).get('speaker')!;
}

/** The window the model's recipe used, from the metadata (`window` seconds or {seconds, hop_seconds}; `window_hop`). */
export function onnxWindow(meta: OnnxMetadata): { seconds: number; hopSeconds: number } | undefined {
  const w = meta.window as number | { seconds?: number; hop_seconds?: number } | null;
  const seconds = typeof w === 'number' ? w : w?.seconds;
  const hop = typeof meta.window_hop === 'number' ? meta.window_hop : typeof w === 'object' ? w?.hop_seconds : undefined;
  return seconds! > 0 && hop! > 0 ? { seconds: seconds!, hopSeconds: hop! } : undefined;
}

/**
 * A `MonitorModel` over an exported model: `classify(windows)` hands the windows to `classifyWindows`
 * (in the page: the worker, which computes features and runs the graph there), references are built
 * here with the same feature code. With a functional head in the metadata, the head's functionals come
 * from `headFunctionals` (in the page: the worker; default: computed in this thread).
 */
export function onnxMonitorModel(
  meta: OnnxMetadata,
  classifyWindows: (windows: Float32Array[], ref: SpeakerReference | null) => Promise<Float32Array>,
  headFunctionals?: HeadFunctionals,
): MonitorModel<SpeakerReference> {
  const params = meta.feature_params as unknown as FeatureParams;
  // Checked again here: the page gets the metadata as JSON, where the head's NaNs are null.
  const head = meta.functional_head ? checkFunctionalHead(meta.functional_head, meta.labels, 'metadata functional_head') : undefined;
  return {
    classes: meta.labels,
    sampleRate: params.sr,
    window: onnxWindow(meta),
    classify: classifyWindows,
    ...(meta.speaker_reference
      ? { makeReference: (clips: Float32Array[]) => onnxReference(meta, clips), referenceClipSamples: meta.max_len * params.hopLength }
      : {}),
    ...(head
      ? { head: functionalMonitorHead(head, meta.labels, params.sr, headFunctionals ?? localHeadFunctionals(onnxFeatureSettings(meta))) }
      : {}),
  };
}

/** Window probabilities with a runner in this thread (Node tests, the worker itself). */
export async function onnxWindowProbabilities(
  meta: OnnxMetadata,
  run: OrtRun,
  windows: readonly Float32Array[],
  ref: SpeakerReference | null,
): Promise<Float32Array> {
  const { batch, lengths } = onnxWindowBatch(meta, windows, ref);
  return run(batch, lengths);
}
