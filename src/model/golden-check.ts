/**
 * Measures how far AffexionNet is from a PyTorch golden case (/work/shared/golden/model/<case>, written by
 * the reference's make_model_golden.py): the figures docs/model.md quotes, reproducible with
 * `affexion model check-golden DIR --json`. The pass/fail tests live in test/model/golden.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kernels } from '../engine/kernels.js';
import { parseConfig } from './config.js';
import { softmax, softmaxCrossEntropy } from './loss.js';
import { AffexionNet } from './network.js';
import { Adam } from './optim.js';
import { readSafetensors, toFloat32, toInt32 } from './safetensors.js';

/** Largest deviations from the golden case (absolute, except grad_max_rel). */
export interface GoldenReport {
  case: string;
  backend: string;
  batch: number;
  frames: number;
  eval_logits_max_abs: number;
  eval_probs_max_abs: number;
  train_loss_abs: number;
  /** Worst over parameters of max |ours − torch| / max |torch| (key.bias excluded: see below). */
  grad_max_rel: number;
  grad_worst_param: string;
  /** key.bias's exact gradient is 0 (softmax ignores a per-query constant): its absolute error. */
  key_bias_grad_max_abs: number;
  bn_running_max_abs: number;
  adam_step_max_abs: number;
  forward_backward_ms: number;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

export function checkGolden(caseDir: string, kernels?: Kernels): GoldenReport {
  const raw = JSON.parse(readFileSync(path.join(caseDir, 'config.json'), 'utf8')) as {
    model: object;
    mask_padding: boolean;
    optimizer: { lr: number; betas: [number, number]; eps: number };
  };
  const cfg = parseConfig({ ...raw.model, mask_padding: raw.mask_padding }, `${caseDir}/config.json`);
  const net = new AffexionNet(cfg, { kernels });
  const w = readSafetensors(path.join(caseDir, 'weights.safetensors')).tensors;
  net.loadStateDict(new Map([...w].map(([k, t]) => [k, toFloat32(t)])), `${caseDir}/weights.safetensors`);
  const c = readSafetensors(path.join(caseDir, 'case.safetensors')).tensors;
  const t = (n: string) => {
    const v = c.get(n);
    if (!v) throw new Error(`${caseDir}/case.safetensors: no tensor '${n}'`);
    return toFloat32(v);
  };
  const [B, T] = c.get('input')!.shape as [number, number];
  const lengths = c.has('lengths') ? toInt32(c.get('lengths')!) : null;
  const x = t('input');
  const logitsEval = net.forward(x, B, T, { train: false, lengths });
  const t0 = performance.now();
  const logits = net.forward(x, B, T, { train: true, lengths });
  const { loss, dLogits } = softmaxCrossEntropy(logits, toInt32(c.get('target')!), cfg.n_classes);
  net.zeroGrad();
  net.backward(dLogits);
  const ms = performance.now() - t0;
  let worst = 0,
    worstName = '',
    keyBias = 0;
  for (const p of net.parameters()) {
    const ref = t(`grad.${p.name}`);
    if (p.name === 'key.bias') {
      keyBias = maxAbsDiff(p.grad, ref);
      continue;
    }
    const rel =
      maxAbsDiff(p.grad, ref) /
      Math.max(
        ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
        1e-6,
      );
    if (rel >= worst) {
      worst = rel;
      worstName = p.name;
    }
  }
  const sd = net.stateDict();
  const bn = Math.max(
    maxAbsDiff(sd.get('bn.running_mean')!, t('after_step.bn.running_mean')),
    maxAbsDiff(sd.get('bn.running_var')!, t('after_step.bn.running_var')),
  );
  new Adam(net.parameters(), { lr: raw.optimizer.lr, betas: raw.optimizer.betas, eps: raw.optimizer.eps }).step();
  const adam = net.parameters().reduce((m, p) => Math.max(m, maxAbsDiff(p.value, t(`after_step.${p.name}`))), 0);
  return {
    case: path.basename(caseDir),
    backend: net.kernels.name,
    batch: B,
    frames: T,
    eval_logits_max_abs: maxAbsDiff(logitsEval, t('logits_eval')),
    eval_probs_max_abs: maxAbsDiff(softmax(logitsEval, cfg.n_classes), t('probs_eval')),
    train_loss_abs: Math.abs(loss - t('loss_train')[0]!),
    grad_max_rel: worst,
    grad_worst_param: worstName,
    key_bias_grad_max_abs: keyBias,
    bn_running_max_abs: bn,
    adam_step_max_abs: adam,
    forward_backward_ms: Math.round(ms),
  };
}
