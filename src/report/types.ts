/**
 * The input of {@link writeReport}: everything a run can tell about itself. Every part is optional, so
 * the same writer serves `train`, `cv`, `evaluate`, `reproduce`, `demo` and one-off experiments; a
 * section (and its charts) appears only when its data is present.
 *
 * Metric records use the same snake_case keys as the JSON the commands print and the lines of
 * `metrics.jsonl`, so a parsed line or `evaluate --json` result can be passed straight in.
 *
 * Rates (accuracy, precision, recall, F1, balanced accuracy) are fractions in [0, 1]; the report
 * shows them as percentages.
 */
import type { ArchitectureSizes } from './architecture.js';
import type { ModelCard } from './model-card.js';

/**
 * One row of a run's training history (one line of `MODEL_DIR/metrics.jsonl`), as training writes it.
 * A report also takes partial rows ({@link HistoryRecord}).
 */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss?: number;
  val_acc?: number;
  val_balanced_accuracy?: number;
  val_macro_f1?: number;
  /** Learning rate used during this epoch. */
  lr: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
  /** Any further numeric fields are kept (shown in the history table, not charted). */
  [extra: string]: number | undefined;
}

/** A history row as a report accepts it: only `epoch` is required (e.g. a hand-written or older metrics.jsonl). */
export type HistoryRecord = Partial<EpochRecord> & { epoch: number };

/** Labelled confusion matrix: `matrix[i][j]` = clips of true class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  labels: string[];
  matrix: number[][];
}

/** Precision, recall, F1 and support of one class. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of clips whose true class is `label`. */
  support: number;
}

/** The figures of one evaluation (the shape of `affexion evaluate --json`). */
export interface EvaluationMetrics {
  /** Number of clips scored (clips with labels the model does not know are not included). */
  n?: number;
  accuracy?: number;
  /** Unweighted average recall (UA). */
  balanced_accuracy?: number;
  macro_precision?: number;
  macro_recall?: number;
  macro_f1?: number;
  confusion?: ConfusionMatrix;
  /** Per-class figures, in the model's label order. */
  per_class?: ClassMetrics[];
  /** Clips left out because their label is not one of the model's classes: label → count. */
  unknown_labels?: Record<string, number>;
  /** Model classes with no clip in the data (left out of the macro averages). */
  missing_classes?: string[];
  /** Any further fields (numbers are shown in the metrics table). */
  [extra: string]: unknown;
}

/** A file that was skipped while scanning a dataset, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What a dataset held. */
export interface DatasetSummary {
  /** Display name, e.g. "training (synthetic)" or "real (RAVDESS dev)". */
  name: string;
  /** Folder or manifest it came from. */
  path?: string;
  /** Clips per class, in display order. */
  counts: Record<string, number>;
  /** Files skipped while scanning (unreadable, unknown label, too short …). */
  skipped?: SkippedFile[];
  /** Free remarks (label map used, speakers, total duration …). */
  notes?: string[];
}

/** One cross-validation fold. */
export interface FoldResult {
  /** 1-based fold number. */
  fold: number;
  /** Validation-side figures, e.g. {accuracy, macro_precision, macro_recall, macro_f1}. */
  metrics: Record<string, number>;
  /** Figures of this fold's model on the extra evaluation set (`cv --eval DATA2`), if any. */
  eval?: Record<string, number>;
  /** Training history of this fold's model: drawn as learning curves, one line per fold. */
  history?: HistoryRecord[];
  /** Clips on the training / validation side. */
  n_train?: number;
  n_val?: number;
}

/** A k-fold cross-validation. Mean ± std are computed by the report from `folds`. */
export interface CvReport {
  folds: FoldResult[];
  /** Number of folds asked for (defaults to folds.length). */
  k?: number;
  /** Grouping used so no speaker/sentence crosses sides: "speaker", "text" or "none". */
  groupBy?: string;
  /** Name of the extra evaluation set (`--eval`), used as the caption of `eval` figures. */
  evalName?: string;
  /** Which metric keys to chart and tabulate, in order (default: the keys present among
   *  accuracy, balanced_accuracy, macro_precision, macro_recall, macro_f1). */
  metrics?: string[];
  /** Warnings to show prominently (e.g. a plain k-fold leaking speakers). */
  warnings?: string[];
}

/**
 * A comparison table, e.g. ours vs the paper. Rows are series (one colour each in the chart), columns
 * are the things compared (one group of bars each). Cells may be null (unknown) or text.
 */
export interface ComparisonTable {
  title: string;
  columns: string[];
  rows: { label: string; values: (number | string | null)[] }[];
  /** "percent" when the numbers are fractions in [0, 1] to be shown as %; "number" otherwise (default "percent"). */
  unit?: 'percent' | 'number';
  /** Draw a grouped bar chart of the numeric cells (default true). */
  chart?: boolean;
  /** Caption shown under the table (source of the paper's figures, caveats …). */
  caption?: string;
}

/** Lines over time, with optional shaded spans (e.g. where there was speech). */
export interface TimelineChart {
  title: string;
  /** One point per (time, series); time in seconds. */
  points: { t: number; series: string; value: number }[];
  /** Shaded stretches of time, e.g. speech. */
  spans?: { t0: number; t1: number }[];
  /** Caption of the shading in the chart's subtitle (default "shaded: speech"). */
  spanLabel?: string;
  yTitle?: string;
}

/** Everything a run report can show. All parts optional. */
export interface RunReport {
  /** Heading of the report (default "Affexion run"). */
  title?: string;
  /** What produced it: "train", "cv", "evaluate", "reproduce", "demo", … */
  kind?: string;
  /** When the run was made (ISO 8601 string or Date; default: now). */
  created?: string | Date;
  /** The command line that produced the run (array joined with spaces, shell-quoted where needed). */
  command?: string | string[];
  /** Settings worth recording (hyper-parameters, feature parameters, seed, backend …). */
  config?: Record<string, unknown>;
  datasets?: DatasetSummary[];
  /** Training history of the final model, one record per epoch. */
  history?: HistoryRecord[];
  cv?: CvReport;
  /** Evaluations by name, e.g. {"synthetic (held-out)": …, "real (RAVDESS dev)": …}. With two or more
   *  that carry per_class figures, a grouped per-class F1 chart compares them. */
  evaluations?: Record<string, EvaluationMetrics>;
  comparisons?: ComparisonTable[];
  /** Values over time (e.g. the live monitor's smoothed probabilities), one line chart each. */
  timelines?: TimelineChart[];
  /** Free notes, one paragraph each (plain text; HTML is escaped). */
  notes?: string[];
  /**
   * The network drawn as Figure 1 (layers, shapes, parameter counts). When absent, it is derived from
   * `config` if that holds the architecture's hyper-parameters, feature parameters and classes.
   */
  architecture?: ArchitectureSizes;
  /** A model card shown as its own section (src/report/model-card.ts). */
  modelCard?: ModelCard;
}

/** What {@link writeReport} wrote. */
export interface WrittenReport {
  /** Absolute path of report.html. */
  html: string;
  /** Absolute paths of every chart file written (each chart as .svg and .png). */
  charts: string[];
}
