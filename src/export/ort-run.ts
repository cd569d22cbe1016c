/**
 * Running an exported graph with onnxruntime-web (WASM), in Node or in a browser worker. The `ort`
 * module is passed in rather than imported: Node loads the package's Node build, the page's worker the
 * WASM-only browser build (onnxruntime-web/wasm), and both have this API.
 */
import type * as Ort from 'onnxruntime-web';

/** A batch in the graph's input layout: x (B, T, F) row-major. */
export interface OrtBatch {
  x: Float32Array;
  B: number;
  T: number;
  F: number;
}

/** Runs the graph: probs (B, K) for a batch; `lengths` null = no lengths (an empty tensor). */
export type OrtRun = (batch: OrtBatch, lengths: Int32Array | null) => Promise<Float32Array>;

/** A runner over an open session returning output `output` (default `probs`). */
export function ortRunner(ort: typeof Ort, session: Ort.InferenceSession, output = 'probs'): OrtRun {
  return async ({ x, B, T, F }, lengths) => {
    const feeds = {
      features: new ort.Tensor('float32', x, [B, T, F]),
      lengths: lengths
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from(lengths, (v) => BigInt(v)),
            [lengths.length],
          )
        : new ort.Tensor('int64', new BigInt64Array(0), [0]),
    };
    const out = await session.run(feeds, [output]);
    return out[output]!.data as Float32Array;
  };
}
