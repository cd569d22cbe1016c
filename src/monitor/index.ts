/**
 * The live monitor (layer: workflows / monitor): a streaming core (browser-safe: speech gate, windows,
 * smoothing, alerts), its Node model adapter, file replay, and the web server (127.0.0.1 unless a token
 * guards another host). See docs/monitor.md.
 *
 * ```ts
 * const model = loadTrainedModel('runs/model');
 * const server = await startMonitorServer(model, { port: 8080 });  // open server.url in a browser
 * const summary = await replayFile(model, 'call.wav', { onEvent: (e) => console.log(e.type) });
 * ```
 */
export {
  createMonitor,
  defaultThresholds,
  type Monitor,
  type MonitorModel,
  type MonitorOptions,
  type MonitorEvent,
  type WindowEvent,
  type UtteranceEvent,
  type SpeechEvent,
  type AlertEvent,
  type EnrolledEvent,
  type EnrollingEvent,
  type SummaryEvent,
  type Threshold,
} from './core.js';
export { StreamResampler } from './stream-resampler.js';
export { SpeechGate, type GateOptions } from './gate.js';
export { monitorModel, loadMonitorModel, sessionReference } from './model.js';
export { createInferencePool, type InferencePool } from './pool.js';
export { replayFile, referenceFromFiles, type ReplayOptions } from './replay.js';
export { startMonitorServer, isLoopback, defaultWorkers, type MonitorServer, type MonitorServerOptions } from './server.js';
export { sessionReport, writeSessionReport, writeSessionReportOffThread } from './session-report.js';
