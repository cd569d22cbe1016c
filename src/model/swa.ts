/**
 * Weight averaging (hyper-parameter `swa`): running sums of every trainable parameter over the last
 * epochs, and a network set to their mean. Beside the optimiser (optim.ts): like PyTorch's
 * `torch.optim.swa_utils`, it works on a network's parameters, whatever loop trains them.
 */
import type { AffexionNet } from './network.js';
import type { ModelBatch } from '../data/normalize.js';

/** Sums of every trainable parameter (net.parameters() order) over `count` epochs. */
export interface SwaState {
  count: number;
  sums: Float64Array[];
}

/** Adds the network's current weights to the running sums `swa` (new sums when `first` or there are none yet). */
export function addToAverage(net: AffexionNet, swa: SwaState | null, first: boolean): SwaState {
  const params = net.parameters();
  const avg = first || !swa ? { count: 0, sums: params.map((p) => new Float64Array(p.value.length)) } : swa;
  params.forEach((p, i) => {
    const sum = avg.sums[i]!;
    for (let k = 0; k < sum.length; k++) sum[k]! += p.value[k]!;
  });
  avg.count++;
  return avg;
}

/** Replaces the weights by their average and recomputes BatchNorm statistics on `batches` (the training clips). */
export function loadAverage(net: AffexionNet, swa: SwaState, batches: Iterable<ModelBatch>): void {
  net.parameters().forEach((p, i) => {
    const sum = swa.sums[i]!;
    for (let k = 0; k < sum.length; k++) p.value[k] = sum[k]! / swa.count;
  });
  net.recomputeBatchNormStats(batches);
}
