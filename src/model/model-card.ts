/**
 * `affexion model card MODEL`: the model card of a trained model (Mitchell et al. 2019) — what it is,
 * what it is for and not for (a research tool, not a diagnostic device), its training data and their
 * datasheets, its figures per real corpus and per class, calibration, and known failure modes — from
 * what the model directory and the files beside it hold:
 *
 *   MODEL/config.json, metrics.jsonl         architecture, features, hyper-parameters, training epochs
 *   MODEL/evaluation*.json, MODEL/eval/*.json `affexion evaluate MODEL DATA --json [--predictions]` output,
 *                                            one file per corpus (named by the file); with predictions,
 *                                            calibration (ECE, Brier) is measured from them
 *   MODEL/../results.json                    `affexion reproduce` output (its model is OUT/model)
 *   DIR/datasheet.md for --data DIR          the training set's datasheet (affexion synth / convert)
 *
 * Nothing is invented: a section without data says what is missing and the command that fills it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modelCardHtml, modelCardMarkdown, type ModelCard, type CardBlock, type CardSection } from '../report/model-card.js';
import { architectureSvg, describeArchitecture, type ArchitectureSizes } from '../report/architecture.js';
import { inlineSvg } from '../report/html.js';
import { writeReport } from '../report/write.js';
import { writeFileAtomic } from '../data/cache.js';
import { ParamError } from '../engine/errors.js';
import type { EvaluationMetrics } from '../report/types.js';
import { loadTrainedModel, type TrainedModel } from './model-dir.js';

/** One corpus's figures as found beside the model. */
export interface CardEvaluation {
  name: string;
  source: string;
  metrics: EvaluationMetrics;
  predictions?: { label: string; probs: number[] }[];
}

/** Calibration of a model's probabilities on one corpus. */
export interface Calibration {
  n: number;
  ece: number;
  brier: number;
  bins: { lo: number; hi: number; n: number; confidence: number; accuracy: number }[];
}

const isMetrics = (v: unknown): v is EvaluationMetrics =>
  !!v &&
  typeof v === 'object' &&
  (typeof (v as EvaluationMetrics).accuracy === 'number' || Array.isArray((v as EvaluationMetrics).per_class));

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** The evaluation results found beside a model (see the module comment for where they are looked for). */
export function findEvaluations(dir: string): CardEvaluation[] {
  const out: CardEvaluation[] = [];
  const add = (name: string, source: string, v: unknown): void => {
    if (!isMetrics(v)) return;
    const preds = (v as { predictions?: { label: string; probs: number[] }[] }).predictions;
    out.push({ name, source, metrics: v, ...(Array.isArray(preds) ? { predictions: preds } : {}) });
  };
  const files = [
    ...readdirSync(dir)
      .filter((f) => /^evaluation.*\.json$/.test(f))
      .map((f) => path.join(dir, f)),
    ...(existsSync(path.join(dir, 'eval'))
      ? readdirSync(path.join(dir, 'eval'))
          .filter((f) => f.endsWith('.json'))
          .map((f) => path.join(dir, 'eval', f))
      : []),
  ].sort();
  for (const f of files) add(path.basename(f, '.json').replace(/^evaluation[-_.]?/, '') || 'evaluation', f, readJson(f));
  const results = path.join(dir, '..', 'results.json');
  if (path.basename(dir) === 'model' && existsSync(results)) {
    const r = readJson(results) as { real?: unknown; extra?: Record<string, unknown> };
    add('real speech', results, r.real);
    for (const [k, v] of Object.entries(r.extra ?? {})) add(k, results, v);
  }
  return out;
}

/**
 * Expected calibration error (10 equal-width confidence bins, top-1) and the multi-class Brier score
 * of per-clip probabilities; labels outside `classes` are skipped.
 */
export function calibration(
  preds: readonly { label: string; probs: number[] }[],
  classes: readonly string[],
  nBins = 10,
): Calibration | null {
  const bins = Array.from({ length: nBins }, (_, i) => ({ lo: i / nBins, hi: (i + 1) / nBins, n: 0, conf: 0, hit: 0 }));
  let n = 0,
    brier = 0;
  for (const p of preds) {
    const y = classes.indexOf(p.label);
    if (y < 0 || p.probs.length !== classes.length) continue;
    let best = 0;
    for (let k = 1; k < p.probs.length; k++) if (p.probs[k]! > p.probs[best]!) best = k;
    const c = p.probs[best]!;
    const b = bins[Math.min(nBins - 1, Math.floor(c * nBins))]!;
    b.n++;
    b.conf += c;
    b.hit += best === y ? 1 : 0;
    for (let k = 0; k < p.probs.length; k++) brier += (p.probs[k]! - (k === y ? 1 : 0)) ** 2;
    n++;
  }
  if (n === 0) return null;
  const ece = bins.reduce((a, b) => a + (b.n ? (b.n / n) * Math.abs(b.hit / b.n - b.conf / b.n) : 0), 0);
  return {
    n,
    ece,
    brier: brier / n,
    bins: bins.filter((b) => b.n).map((b) => ({ lo: b.lo, hi: b.hi, n: b.n, confidence: b.conf / b.n, accuracy: b.hit / b.n })),
  };
}

const pct = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–');

/** The architecture sizes of a trained model, for Figure 1. */
export function modelArchitecture(m: TrainedModel): ArchitectureSizes {
  const c = m.members[0]!.net.config;
  return { ...c, kernel_sizes: [...c.kernel_sizes], max_len: m.hyper.max_len, members: m.members.length, labels: m.classes };
}

/** Options of {@link buildModelCard}. */
export interface ModelCardOptions {
  /** Training data folders (their datasheet.md is quoted). */
  data?: readonly string[];
  /** File name of Figure 1 as the Markdown links it (default figure1.svg). */
  figureFile?: string;
}

/** The model card of the model in `dir`; errors name the directory or file. */
export function buildModelCard(
  dir: string,
  opts: ModelCardOptions = {},
): { card: ModelCard; model: TrainedModel; evaluations: CardEvaluation[] } {
  const m = loadTrainedModel(dir);
  const arch = describeArchitecture(modelArchitecture(m));
  const evaluations = findEvaluations(m.dir);
  const h = m.hyper;
  const fp = m.featureSettings.params;
  const name = path.basename(m.dir) === 'model' ? path.basename(path.dirname(m.dir)) : path.basename(m.dir);
  const sections: CardSection[] = [];

  sections.push({
    heading: 'Model details',
    blocks: [
      {
        p:
          `Affexion speech social-signal classifier "${name}": ${m.members.length > 1 ? `a seed ensemble of ${m.members.length} networks whose class probabilities are averaged` : 'one network'}, ` +
          `${arch.params.toLocaleString('en-US')} trainable parameters${m.members.length > 1 ? ' each' : ''}, trained for ${m.epochs} epochs.`,
      },
      {
        table: {
          head: ['Property', 'Value'],
          rows: [
            ['Classes', m.classes.join(', ')],
            [
              'Input',
              `${fp.nMfcc} MFCC + Δ + ΔΔ at ${fp.sr} Hz (n_fft ${fp.nFft}, hop ${fp.hopLength}, ${fp.nMels} mel bands), loudness step ${m.featureSettings.loudness}`,
            ],
            ['Clip length', `${h.max_len} frames (${((h.max_len * fp.hopLength) / fp.sr).toFixed(1)} s); longer audio in sliding windows`],
            [
              'Normalisation',
              `${m.members[0]!.normalization.mode}${h.speaker_reference ? `, after the speaker's reference (${h.speaker_reference} speech)` : ''}`,
            ],
            [
              'Training',
              `Adam lr ${h.lr}, batch ${h.batch_size}, seed ${h.seed}${h.augment ? `, augmentation ${h.augment}` : ''}${h.swa ? `, weight averaging over ${h.swa} epochs` : ''}`,
            ],
            ['Directory', m.dir],
          ],
        },
      },
      { figure: opts.figureFile ?? 'figure1.svg', alt: 'Figure 1: the network' },
    ],
  });

  sections.push({
    heading: 'Intended use',
    blocks: [
      {
        list: [
          'Research on social signals in speech (boredom, panic, excitement, uncertainty or labels of your own), with consenting speakers.',
          'Decision support in a supervised setting: a trend over minutes for a trained person to look at, next to everything else they know.',
          "Teaching and reproducing the Affexion paper's experiment (train on synthetic or converted speech, test on real speech).",
        ],
      },
    ],
  });
  sections.push({
    heading: 'Out-of-scope uses',
    blocks: [
      {
        list: [
          'It is not a diagnostic device: not for diagnosing, triaging or treating anyone, and not certified for any clinical use.',
          'Decisions about a person (hiring, credit, policing, insurance, school) from their voice.',
          'Monitoring people who have not agreed to it, or covert recording.',
          'Languages, age groups, recording set-ups and emotions it was not evaluated on (see Evaluation): its figures do not carry over.',
          'Single short utterances as evidence: one window is a noisy estimate; look at smoothed trends.',
        ],
      },
    ],
  });

  const dataBlocks: CardBlock[] = [];
  const t = loadTrainingInfo(m.dir);
  if (t.data) dataBlocks.push({ p: `Trained on ${t.data}.` });
  for (const d of opts.data ?? []) {
    const sheet = path.join(d, 'datasheet.md');
    if (!existsSync(d)) throw new ParamError('data', `${d}: no such folder`);
    if (existsSync(sheet)) {
      const text = readFileSync(sheet, 'utf8');
      const first = text
        .split(/\n\s*\n/)
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('#'))
        .slice(0, 2)
        .join(' ');
      dataBlocks.push({ p: `Training data ${d}: datasheet ${sheet}. ${first.slice(0, 600)}${first.length > 600 ? '…' : ''}` });
    } else dataBlocks.push({ p: `Training data ${d}: no datasheet.md there (affexion synth and affexion convert write one).` });
  }
  if (!dataBlocks.length)
    dataBlocks.push({
      p: 'The training data are not recorded in the model directory; give them with `affexion model card MODEL --data DIR` to quote their datasheets.',
    });
  dataBlocks.push({
    p: 'Evaluation corpora used by this project (RAVDESS, TESS dev subsets) are acted English speech by adult actors; see shared/data/*/README.md.',
  });
  sections.push({ heading: 'Training data', blocks: dataBlocks });

  const evalBlocks: CardBlock[] = [];
  if (evaluations.length) {
    evalBlocks.push({
      table: {
        head: ['Corpus', 'Clips', 'Accuracy', 'Balanced accuracy', 'Macro F1', 'Source'],
        rows: evaluations.map((e) => [
          e.name,
          e.metrics.n ?? '–',
          pct(e.metrics.accuracy),
          pct(e.metrics.balanced_accuracy),
          pct(e.metrics.macro_f1),
          path.relative(m.dir, e.source) || e.source,
        ]),
      },
    });
    for (const e of evaluations) {
      const pc = (e.metrics.per_class ?? []).filter((c) => c.support !== 0);
      if (pc.length)
        evalBlocks.push({
          table: {
            head: ['Class', 'Precision', 'Recall', 'F1', 'Clips'],
            rows: pc.map((c) => [c.label, pct(c.precision), pct(c.recall), pct(c.f1), c.support ?? '–']),
            caption: `Per class on ${e.name}.`,
          },
        });
    }
  } else {
    evalBlocks.push({
      p: 'No evaluation results beside the model. Measure it on real speech with `affexion evaluate MODEL DATA --predictions --json > MODEL/evaluation-NAME.json` (one file per corpus) and run this command again.',
    });
  }
  sections.push({ heading: 'Evaluation (per real corpus and per class)', blocks: evalBlocks });

  const calBlocks: CardBlock[] = [];
  for (const e of evaluations) {
    const c = e.predictions ? calibration(e.predictions, m.classes) : null;
    if (!c) continue;
    calBlocks.push({
      p: `${e.name}: expected calibration error ${c.ece.toFixed(3)} (10 bins, top-1 confidence), Brier score ${c.brier.toFixed(3)}, over ${c.n} clips.`,
    });
    calBlocks.push({
      table: {
        head: ['Confidence', 'Clips', 'Mean confidence', 'Accuracy'],
        rows: c.bins.map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, b.n, pct(b.confidence), pct(b.accuracy)]),
        caption: `Reliability on ${e.name}: where accuracy is below the mean confidence, the model is over-confident.`,
      },
    });
  }
  if (!calBlocks.length)
    calBlocks.push({
      p: 'Not measured: calibration needs per-clip probabilities (`affexion evaluate … --predictions --json`). Until then, read the probabilities as scores, not as chances.',
    });
  sections.push({ heading: 'Calibration', blocks: calBlocks });

  const failures: string[] = [];
  for (const e of evaluations) {
    for (const c of e.metrics.per_class ?? []) {
      if (c.support && typeof c.recall === 'number' && c.recall < 0.4)
        failures.push(`On ${e.name}, ${c.label} is rarely recognised (recall ${pct(c.recall)} of ${c.support} clips).`);
    }
    const conf = e.metrics.confusion;
    if (conf && Array.isArray(conf.matrix) && Array.isArray(conf.labels)) {
      let worst: [number, number, number] | null = null;
      conf.matrix.forEach((row, i) =>
        row.forEach((v, j) => {
          if (i !== j && v > 0 && (!worst || v > worst[2])) worst = [i, j, v];
        }),
      );
      if (worst)
        failures.push(
          `On ${e.name}, the most frequent confusion: ${conf.labels[worst[0]]} taken for ${conf.labels[worst[1]]} (${worst[2]} clips).`,
        );
    }
  }
  failures.push(
    "Trained on synthetic or converted speech: expect lower figures on real voices than on held-out synthetic clips (the paper's gap).",
    'Calm and bored speech, and panic and excitement (both high arousal), are the pairs most easily confused.',
    'Microphone, room and distance change the MFCCs; very quiet, clipped or noisy input, music, and several speakers at once are outside what it learnt.',
    'Windows much shorter than the training clips carry little evidence; silence gives no label in the monitor, but non-speech sounds can.',
    `${h.speaker_reference ? "Without the speaker's calm reference (enrolment skipped) the model falls back to un-referenced input and is less reliable." : 'No speaker reference: a voice that is simply lower, higher or louder than the training voices can shift the output.'}`,
  );
  sections.push({ heading: 'Known failure modes', blocks: [{ list: failures }] });

  return { card: { title: `Model card: ${name}`, sections }, model: m, evaluations };
}

/** Free training metadata in config.json (a `data` entry when the trainer recorded one). */
function loadTrainingInfo(dir: string): { data?: string } {
  const cfg = path.join(dir, 'config.json');
  if (!existsSync(cfg)) return {};
  const t = (readJson(cfg) as { training?: { data?: unknown } }).training;
  return typeof t?.data === 'string' ? { data: t.data } : Array.isArray(t?.data) ? { data: (t.data as unknown[]).join(', ') } : {};
}

/** What {@link writeModelCard} wrote. */
export interface WrittenModelCard {
  markdown: string;
  figure: string;
  report: string;
  card: ModelCard;
}

/**
 * Writes MODEL/model-card.md and MODEL/figure1.svg, and puts the card into MODEL/report.html: as its
 * "Model card" section when the training report is there (replacing an earlier card), else as a new
 * report with Figure 1 and the card.
 */
export async function writeModelCard(dir: string, opts: ModelCardOptions = {}): Promise<WrittenModelCard> {
  const { card, model } = buildModelCard(dir, opts);
  const figureFile = opts.figureFile ?? 'figure1.svg';
  const svg = architectureSvg(describeArchitecture(modelArchitecture(model)));
  const figure = path.join(model.dir, figureFile);
  const markdown = path.join(model.dir, 'model-card.md');
  writeFileAtomic(figure, svg);
  writeFileAtomic(markdown, modelCardMarkdown(card));
  const report = path.join(model.dir, 'report.html');
  const section = `<section id="model-card"><h2>Model card</h2>\n${modelCardHtml(card, { [figureFile]: inlineSvg(svg, 'card') })}\n</section>`;
  if (existsSync(report)) {
    const html = readFileSync(report, 'utf8');
    const next = /<section id="model-card">[\s\S]*?<\/section>/.test(html)
      ? html.replace(/<section id="model-card">[\s\S]*?<\/section>/, () => section)
      : html.replace('</main>', () => `${section}\n</main>`).replace('</nav>', () => '<a href="#model-card">Model card</a></nav>');
    writeFileAtomic(report, next);
  } else {
    await writeReport(model.dir, { title: card.title, kind: 'model card', architecture: modelArchitecture(model), modelCard: card });
  }
  return { markdown, figure, report, card };
}
