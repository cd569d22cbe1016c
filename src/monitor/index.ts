/** The live monitor: streaming core (browser-safe), its Node model adapter, file replay, the web server. */
export { createMonitor, defaultThresholds, type Monitor, type MonitorModel, type MonitorOptions, type MonitorEvent, type WindowEvent,
  type UtteranceEvent, type SpeechEvent, type AlertEvent, type EnrolledEvent, type EnrollingEvent, type SummaryEvent, type Threshold } from './core.js';
export { StreamResampler } from './stream-resampler.js';
export { SpeechGate, type GateOptions } from './gate.js';
export { monitorModel, loadMonitorModel, sessionReference } from './model.js';
export { createInferencePool, type InferencePool } from './pool.js';
export { replayFile, referenceFromFiles, type ReplayOptions } from './replay.js';
export { startMonitorServer, isLoopback, defaultWorkers, type MonitorServer, type MonitorServerOptions } from './server.js';
export { sessionReport, writeSessionReport } from './session-report.js';
