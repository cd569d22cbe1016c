/**
 * The project's resampler (src/audio/resample-design.ts, librosa/soxr-HQ-like polyphase filter), fed
 * chunk by chunk: output sample j is the same sum as in `resampleReference` over the whole signal (same
 * taps, same order, float64), so a stream resampled in pieces equals the file resampled at once —
 * bit-for-bit against the JS reference, and to float32 rounding against the native loop that
 * `loadAudio` uses. Pure TypeScript (no Node imports): the monitor's core may run in a browser.
 *
 * `blockResample` (in Node: `resample` from src/audio/resample.ts, whose polyphase loop is native) makes
 * it ~20× faster: each chunk is resampled as a block that starts early enough (by the filter's
 * half-width, at an input index where the polyphase phases line up) that the outputs kept are exactly
 * those of the whole signal.
 */
import { phaseOf, planResample, type ResamplePlan } from '../audio/resample-design.js';

export class StreamResampler {
  private readonly plan: ResamplePlan | null;
  /** Input samples kept, starting at absolute input index `bufStart`. */
  private buf = new Float64Array(0);
  private bufLen = 0;
  private bufStart = 0;
  /** Input samples seen so far. */
  private total = 0;
  /** Next output sample to produce. */
  private nextOut = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
    private readonly blockResample?: (x: Float32Array, fromRate: number, toRate: number) => Float32Array,
  ) {
    for (const [name, v] of [
      ['fromRate', fromRate],
      ['toRate', toRate],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`resample: ${name} must be a positive integer (Hz), got ${v}`);
    }
    this.plan = fromRate === toRate ? null : planResample(fromRate, toRate);
  }

  /** Resamples the next chunk; returns the output samples that are now final (may be empty). */
  push(x: Float32Array): Float32Array {
    if (!this.plan) return Float32Array.from(x);
    this.append(x);
    this.total += x.length;
    return this.produce(false);
  }

  /** End of stream: the remaining outputs (the signal is zero after its end, as in the whole-file case). */
  flush(): Float32Array {
    if (!this.plan) return new Float32Array(0);
    return this.produce(true);
  }

  private append(x: Float32Array): void {
    if (this.bufLen + x.length > this.buf.length) {
      const grown = new Float64Array(Math.max(2 * this.buf.length, this.bufLen + x.length, 1024));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    for (let i = 0; i < x.length; i++) this.buf[this.bufLen + i] = x[i]!;
    this.bufLen += x.length;
  }

  private produce(final: boolean): Float32Array {
    return this.blockResample ? this.produceBlock(final) : this.produceLoop(final);
  }

  /** Input index from which outputs ≥ j can be computed, aligned to M so block phases match the stream's. */
  private alignedStart(j: number): number {
    const plan = this.plan!;
    return Math.max(0, Math.floor((phaseOf(plan, j).i0 - plan.W - 2) / plan.M) * plan.M);
  }

  private produceBlock(final: boolean): Float32Array {
    const plan = this.plan!;
    // Outputs [nextOut, end): all of them at the end, else those whose taps are all inside the input.
    let end = Math.ceil((this.total * plan.L) / plan.M);
    if (!final) {
      end = Math.max(this.nextOut, Math.floor(((this.total - plan.W - 3) * plan.L) / plan.M));
      while (end > this.nextOut && phaseOf(plan, end - 1).i0 + plan.W + 1 >= this.total) end--;
    }
    let out = new Float32Array(0);
    if (end > this.nextOut) {
      const b = this.alignedStart(this.nextOut);
      const seg = new Float32Array(this.total - b);
      for (let i = 0; i < seg.length; i++) seg[i] = this.buf[b - this.bufStart + i]!;
      const y = this.blockResample!(seg, this.fromRate, this.toRate);
      const j0 = (b / plan.M) * plan.L;
      out = y.slice(this.nextOut - j0, end - j0);
      this.nextOut = end;
    }
    const keepFrom = this.alignedStart(this.nextOut);
    const drop = Math.min(this.bufLen, keepFrom - this.bufStart);
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    return out;
  }

  private produceLoop(final: boolean): Float32Array {
    const plan = this.plan!;
    const { W, width, table } = plan;
    const outEnd = final ? Math.ceil((this.total * plan.L) / plan.M) : Infinity;
    const out: number[] = [];
    for (;;) {
      const j = this.nextOut;
      if (j >= outEnd) break;
      const { i0, phase } = phaseOf(plan, j);
      // Taps k = 0 .. 2W+1 read inputs first .. first+2W+1 (the rest of the row is zero padding).
      if (!final && i0 + W + 1 >= this.total) break;
      const first = i0 - W;
      const row = phase * width;
      let acc = 0;
      const kEnd = Math.min(width, this.total - first);
      for (let k = Math.max(0, -first); k < kEnd; k++) acc += table[row + k]! * this.buf[first + k - this.bufStart]!;
      out.push(acc);
      this.nextOut++;
    }
    // Drop inputs no later output needs.
    const keepFrom = Math.max(0, phaseOf(plan, this.nextOut).i0 - W);
    const drop = Math.min(this.bufLen, keepFrom - this.bufStart);
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    return Float32Array.from(out);
  }
}
