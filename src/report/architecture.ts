/**
 * Figure 1 of the paper, drawn from a model's configuration: the layers of the Affexion network with
 * their output shapes and parameter counts, as a small hand-written SVG (a layer diagram is boxes and
 * arrows; a charting library would fight the layout rather than help). Deterministic: the same config
 * gives the same bytes.
 *
 * Lives in the report layer so every report can draw it from the settings it already records
 * (`architectureFromConfig`); src/model re-checks the counts against a real network in its tests.
 */
import { escapeHtml } from './html.js';

/** The sizes that shape the network (the reference's constructor arguments), plus optional context. */
export interface ArchitectureSizes {
  n_features: number;
  conv_channels: number;
  kernel_sizes: number[];
  lstm_hidden: number;
  lstm_layers: number;
  fc_hidden: number;
  n_classes: number;
  /** Frames per clip (MAX_LEN), shown as T when known. */
  max_len?: number;
  /** Networks averaged (a seed ensemble); default 1. */
  members?: number;
  /** Class names, shown on the output. */
  labels?: string[];
}

/** One box of the figure. */
export interface ArchitectureLayer {
  name: string;
  detail: string;
  /** Output shape, e.g. "B × 64 × T". */
  shape: string;
  /** Trainable parameters. */
  params: number;
  /** Boxes side by side (the parallel convolutions) share a group id. */
  group?: string;
}

export interface ArchitectureSummary {
  sizes: ArchitectureSizes;
  layers: ArchitectureLayer[];
  /** Trainable parameters of one network. */
  params: number;
}

/** Layers, shapes and parameter counts of an Affexion network (eval mode: dropout shown as a no-op). */
export function describeArchitecture(s: ArchitectureSizes): ArchitectureSummary {
  const F = s.n_features,
    C = s.conv_channels,
    H = s.lstm_hidden,
    D = 2 * H,
    K = s.n_classes;
  const T = s.max_len ? String(s.max_len) : 'T';
  const Cc = C * s.kernel_sizes.length;
  const layers: ArchitectureLayer[] = [
    { name: 'Input', detail: `${F} features per frame (MFCC, Δ, ΔΔ), z-scored`, shape: `B × ${T} × ${F}`, params: 0 },
    ...s.kernel_sizes.map((k) => ({
      name: `Conv1d k=${k}`,
      detail: `${F} → ${C}, pad ${k >> 1}, ReLU`,
      shape: `B × ${C} × ${T}`,
      params: C * F * k + C,
      group: 'conv',
    })),
    {
      name: 'Concat + BatchNorm',
      detail: `${s.kernel_sizes.length} × ${C} channels, dropout in training`,
      shape: `B × ${Cc} × ${T}`,
      params: 2 * Cc,
    },
  ];
  for (let l = 0; l < s.lstm_layers; l++) {
    const inSize = l === 0 ? Cc : D;
    layers.push({
      name: `BiLSTM ${l + 1}`,
      detail: `${inSize} → 2 × ${H}`,
      shape: `B × ${T} × ${D}`,
      params: 2 * (4 * H * inSize + 4 * H * H + 8 * H),
    });
  }
  layers.push(
    {
      name: 'Self-attention',
      detail: `Q, K, V = Linear(${D} → ${D}); softmax(QKᵀ/√${D}) V`,
      shape: `B × ${T} × ${D}`,
      params: 3 * (D * D + D),
    },
    { name: 'Mean over time', detail: 'masked by clip length when given', shape: `B × ${D}`, params: 0 },
    {
      name: 'Dense + ReLU',
      detail: `${D} → ${s.fc_hidden}, dropout in training`,
      shape: `B × ${s.fc_hidden}`,
      params: D * s.fc_hidden + s.fc_hidden,
    },
    { name: 'Output', detail: s.labels?.length ? s.labels.join(', ') : `${K} classes`, shape: `B × ${K}`, params: s.fc_hidden * K + K },
  );
  return { sizes: s, layers, params: layers.reduce((a, x) => a + x.params, 0) };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The architecture a report's settings describe — hyper-parameters (conv_channels, kernel_sizes,
 * lstm_hidden, lstm_layers, fc_hidden, max_len), the input rows (`n_features`, or 3 × `features.nMfcc`
 * when absent: settings written before the prosodic rows) and `classes` — or null when they are not all there.
 */
export function architectureFromConfig(config: Record<string, unknown> | undefined): ArchitectureSizes | null {
  if (!config) return null;
  const f = config.features as { nMfcc?: unknown } | undefined;
  const classes = config.classes;
  const nMfcc = num(f?.nMfcc),
    C = num(config.conv_channels),
    H = num(config.lstm_hidden),
    L = num(config.lstm_layers),
    D = num(config.fc_hidden);
  const ks = config.kernel_sizes;
  if (!nMfcc || !C || !H || !L || !D || !Array.isArray(classes) || !Array.isArray(ks) || !ks.every((k) => typeof k === 'number'))
    return null;
  return {
    n_features: num(config.n_features) ?? 3 * nMfcc,
    conv_channels: C,
    kernel_sizes: ks as number[],
    lstm_hidden: H,
    lstm_layers: L,
    fc_hidden: D,
    n_classes: classes.length,
    labels: classes.map(String),
    max_len: num(config.max_len),
    members: num(config.ensemble),
  };
}

const fmtParams = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/** Figure 1 as a standalone SVG document (boxes top to bottom, parallel convolutions side by side). */
export function architectureSvg(a: ArchitectureSummary): string {
  const W = 640,
    boxH = 46,
    gap = 22,
    pad = 16;
  const rows: ArchitectureLayer[][] = [];
  for (const l of a.layers) {
    const last = rows[rows.length - 1];
    if (l.group && last && last[0]!.group === l.group) last.push(l);
    else rows.push([l]);
  }
  const rowH = (row: ArchitectureLayer[]): number => (row.length > 1 ? boxH + 14 : boxH);
  const height = pad * 2 + 30 + rows.reduce((a, r) => a + rowH(r) + gap, 0) - gap + 24;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, sans-serif" role="img">`,
    `<title>Figure 1: Affexion network, ${a.params} parameters</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
    `<text x="${W / 2}" y="${pad + 14}" text-anchor="middle" font-size="15" font-weight="bold">Figure 1 · Affexion network${(a.sizes.members ?? 1) > 1 ? ` (× ${a.sizes.members} averaged)` : ''} · ${fmtParams(a.params)} parameters</text>`,
  ];
  const centres = (n: number): number[] => {
    const bw = (W - 2 * pad - (n - 1) * 10) / n;
    return Array.from({ length: n }, (_, i) => pad + i * (bw + 10) + bw / 2);
  };
  let y = pad + 30;
  rows.forEach((row, r) => {
    const n = row.length,
      bw = (W - 2 * pad - (n - 1) * 10) / n,
      h = rowH(row);
    row.forEach((l, i) => {
      const x = pad + i * (bw + 10);
      const fill = l.params === 0 ? '#f4f4f6' : l.name.startsWith('BiLSTM') ? '#e3edf7' : l.name.startsWith('Conv') ? '#fdeedd' : '#e8f4e8';
      const sizeText = `${escapeHtml(l.shape)}${l.params ? ` · ${fmtParams(l.params)}` : ''}`;
      out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${h}" rx="6" fill="${fill}" stroke="#888"/>`);
      out.push(`<text x="${(x + 8).toFixed(1)}" y="${y + 18}" font-size="13" font-weight="bold">${escapeHtml(l.name)}</text>`);
      if (n > 1) {
        // Narrow boxes side by side: name, then shape and parameters, then the detail, one per line.
        out.push(`<text x="${(x + 8).toFixed(1)}" y="${y + 35}" font-size="11" fill="#333">${sizeText}</text>`);
        out.push(
          `<text x="${(x + 8).toFixed(1)}" y="${y + 51}" font-size="11" fill="#555">${escapeHtml(l.detail.replace(/, pad \d+/, ''))}</text>`,
        );
      } else {
        out.push(`<text x="${(x + bw - 8).toFixed(1)}" y="${y + 18}" font-size="11" text-anchor="end" fill="#333">${sizeText}</text>`);
        out.push(
          `<text x="${(x + 8).toFixed(1)}" y="${y + 36}" font-size="11" fill="#555">${escapeHtml(l.detail.length > 90 ? `${l.detail.slice(0, 89)}…` : l.detail)}</text>`,
        );
      }
    });
    if (r < rows.length - 1) {
      const from = centres(n),
        to = centres(rows[r + 1]!.length);
      const pairs = from.length > 1 ? from.map((x) => [x, to[0]!]) : to.map((x) => [from[0]!, x]);
      for (const [x0, x1] of pairs)
        out.push(
          `<line x1="${x0!.toFixed(1)}" y1="${y + h}" x2="${x1!.toFixed(1)}" y2="${y + h + gap - 2}" stroke="#555" marker-end="url(#arrow)"/>`,
        );
    }
    y += h + gap;
  });
  out.push(
    `<text x="${W / 2}" y="${y + 4}" text-anchor="middle" font-size="11" fill="#555">B = clips per batch, T = frames; numbers after · are trainable parameters (one network)</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
