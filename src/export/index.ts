/**
 * ONNX export (model layer, beside src/model): a trained model — one network, or a seed ensemble as one
 * graph averaging its members' probabilities — as an ONNX file with its feature settings,
 * normalisation, labels and window in the metadata; the checker for ONNX files from elsewhere; and a
 * runner for onnxruntime-web (Node or a browser worker). docs/onnx.md has the format.
 *
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const m = loadTrainedModel('runs/demo/model');
 * writeOnnx(m, 'demo.onnx');                                  // affexion model export MODEL --onnx OUT
 * const { bytes, meta } = readOnnxModel('demo.onnx');         // checked: inputs, outputs, metadata
 * const run = ortRunner(ort, await ort.InferenceSession.create(bytes));
 * const probs = await run({ x, B: 1, T: meta.max_len, F: 75 }, null);
 * ```
 */
export {
  buildOnnx,
  writeOnnx,
  exportSourceOf,
  ONNX_FORMAT,
  ONNX_FORMAT_VERSION,
  type OnnxMetadata,
  type ExportSource,
} from './onnx-export.js';
export { checkOnnxModel, readOnnxModel } from './onnx-check.js';
export { reorderGates, PT_TO_ONNX_GATES } from './onnx-network.js';
export { ortRunner, type OrtRun, type OrtBatch } from './ort-run.js';
