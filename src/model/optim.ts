/** Adam and StepLR with PyTorch semantics (torch.optim.Adam, torch.optim.lr_scheduler.StepLR). */

/** What Adam updates: live values and gradients (e.g. AffexionNet.parameters()). */
export interface OptimParam {
  name: string;
  value: Float32Array;
  grad: Float32Array;
}

/**
 * Adam's state: step count, lr and the moments per parameter name. state() gives Float32Array copies
 * (cheap to put in a safetensors checkpoint); loadState() also accepts plain number arrays (JSON).
 */
export interface AdamState {
  step: number;
  lr: number;
  m: Record<string, ArrayLike<number>>;
  v: Record<string, ArrayLike<number>>;
}

/**
 * Adam (Kingma & Ba) exactly as PyTorch 1.13 (amsgrad off): g ← g + wd·p (L2, not decoupled);
 * m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps).
 */
export class Adam {
  /** Current learning rate (schedulers change it). */
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(
    readonly params: OptimParam[],
    opts: { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number },
  ) {
    this.lr = opts.lr;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    if (!(this.lr > 0)) throw new RangeError(`Adam: lr must be > 0, got ${this.lr}`);
    if (!this.betas.every((b) => b >= 0 && b < 1)) throw new RangeError(`Adam: betas must be in [0, 1), got ${this.betas}`);
    if (!(this.eps >= 0) || !(this.weightDecay >= 0)) throw new RangeError('Adam: eps and weightDecay must be ≥ 0');
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.t;
  }

  /** One update of every parameter from its current .grad. */
  step(): void {
    this.t += 1;
    const [b1, b2] = this.betas,
      wd = this.weightDecay;
    const bc1 = 1 - b1 ** this.t,
      bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = this.lr / bc1;
    this.params.forEach((p, i) => {
      const m = this.m[i]!,
        v = this.v[i]!,
        w = p.value,
        g = p.grad;
      for (let j = 0; j < w.length; j++) {
        const gj = wd ? g[j]! + wd * w[j]! : g[j]!;
        const mj = b1 * m[j]! + (1 - b1) * gj;
        const vj = b2 * v[j]! + (1 - b2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        w[j] = w[j]! - (stepSize * mj) / (Math.sqrt(vj) / bc2Sqrt + this.eps);
      }
    });
  }

  /** A snapshot for resuming training (moments copied as Float32Arrays). */
  state(): AdamState {
    const m: Record<string, Float32Array> = {},
      v: Record<string, Float32Array> = {};
    this.params.forEach((p, i) => {
      m[p.name] = this.m[i]!.slice();
      v[p.name] = this.v[i]!.slice();
    });
    return { step: this.t, lr: this.lr, m, v };
  }

  /** Restore a snapshot from state(); parameter names and sizes must match. */
  loadState(s: AdamState): void {
    if (!s || !Number.isInteger(s.step) || typeof s.m !== 'object' || typeof s.v !== 'object')
      throw new Error('Adam.loadState: not an Adam state');
    this.params.forEach((p, i) => {
      const m = s.m[p.name],
        v = s.v[p.name];
      if (!m || !v || m.length !== p.value.length || v.length !== p.value.length) {
        throw new Error(`Adam.loadState: no state of the right size for parameter '${p.name}'`);
      }
      this.m[i]!.set(m as ArrayLike<number>);
      this.v[i]!.set(v as ArrayLike<number>);
    });
    this.t = s.step;
    this.lr = s.lr;
  }
}

/**
 * StepLR: after every `stepSize` calls of step() (epochs), the optimizer's lr is multiplied by gamma:
 * lr = base_lr · gamma^⌊epoch / stepSize⌋.
 */
export class StepLR {
  /** Epochs stepped so far (PyTorch's last_epoch). */
  lastEpoch = 0;
  readonly baseLr: number;

  constructor(
    private readonly opt: { lr: number },
    readonly stepSize: number,
    readonly gamma: number,
  ) {
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new RangeError(`StepLR: step size must be a positive integer, got ${stepSize}`);
    if (!(gamma > 0)) throw new RangeError(`StepLR: gamma must be > 0, got ${gamma}`);
    this.baseLr = opt.lr;
  }

  /** Ends an epoch: advances lastEpoch and sets the optimizer's lr. */
  step(): void {
    this.lastEpoch += 1;
    this.opt.lr = this.lrAt(this.lastEpoch);
  }

  /** The learning rate in effect during epoch e (0-based). */
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
