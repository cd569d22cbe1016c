/**
 * Latency of a repeated call, measured the same way on every path: bench/onnx.ts in Node and the on-device page's
 * worker timings in Chromium (web/on-device/local-socket.ts), which the bench compares in one run. Browser-safe.
 *
 * ```ts
 * const t = await timeCalls(20, () => session.run(feeds)); // { p50, p95, min } in ms
 * ```
 */

/** Median, 95th percentile and fastest of the timed calls, in ms. */
export interface Latency {
  p50: number;
  p95: number;
  min: number;
}

/**
 * Times `runs` calls of `fn` after a warm-up of at least 5 calls and at least `warmUpMs` (WASM and JIT code is tiered
 * up by then). The fastest run is reported too: under a shared machine's load the least disturbed run is the best
 * estimate of the work.
 */
export async function timeCalls(runs: number, fn: () => unknown, warmUpMs = 2000): Promise<Latency> {
  const warmEnd = performance.now() + warmUpMs;
  for (let i = 0; i < 5 || performance.now() < warmEnd; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)]!, p95: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))]!, min: ms[0]! };
}
