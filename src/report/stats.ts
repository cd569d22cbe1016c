/**
 * Small numeric and naming helpers shared by the chart builders and the HTML writer.
 */

/** Metric keys the report knows, with the names readers expect. Unknown keys are shown as-is. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy (UA)',
  macro_precision: 'Macro precision',
  macro_recall: 'Macro recall',
  macro_f1: 'Macro F1',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  train_loss: 'Train loss',
  val_loss: 'Validation loss',
  train_acc: 'Train accuracy',
  val_acc: 'Validation accuracy',
  lr: 'Learning rate',
  seconds: 'Seconds',
  loss: 'Loss',
};

/** Keys whose values are fractions in [0, 1] and are shown as percentages. */
const RATE_KEYS = new Set([
  'accuracy',
  'balanced_accuracy',
  'macro_precision',
  'macro_recall',
  'macro_f1',
  'precision',
  'recall',
  'f1',
  'train_acc',
  'val_acc',
  'weighted_f1',
  'weighted_precision',
  'weighted_recall',
]);

/** Reader-facing name of a metric key; "val_macro_f1" becomes "Validation macro F1". */
export function metricLabel(key: string): string {
  if (METRIC_LABELS[key]) return METRIC_LABELS[key];
  const side = /^(train|val)_(.+)$/.exec(key);
  if (side && METRIC_LABELS[side[2]]) {
    const rest = METRIC_LABELS[side[2]];
    return `${side[1] === 'val' ? 'Validation' : 'Train'} ${/^[A-Z][a-z]/.test(rest) ? rest[0].toLowerCase() + rest.slice(1) : rest}`;
  }
  return key;
}

/** Whether a metric key names a rate (fraction) rather than a count, loss or time. */
export function isRate(key: string): boolean {
  return RATE_KEYS.has(key) || /(^|_)(acc|accuracy|precision|recall|f1)$/.test(key);
}

/** Formats a value for a table: rates as "75.1 %" (with a no-break space), integers plainly, other numbers to 4 significant digits. */
export function formatValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '–' : String(v);
  // No-break space: a table cell never splits "75.1" from its "%".
  if (isRate(key)) return `${(v * 100).toFixed(1)}\u00a0%`;
  if (Number.isInteger(v)) return String(v);
  if (key === 'lr') return v.toExponential(2);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(4)).toString();
}

/** A file-name-safe slug: lower case, [a-z0-9-], never empty. */
export function slugify(s: string): string {
  const slug = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'chart';
}

/** Hands out unique names: the second "confusion-real" becomes "confusion-real-2". */
export class UniqueNames {
  private readonly used = new Set<string>();
  take(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}-${i}`;
    this.used.add(name);
    return name;
  }
}
