/**
 * Charts of what each augmentation and each emotion conversion does to a clip (Vega-Lite specs,
 * rendered with the report module's renderSvg/svgToPng): average spectra before/after each waveform
 * operation, level over time, a SpecAugment-masked feature matrix, and F0 contours per emotion.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg, svgToPng } from '../report/render.js';
import type { ChartSpec } from '../report/charts.js';
import { Rng } from '../engine/rng.js';
import { trackPitch } from '../features/pitch.js';
import { wholeFrameLevelsDb } from '../features/frame-stats.js';
import { extractFeatures } from '../features/index.js';
import { makeAugmenter } from './augmenter.js';
import { specAugment } from './specaugment.js';
import { powerSpectrum } from './spectrum.js';
import { EMOTION_PROFILES, type EmotionProfile } from './convert/profiles.js';
import { convertClip } from './convert/transform.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { background: 'white', font: 'sans-serif', axis: { labelFontSize: 10, titleFontSize: 11 }, view: { stroke: null } };

type Row = Record<string, string | number>;

/** Long-term spectrum in 1/6-octave bands from 60 Hz to Nyquist, dB re the clip's loudest band. */
function bandSpectrum(x: Float32Array, sr: number): { f: number; db: number }[] {
  const nFft = 1024;
  const psd = powerSpectrum(x, nFft);
  const out: { f: number; db: number }[] = [];
  for (let lo = 60; lo * Math.pow(2, 1 / 6) < sr / 2; lo *= Math.pow(2, 1 / 6)) {
    const hi = lo * Math.pow(2, 1 / 6);
    let s = 0,
      n = 0;
    for (let k = Math.ceil((lo * nFft) / sr); k <= Math.floor((hi * nFft) / sr); k++) {
      s += psd[k]!;
      n++;
    }
    if (n > 0) out.push({ f: Math.sqrt(lo * hi), db: 10 * Math.log10(s / n + 1e-20) });
  }
  return out;
}

/** Level in dB of 30 ms frames every 10 ms, each at its frame's centre. */
function levelCurve(x: Float32Array, sr: number): { t: number; db: number }[] {
  const hop = Math.round(0.01 * sr),
    win = Math.round(0.03 * sr);
  return Array.from(wholeFrameLevelsDb(x, sr, 0.03, 0.01), (db, f) => ({ t: (f * hop + win / 2) / sr, db }));
}

/** Each waveform operation applied alone (p = 1) to `clip`, with a label for the chart. */
const SHOWCASE: [string, string][] = [
  ['white noise, SNR 10 dB', 'noise:type=white:snr=10:p=1'],
  ['pink noise, SNR 10 dB', 'noise:type=pink:snr=10:p=1'],
  ['brown noise, SNR 10 dB', 'noise:type=brown:snr=10:p=1'],
  ['babble, SNR 10 dB', 'noise:type=babble:snr=10:p=1'],
  ['reverb, RT60 0.8 s', 'reverb:rt60=0.8:drr=0:p=1'],
  ['telephone 300–3400 Hz', 'telephone:p=1'],
  ['gain −6 dB', 'gain:db=-6:p=1'],
  ['speed ×1.1', 'speed:factor=1.1:p=1'],
  ['pitch +2 semitones', 'pitch:semitones=2:p=1'],
];

/**
 * Chart specs for the augmentations applied to one clip: spectra, level over time, and a
 * SpecAugment-masked MFCC matrix. `babble` clips are the other speakers mixed for babble noise.
 */
export function augmentationCharts(clip: Float32Array, sr: number, babble: Float32Array[], seed = 1): ChartSpec[] {
  const spectra: Row[] = [];
  const levels: Row[] = [];
  const ref = bandSpectrum(clip, sr);
  const refMax = Math.max(...ref.map((r) => r.db));
  const refLevel = levelCurve(clip, sr);
  for (const [label, spec] of SHOWCASE) {
    const y = makeAugmenter(spec, new Rng(seed), { babbleSources: babble }).wave(clip, sr);
    for (const r of ref) spectra.push({ op: label, version: 'original', f: r.f, db: r.db - refMax });
    for (const r of bandSpectrum(y, sr)) spectra.push({ op: label, version: 'augmented', f: r.f, db: r.db - refMax });
    for (const r of refLevel) levels.push({ op: label, version: 'original', t: r.t, db: r.db });
    for (const r of levelCurve(y, sr)) levels.push({ op: label, version: 'augmented', t: r.t, db: r.db });
  }
  const facet = (field: string, xTitle: string, yTitle: string, xLog: boolean, values: Row[], title: string): TopLevelSpec =>
    ({
      $schema: SCHEMA,
      title,
      data: { values },
      facet: { field: 'op', type: 'nominal', title: null, sort: SHOWCASE.map(([l]) => l) },
      columns: 3,
      spec: {
        width: 220,
        height: 120,
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: {
          x: { field, type: 'quantitative', title: xTitle, scale: xLog ? { type: 'log', domain: [60, sr / 2] } : {} },
          y: { field: 'db', type: 'quantitative', title: yTitle, scale: { zero: false } },
          color: {
            field: 'version',
            type: 'nominal',
            title: null,
            scale: { domain: ['original', 'augmented'], range: ['#9e9e9e', '#d62728'] },
          },
        },
      },
      config: CONFIG,
    }) as TopLevelSpec;

  // SpecAugment on the clip's MFCC matrix (first 25 rows shown; Δ and ΔΔ are masked the same way).
  const feats = extractFeatures(clip);
  const masked = specAugment(feats, new Rng(seed), { timeMasks: 2, freqMasks: 2, maxTimeWidth: 40, maxFreqWidth: 5 });
  const cells: Row[] = [];
  for (const [version, m] of [
    ['original', feats],
    ['masked', masked],
  ] as const) {
    for (let r = 1; r < 25; r++)
      for (let t = 0; t < m.frames; t += 2) cells.push({ version, coeff: r, frame: t, frameEnd: t + 2, v: m.data[r * m.frames + t]! });
  }
  const heat: TopLevelSpec = {
    $schema: SCHEMA,
    title: 'SpecAugment: two time and two coefficient masks (MFCC 1–24 shown)',
    data: { values: cells },
    facet: { row: { field: 'version', type: 'nominal', title: null, sort: ['original', 'masked'] } },
    spec: {
      width: 600,
      height: 120,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'frame', type: 'quantitative', title: 'frame (10 ms)' },
        x2: { field: 'frameEnd' },
        y: { field: 'coeff', type: 'ordinal', title: 'MFCC', axis: { values: [1, 6, 12, 18, 24] } },
        color: { field: 'v', type: 'quantitative', title: null, scale: { scheme: 'viridis' } },
      },
    },
    config: CONFIG,
  } as TopLevelSpec;

  return [
    {
      name: 'augment-spectra',
      title: 'Long-term spectrum before and after each augmentation',
      spec: facet('f', 'frequency (Hz)', 'dB', true, spectra, "Long-term spectrum (1/6 octave), dB re the original's loudest band"),
    },
    {
      name: 'augment-levels',
      title: 'Level over time before and after each augmentation',
      spec: facet('t', 'time (s)', 'dBFS', false, levels, 'Level over time (30 ms windows)'),
    },
    { name: 'augment-specaugment', title: 'SpecAugment masks', spec: heat },
  ];
}

/**
 * F0 contour (Hz) and level over time of the source and of each emotion conversion of one clip.
 * @param seed a number, or the seed of each emotion's conversion (to chart exactly the clips written)
 */
export function conversionCharts(
  clip: Float32Array,
  sr: number,
  seed: number | ((emotion: string) => number) = 1,
  profiles: [string, EmotionProfile][] = Object.entries(EMOTION_PROFILES),
): ChartSpec[] {
  const seedFor = typeof seed === 'number' ? () => seed : seed;
  const f0Rows: Row[] = [];
  const levelRows: Row[] = [];
  const versions: [string, Float32Array][] = [['neutral (source)', clip]];
  for (const [name, p] of profiles) versions.push([name, convertClip(clip, sr, p, new Rng(seedFor(name))).samples]);
  for (const [name, y] of versions) {
    const tr = trackPitch(y, sr);
    for (let i = 0; i < tr.f0.length; i++) if (tr.voiced[i]) f0Rows.push({ version: name, t: i * tr.hopSec, f0: tr.f0[i]! });
    for (const r of levelCurve(y, sr)) levelRows.push({ version: name, t: r.t, db: r.db });
  }
  const order = versions.map(([n]) => n);
  const chart = (values: Row[], field: string, yTitle: string, title: string, point: boolean): TopLevelSpec =>
    ({
      $schema: SCHEMA,
      title,
      data: { values },
      facet: { row: { field: 'version', type: 'nominal', title: null, sort: order } },
      spec: {
        width: 520,
        height: 70,
        mark: point ? { type: 'point', size: 6, filled: true } : { type: 'line', strokeWidth: 1 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time (s)' },
          y: {
            field,
            type: 'quantitative',
            title: yTitle,
            scale: field === 'f0' ? { type: 'log', domain: [60, 500], clamp: true } : { zero: false },
          },
          color: { field: 'version', type: 'nominal', legend: null, sort: order },
        },
      },
      config: CONFIG,
    }) as TopLevelSpec;
  return [
    {
      name: 'convert-f0',
      title: 'F0 contour of one neutral clip and its conversions',
      spec: chart(f0Rows, 'f0', 'F0 (Hz)', 'F0 contour per emotion (YIN tracker)', true),
    },
    {
      name: 'convert-levels',
      title: 'Level over time of one neutral clip and its conversions',
      spec: chart(levelRows, 'db', 'dBFS', 'Level over time (30 ms windows)', false),
    },
  ];
}

/** Renders chart specs to DIR/<name>.svg and .png; returns the written paths. */
export async function writeCharts(dir: string, charts: ChartSpec[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const c of charts) {
    const svg = await renderSvg(c.spec);
    const base = path.join(dir, c.name);
    writeFileSync(`${base}.svg`, svg);
    writeFileSync(`${base}.png`, svgToPng(svg));
    out.push(`${base}.svg`, `${base}.png`);
  }
  return out;
}
