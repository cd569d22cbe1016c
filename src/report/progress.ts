/**
 * Progress reporting for long runs. The library emits events; the CLI turns them into cli-progress
 * bars on a terminal, or one plain line per epoch / stage when output is not a TTY (logs, CI).
 */
import cliProgress from 'cli-progress';

/** Figures shown while an epoch runs. */
export interface BatchStats {
  loss: number;
  acc: number;
  lr: number;
}

/** Hooks a run calls as it goes; every one optional. */
export interface ProgressEvents {
  /** Free-form status line (dataset summary, stage changes, warnings). */
  log?(message: string): void;
  /** A counted stage (feature extraction, evaluation): called with done = 0 first, then as it advances. */
  stage?(name: string, done: number, total: number): void;
  epochStart?(epoch: number, epochs: number, batches: number): void;
  batch?(epoch: number, batch: number, batches: number, stats: BatchStats): void;
  /** After an epoch: its summary line (metrics.jsonl record). */
  epochEnd?(record: Record<string, number | undefined>): void;
}

/** Events that do nothing (library default). */
export const SILENT: ProgressEvents = {};

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** Human-readable epoch summary. */
export function formatEpoch(r: Record<string, number | undefined>): string {
  const n = (k: string): number => r[k] ?? NaN;
  const parts = [`epoch ${r.epoch}`, `loss ${fmt(n('train_loss'))}`, `acc ${fmt(100 * n('train_acc'), 1)} %`];
  if (r.val_loss !== undefined) parts.push(`val loss ${fmt(n('val_loss'))}`, `val acc ${fmt(100 * n('val_acc'), 1)} %`);
  parts.push(`lr ${n('lr').toExponential(2)}`, `${fmt(n('seconds'), 1)} s`);
  return parts.join(' · ');
}

/**
 * Console progress: live bars on a TTY (stderr), plain lines otherwise. `prefix` labels every line
 * (e.g. "fold 3/7").
 */
export function consoleProgress(opts: { prefix?: string; stream?: NodeJS.WriteStream } = {}): Required<ProgressEvents> & { stop(): void } {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const pre = opts.prefix ? `${opts.prefix} ` : '';
  let bar: cliProgress.SingleBar | null = null;
  let stageName = '';
  const stop = (): void => {
    if (bar) bar.stop();
    bar = null;
  };
  const line = (s: string): void => {
    stop();
    stream.write(`${pre}${s}\n`);
  };
  return {
    stop,
    log: line,
    stage(name, done, total) {
      if (!tty) {
        // Plain logs: the start, every quarter, and the end.
        const quarter = Math.max(1, Math.ceil(total / 4));
        if (done === 0) stream.write(`${pre}${name}: ${total} …\n`);
        else if (done === total) stream.write(`${pre}${name}: done (${total})\n`);
        else if (done % quarter === 0) stream.write(`${pre}${name}: ${done}/${total}\n`);
        return;
      }
      if (!bar || stageName !== name) {
        stop();
        stageName = name;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${pre}${name} |{bar}| {value}/{total} | ETA {eta_formatted}`,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      } else bar.update(done);
      if (done === total) stop();
    },
    epochStart(epoch, epochs, batches) {
      if (!tty) return;
      stop();
      stageName = '';
      bar = new cliProgress.SingleBar(
        {
          stream,
          hideCursor: true,
          etaBuffer: 20,
          format: `${pre}epoch ${epoch}/${epochs} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | lr {lr} | ETA {eta_formatted}`,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: '–', acc: '–', lr: '–' });
    },
    batch(_epoch, b, _batches, s) {
      bar?.update(b, { loss: fmt(s.loss), acc: `${fmt(100 * s.acc, 1)}%`, lr: s.lr.toExponential(2) });
    },
    epochEnd(record) {
      line(formatEpoch(record));
    },
  };
}
