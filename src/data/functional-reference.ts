/**
 * Speaker-relative per-clip functionals (eGeMAPS-style, src/features/functionals.ts): each clip's
 * vector minus the mean of its speaker's neutral reference clips, divided by the pooled within-speaker
 * standard deviation of the references. The same idea as the frame-level speaker reference
 * normalisation (reference.ts): what is left is how the clip departs from the way that speaker
 * normally sounds. The scale is pooled over speakers because a speaker often has only a few reference
 * clips (4–12 in the dev corpora), too few for a per-speaker deviation of 16 measures.
 */

/** Per-speaker reference means and the pooled reference standard deviation, per dimension. */
export interface FunctionalReference {
  means: Map<string, number[]>;
  std: number[];
}

/** Mean of the finite values (NaN when there are none). */
function finiteMean(v: readonly number[]): number {
  const f = v.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

/**
 * Fits the reference from clips flagged as references.
 * @param vectors one functional vector per clip (NaN = not measurable in that clip)
 * @param speakers clip i's speaker
 * @param isReference whether clip i is a neutral reference clip
 */
export function fitFunctionalReference(
  vectors: readonly number[][],
  speakers: readonly string[],
  isReference: readonly boolean[],
): FunctionalReference {
  const dims = vectors[0]?.length ?? 0;
  const groups = new Map<string, number[][]>();
  vectors.forEach((v, i) => {
    if (!isReference[i]) return;
    const g = groups.get(speakers[i]!) ?? [];
    g.push(v);
    groups.set(speakers[i]!, g);
  });
  const means = new Map<string, number[]>();
  for (const [spk, g] of groups)
    means.set(
      spk,
      Array.from({ length: dims }, (_, d) => finiteMean(g.map((v) => v[d]!))),
    );
  const std = Array.from({ length: dims }, (_, d) => {
    let ss = 0,
      n = 0;
    for (const [spk, g] of groups) {
      const m = means.get(spk)![d]!;
      for (const v of g)
        if (Number.isFinite(v[d]!) && Number.isFinite(m)) {
          ss += (v[d]! - m) ** 2;
          n++;
        }
    }
    return n > 1 ? Math.sqrt(ss / n) : NaN;
  });
  return { means, std };
}

/**
 * Speaker-relative vector of one clip. Throws naming the speaker when it has no reference clips.
 * Unmeasurable values (NaN in the clip, its speaker's mean or the scale) become 0: "as the reference".
 */
export function relativeToSpeaker(ref: FunctionalReference, vector: readonly number[], speaker: string): number[] {
  const m = ref.means.get(speaker);
  if (!m) throw new Error(`speaker ${speaker}: no neutral reference clips to compare the clip with`);
  return vector.map((v, d) => {
    const z = (v - m[d]!) / (ref.std[d]! > 0 ? ref.std[d]! : NaN);
    return Number.isFinite(z) ? z : 0;
  });
}
