/**
 * ONNX export (layer: model / augment / export): a trained model (single network or ensemble) as one
 * ONNX graph, the checker for ONNX files (inputs, outputs, Affexion metadata), and an onnxruntime-web
 * runner (the on-device monitor's engine).
 *
 * ```ts
 * const model = loadTrainedModel('runs/model');
 * const bytes = writeOnnx(model, 'model.onnx');                   // size in bytes
 * const { meta } = readOnnxModel('model.onnx');                   // checked: throws naming the file otherwise
 * ```
 */
export { buildOnnx, writeOnnx, exportSourceOf, ONNX_FORMAT, ONNX_FORMAT_VERSION, type OnnxMetadata, type ExportSource } from './onnx-export.js';
export { checkOnnxModel, readOnnxModel } from './onnx-check.js';
export { reorderGates, PT_TO_ONNX_GATES } from './onnx-network.js';
export { ortRunner, type OrtRun, type OrtBatch } from './ort-run.js';
