/** ONNX export of trained models, the checker for ONNX files, and an onnxruntime-web runner. */
export { buildOnnx, writeOnnx, exportSourceOf, ONNX_FORMAT, ONNX_FORMAT_VERSION, type OnnxMetadata, type ExportSource } from './onnx-export.js';
export { checkOnnxModel, readOnnxModel } from './onnx-check.js';
export { reorderGates, PT_TO_ONNX_GATES } from './onnx-network.js';
export { ortRunner, type OrtRun, type OrtBatch } from './ort-run.js';
