/** Softmax cross-entropy, PyTorch F.cross_entropy semantics (mean over the batch, weighted mean with class weights). */

/**
 * logits: (B, nClasses); targets: B class indices. With classWeights w, the loss is
 * Σ_b w[y_b]·(−log p_b[y_b]) / Σ_b w[y_b] (PyTorch's weighted mean). Returns the loss, its gradient
 * w.r.t. the logits and the softmax probabilities.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  targets: Int32Array,
  nClasses: number,
  classWeights?: Float32Array,
): { loss: number; dLogits: Float32Array; probs: Float32Array } {
  const B = targets.length;
  if (logits.length !== B * nClasses)
    throw new RangeError(`softmaxCrossEntropy: logits has ${logits.length} values, expected ${B}·${nClasses}`);
  if (classWeights && classWeights.length !== nClasses)
    throw new RangeError(`softmaxCrossEntropy: ${classWeights.length} class weights for ${nClasses} classes`);
  const probs = new Float32Array(B * nClasses);
  const dLogits = new Float32Array(B * nClasses);
  const p = new Float64Array(nClasses);
  let total = 0,
    wsum = 0;
  const ws = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const y = targets[b]!;
    if (!(Number.isInteger(y) && y >= 0 && y < nClasses))
      throw new RangeError(`softmaxCrossEntropy: target[${b}] = ${y} is not a class in [0, ${nClasses})`);
    let mx = -Infinity;
    for (let k = 0; k < nClasses; k++) mx = Math.max(mx, logits[b * nClasses + k]!);
    let s = 0;
    for (let k = 0; k < nClasses; k++) {
      p[k] = Math.exp(logits[b * nClasses + k]! - mx);
      s += p[k]!;
    }
    for (let k = 0; k < nClasses; k++) {
      p[k]! /= s;
      probs[b * nClasses + k] = p[k]!;
    }
    const w = classWeights ? classWeights[y]! : 1;
    ws[b] = w;
    wsum += w;
    // −log p_y via log-sum-exp, accurate even when p_y underflows
    total += w * (Math.log(s) + mx - logits[b * nClasses + y]!);
  }
  if (!(wsum > 0)) throw new RangeError("softmaxCrossEntropy: the targets' class weights sum to 0");
  for (let b = 0; b < B; b++) {
    const y = targets[b]!,
      scale = ws[b]! / wsum;
    for (let k = 0; k < nClasses; k++) dLogits[b * nClasses + k] = scale * (probs[b * nClasses + k]! - (k === y ? 1 : 0));
  }
  return { loss: total / wsum, dLogits, probs };
}

/** Row-wise softmax of (B, nClasses) logits. */
export function softmax(logits: Float32Array, nClasses: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / nClasses; r++) {
    let mx = -Infinity,
      s = 0;
    for (let k = 0; k < nClasses; k++) mx = Math.max(mx, logits[r * nClasses + k]!);
    for (let k = 0; k < nClasses; k++) s += Math.exp(logits[r * nClasses + k]! - mx);
    for (let k = 0; k < nClasses; k++) out[r * nClasses + k] = Math.exp(logits[r * nClasses + k]! - mx) / s;
  }
  return out;
}

/**
 * Cross-entropy, or with mixup λ·CE(y) + (1 − λ)·CE(y[partner]) (its gradient is the same blend, since
 * each is linear in the one-hot target). `probs` are the softmax of the logits (the trainer counts accuracy
 * against the original targets). Used by the epoch loop (train/fit.ts) with online mixup.
 */
export function mixupCrossEntropy(
  logits: Float32Array,
  targets: Int32Array,
  K: number,
  mix: { partner: Int32Array; lambda: number } | null,
): { loss: number; dLogits: Float32Array; probs: Float32Array } {
  const a = softmaxCrossEntropy(logits, targets, K);
  if (!mix) return a;
  const b = softmaxCrossEntropy(
    logits,
    Int32Array.from(mix.partner, (p) => targets[p]!),
    K,
  );
  const l = mix.lambda;
  const dLogits = new Float32Array(a.dLogits.length);
  for (let i = 0; i < dLogits.length; i++) dLogits[i] = l * a.dLogits[i]! + (1 - l) * b.dLogits[i]!;
  return { loss: l * a.loss + (1 - l) * b.loss, dLogits, probs: a.probs };
}
