/**
 * Probes of what a model's answer depends on, on real clips: the length probe (2 s of faint noise or
 * silence appended or prepended must not change the class) and the join probe (two clips of one class
 * and speaker joined keep the class). Clips go through the model's own path: trim → features → the
 * speaker's reference (or the clip's own statistics) → windows → mean probability.
 */
import { featuresFromSamples, NoSpeechError, speechSamples } from '../../data/features.js';
import { applySpeakerReference, speakerReferences, type SpeakerReference } from '../../data/reference.js';
import { Rng } from '../../engine/rng.js';
import type { FeatureMatrix } from '../../features/index.js';
import { modelProbabilities, type TrainedModel } from '../../model/model-dir.js';
import { samplesFunctionals } from '../../data/functional-features.js';
import { fuseProbabilities, headProbabilities } from '../../model/functional-head.js';

/** A clip to probe: its samples (at the model's rate), label, and its speaker's reference (null: the clip's own statistics). */
export interface ProbeClip {
  file: string;
  label: string;
  speaker: string;
  samples: Float32Array;
  ref: SpeakerReference | null;
  /** The speaker's mean reference functionals, for a model with a functional head (null: the population's). */
  headRef?: number[] | null;
}

/** The model's features of samples normalised with `ref` (null: the no-reference fallback — the model's population reference, else the utterance's own statistics). */
export function modelInput(m: TrainedModel, samples: Float32Array, ref: SpeakerReference | null, file: string): FeatureMatrix {
  const mat = featuresFromSamples(speechSamples(samples, m.featureSettings, file), m.featureSettings);
  if (!m.hyper.speaker_reference) return mat;
  const r = ref ?? m.populationReference ?? speakerReferences([mat], ['utterance'], m.hyper.max_len).get('utterance')!;
  return applySpeakerReference(mat, r);
}

function argmaxRow(p: Float32Array, i: number, K: number): number {
  let b = 0;
  for (let k = 1; k < K; k++) if (p[i * K + k]! > p[i * K + b]!) b = k;
  return b;
}

/** Predicted class index of each sample array (null where it holds no speech). */
async function predictAll(
  m: TrainedModel,
  items: readonly { samples: Float32Array; ref: SpeakerReference | null; file: string; headRef?: number[] | null }[],
): Promise<(number | null)[]> {
  const mats: (FeatureMatrix | null)[] = items.map((it) => {
    try {
      return modelInput(m, it.samples, it.ref, it.file);
    } catch (err) {
      if (err instanceof NoSpeechError) return null;
      throw err;
    }
  });
  const ok = mats.filter((x): x is FeatureMatrix => x !== null && x.frames > 0);
  let probs = ok.length ? await modelProbabilities(m, ok) : new Float32Array(0);
  const head = m.functionalHead;
  if (head && ok.length) {
    // The head sees the same trimmed speech, whole (as predict and evaluate do).
    const kept = items.filter((_, i) => mats[i] !== null && mats[i]!.frames > 0);
    const vectors = kept.map((it) => samplesFunctionals(speechSamples(it.samples, m.featureSettings, it.file), m.featureSettings));
    probs = fuseProbabilities(
      probs,
      headProbabilities(
        head,
        vectors,
        kept.map((it) => it.headRef ?? null),
      ),
      m.classes,
      head.fusion,
      head.priors,
    );
  }
  const K = m.classes.length;
  let j = 0;
  return mats.map((x) => (x !== null && x.frames > 0 ? argmaxRow(probs, j++, K) : null));
}

/** The four length-probe variants of a clip: 2 s of −60 dBFS white noise or of digital silence, after or before. */
export function lengthVariants(x: Float32Array, sr: number, seed: number): Record<string, Float32Array> {
  const n = 2 * sr;
  const rng = new Rng(seed);
  const amp = 10 ** (-60 / 20); // RMS of the noise, full scale = 1
  const noise = Float32Array.from({ length: n }, () => amp * rng.normal());
  const silence = new Float32Array(n);
  const cat = (a: Float32Array, b: Float32Array): Float32Array => {
    const o = new Float32Array(a.length + b.length);
    o.set(a);
    o.set(b, a.length);
    return o;
  };
  return { append_noise: cat(x, noise), prepend_noise: cat(noise, x), append_silence: cat(x, silence), prepend_silence: cat(silence, x) };
}

/** Result of {@link lengthProbe}: share of (clip, variant) pairs whose class changed, overall and per variant. */
export interface LengthProbeResult {
  changed: number;
  n: number;
  per_variant: Record<string, number>;
}

/** The length probe over `clips` (see the module comment). */
export async function lengthProbe(m: TrainedModel, clips: readonly ProbeClip[], seed: number): Promise<LengthProbeResult> {
  const sr = m.featureSettings.params.sr;
  const base = await predictAll(m, clips);
  const per: Record<string, number> = {};
  let changed = 0,
    n = 0;
  const variants = clips.map((c, i) => lengthVariants(c.samples, sr, seed + i));
  for (const name of Object.keys(variants[0] ?? {})) {
    const preds = await predictAll(
      m,
      clips.map((c, i) => ({ samples: variants[i]![name]!, ref: c.ref, headRef: c.headRef, file: c.file })),
    );
    let ch = 0,
      cnt = 0;
    preds.forEach((p, i) => {
      if (base[i] === null) return;
      cnt++;
      if (p !== base[i]) ch++;
    });
    per[name] = cnt ? ch / cnt : 0;
    changed += ch;
    n += cnt;
  }
  return { changed: n ? changed / n : 0, n, per_variant: per };
}

/**
 * The join probe: consecutive pairs of clips with the same speaker and label joined end to end; share
 * of pairs whose two parts get the same class where the joined clip gets another (`changed`), and share
 * of joined clips predicted as their true label (`correct`, when the label is a model class).
 */
export async function joinProbe(
  m: TrainedModel,
  clips: readonly ProbeClip[],
): Promise<{ changed: number; correct: number | null; pairs: number }> {
  const groups = new Map<string, ProbeClip[]>();
  for (const c of clips) {
    const key = `${c.label}\0${c.speaker}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
  }
  const pairs: [ProbeClip, ProbeClip][] = [];
  for (const g of groups.values()) for (let i = 0; i + 1 < g.length; i += 2) pairs.push([g[i]!, g[i + 1]!]);
  if (pairs.length === 0) return { changed: 0, correct: null, pairs: 0 };
  const joined = pairs.map(([a, b]) => {
    const o = new Float32Array(a.samples.length + b.samples.length);
    o.set(a.samples);
    o.set(b.samples, a.samples.length);
    return { samples: o, ref: a.ref, headRef: a.headRef, file: `${a.file}+${b.file}` };
  });
  const pa = await predictAll(
    m,
    pairs.map(([a]) => a),
  );
  const pb = await predictAll(
    m,
    pairs.map(([, b]) => b),
  );
  const pj = await predictAll(m, joined);
  let agree = 0,
    changed = 0,
    correct = 0,
    labelled = 0;
  pairs.forEach(([a], i) => {
    if (pa[i] !== null && pa[i] === pb[i]) {
      agree++;
      if (pj[i] !== pa[i]) changed++;
    }
    const k = m.classes.indexOf(a.label);
    if (k >= 0) {
      labelled++;
      if (pj[i] === k) correct++;
    }
  });
  return { changed: agree ? changed / agree : 0, correct: labelled ? correct / labelled : null, pairs: pairs.length };
}
