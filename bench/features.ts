/**
 * bench:features — prints JSON: milliseconds per 10 s clip for decode, resample and features (median of
 * repeated runs, one thread; also CPU time and the fastest run), and clips per second over a folder
 * with one worker per core.
 *
 *   npm run bench:features [-- --dir FOLDER] [-- --clips N] [-- --reps N] [-- --skip-folder]
 *                          [-- --python PYTHON] [-- --skip-anchor]
 *
 * Without --dir, a folder of synthetic 10 s 16 kHz WAV clips is written to a temp dir; the folder run
 * uses extractFeaturesFromFiles (worker threads, start-up included).
 * Anchors are measured in the same run on the same clips (bench/features-anchor.py): librosa's MFCC +
 * deltas and soxr HQ (librosa.load's resampler) for 48, 44.1, 22.05 and 8 kHz → 16 kHz, each with the
 * ratio to ours; for the resampler also the SNR of our output against soxr's (equal quality). Without
 * the Python packages the JSON says `anchor_missing` — there is no stored figure to fall back on.
 * Timings taken while other processes load the machine are noisy: the JSON carries the load average.
 * Our process runs with the CLI's malloc settings (tuneAllocator; AFFEXION_MALLOC_TUNING=off for glibc's
 * defaults); the anchors run both ways and keep their faster (runAnchor).
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeWav16 } from '../src/audio/wav-write.js';
import { decodeAudioBytes } from '../src/audio/decode.js';
import { mixToMono } from '../src/audio/load.js';
import { resample } from '../src/audio/resample.js';
import { measureResampleQuality, qualityFromLevels, qualityTones, type ResampleQuality } from '../src/audio/resample-quality.js';
import { extractFeatures, nativeFrontEndAvailable } from '../src/features/index.js';
import { extractFeaturesFromFiles } from '../src/features/parallel.js';
import { ALLOCATOR_MMAP_THRESHOLD, ALLOCATOR_TRIM_THRESHOLD, tuneAllocator } from '../src/engine/allocator.js';

// As the CLI does (src/engine/allocator.ts): the figures are those of `affexion` itself.
const allocatorTuned = tuneAllocator();

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

/** A deterministic speech-like test clip: a gliding harmonic voice with syllable envelope, plus noise. */
function syntheticClip(sr: number, seconds: number, seed: number): Float32Array {
  const n = Math.round(sr * seconds);
  const y = new Float32Array(n);
  let s = seed >>> 0;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.5 * t + seed);
    phase += (2 * Math.PI * f0) / sr;
    let v = 0;
    for (let h = 1; h <= 20; h++) if (h * f0 < sr / 2) v += Math.sin(h * phase) / h;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    s = (s * 1664525 + 1013904223) >>> 0;
    y[i] = 0.15 * env * v + 0.01 * (s / 2 ** 32 - 0.5);
  }
  return y;
}

const RESAMPLE_RATES = [48000, 44100, 22050, 8000] as const;

interface AnchorTiming {
  ms: number;
  cpu_ms: number;
  best_ms: number;
  /** The allocator configuration it was measured in (runAnchor). */ config?: string;
}
interface AnchorOut {
  anchor_missing?: string;
  features_missing?: string;
  resample_missing?: string;
  librosa?: string;
  soxr?: string;
  features?: AnchorTiming;
  resample?: Record<string, AnchorTiming>;
  quality_levels?: Record<string, { passband: number[]; stopband: number[]; transition: number[] }>;
  configs?: Record<string, { features: AnchorTiming | null; resample: Record<string, AnchorTiming> | null }>;
}

/** Recorded clips at rates other than 16 kHz (the librosa goldens), for the output difference to soxr. */
const REAL_CLIPS = ['speech_espeak', 'chirp_44k1'];
const goldenDir = fileURLToPath(new URL('../../shared/golden/librosa/', import.meta.url));

async function realClips(): Promise<{ name: string; rate: number; y: Float32Array }[]> {
  const out = [];
  for (const name of REAL_CLIPS) {
    const file = path.join(goldenDir, `${name}.wav`);
    if (!existsSync(file)) continue;
    const d = await decodeAudioBytes(readFileSync(file), file);
    out.push({ name, rate: d.sampleRate, y: mixToMono(d.channels) });
  }
  return out;
}

/** Ours against soxr's output of the same clip: max and RMS difference (full scale 1) and SNR. */
function diffVsSoxr(soxrFile: string, ours: Float32Array): { max_abs_diff: number; rms_diff: number; snr_db: number } | null {
  if (!existsSync(soxrFile)) return null;
  const ref = new Float32Array(readFileSync(soxrFile).buffer.slice(0));
  let s = 0,
    e = 0,
    m = 0;
  const n = Math.min(ref.length, ours.length);
  for (let i = 0; i < n; i++) {
    const d = ours[i]! - ref[i]!;
    s += ref[i]! * ref[i]!;
    e += d * d;
    m = Math.max(m, Math.abs(d));
  }
  return {
    max_abs_diff: Number(m.toPrecision(3)),
    rms_diff: Number(Math.sqrt(e / n).toPrecision(3)),
    snr_db: Math.round(10 * Math.log10(s / e) * 100) / 100,
  };
}

/**
 * Equal quality, as the JSON states it: our stop-band attenuation at least soxr HQ's measured one (or
 * the HQ specification, 20 bits = 120.4 dB, when soxr measures better than that), passband ripple at
 * most soxr's (or 0.001 dB), and the −6 dB point within 0.5 % of the lower Nyquist of soxr's.
 */
const HQ_SPEC_ATTENUATION_DB = 120.4;
function equalQuality(ours: ResampleQuality, soxr: ResampleQuality): boolean {
  const ny = ours.stopband_begin_hz;
  return (
    ours.stopband_attenuation_db >= Math.min(soxr.stopband_attenuation_db, HQ_SPEC_ATTENUATION_DB) &&
    ours.passband_ripple_db <= Math.max(soxr.passband_ripple_db, 0.001) &&
    ours.minus6db_hz !== null &&
    soxr.minus6db_hz !== null &&
    Math.abs(ours.minus6db_hz - soxr.minus6db_hz) <= 0.005 * ny
  );
}

/**
 * glibc malloc settings under which freed memory is kept and reused instead of returned to the kernel:
 * every large array is then allocated from pages already mapped. Under the defaults soxr's Python
 * binding page-faults on fresh buffers each call (about 4× its filtering cost on these VMs), so the
 * anchor is also run this way and the faster configuration kept (issue 17: the anchor at its best).
 * The values are tuneAllocator's (src/engine/allocator.ts), which our own process applies as the CLI does.
 */
const WARM_MALLOC_TUNABLES = `glibc.malloc.trim_threshold=${ALLOCATOR_TRIM_THRESHOLD}:glibc.malloc.mmap_threshold=${ALLOCATOR_MMAP_THRESHOLD}`;

/**
 * Runs bench/features-anchor.py on raw float32 copies of the clips (one thread, BLAS pinned; the
 * OPENBLAS_CORETYPE override removed so numpy uses this CPU's kernel), once with the default allocator
 * and once with {@link WARM_MALLOC_TUNABLES}; per figure the faster configuration is kept and named
 * (`config`), both are printed (`configs`). A reason string when it cannot run.
 */
function runAnchor(
  dir: string,
  clips: Map<number, Float32Array>,
  real: { name: string; rate: number; y: Float32Array }[],
  reps: number,
): AnchorOut {
  if (process.argv.includes('--skip-anchor')) return { anchor_missing: '--skip-anchor' };
  for (const [rate, y] of clips) writeFileSync(path.join(dir, `clip_${rate}.f32`), Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  for (const rate of clips.keys())
    if (rate !== 16000) writeFileSync(path.join(dir, `tones_${rate}.json`), JSON.stringify(qualityTones(rate, 16000)));
  for (const c of real)
    writeFileSync(path.join(dir, `real_${c.rate}_${c.name}.f32`), Buffer.from(c.y.buffer, c.y.byteOffset, c.y.byteLength));
  const python = arg('python', process.env.AFFEXION_ANCHOR_PYTHON ?? 'python3');
  const script = fileURLToPath(new URL('./features-anchor.py', import.meta.url));
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    NUMBA_NUM_THREADS: '1',
  };
  delete base.OPENBLAS_CORETYPE;
  delete base.OPENBLAS_L2_SIZE;
  delete base.GLIBC_TUNABLES;
  const runs: Record<string, AnchorOut> = {};
  for (const [config, env] of [
    ['default', base],
    ['warm_malloc', { ...base, GLIBC_TUNABLES: WARM_MALLOC_TUNABLES }],
  ] as const) {
    const r = spawnSync(python, [script, dir, String(reps)], { encoding: 'utf8', env });
    if (r.error) return { anchor_missing: `${python}: ${r.error.message}` };
    if (r.status !== 0) return { anchor_missing: `${script} failed: ${(r.stderr || '').trim().split('\n').pop()}` };
    runs[config] = JSON.parse(r.stdout.trim().split('\n').pop()!) as AnchorOut;
  }
  const best = (pick: (a: AnchorOut) => AnchorTiming | undefined): AnchorTiming | undefined => {
    let out: AnchorTiming | undefined;
    for (const [config, a] of Object.entries(runs)) {
      const t = pick(a);
      if (t && (!out || t.cpu_ms < out.cpu_ms)) out = { ...t, config };
    }
    return out;
  };
  const first = runs.default!;
  const configs = Object.fromEntries(
    Object.entries(runs).map(([k, a]) => [k, { features: a.features ?? null, resample: a.resample ?? null }]),
  );
  return {
    ...first,
    features: best((a) => a.features),
    resample: first.resample
      ? Object.fromEntries(Object.keys(first.resample).map((rate) => [rate, best((a) => a.resample?.[rate])!]))
      : undefined,
    configs,
  };
}

function snrDb(ref: Float32Array, y: Float32Array): number {
  let s = 0,
    e = 0;
  const n = Math.min(ref.length, y.length);
  for (let i = 0; i < n; i++) {
    s += ref[i] * ref[i];
    e += (y[i] - ref[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

function median(xs: number[]): number {
  const a = [...xs].sort((p, q) => p - q);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}

/** CPU time of this process per call (median): less sensitive than wall time to other processes. */
const cpuMs: Record<string, number> = {};
/** Fastest wall-clock run: the closest estimate of the uncontended cost on a busy machine. */
const bestMs: Record<string, number> = {};

async function timeAsync(label: string, reps: number, fn: () => Promise<void> | void): Promise<number> {
  await fn(); // warm-up (JIT, filter tables, FFT plans)
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  cpuMs[label] = median(cpu);
  bestMs[label] = Math.min(...ms);
  return median(ms);
}

async function throughput(files: string[], workers: number): Promise<number> {
  await extractFeaturesFromFiles(files.slice(0, workers * 2), {}, { workers }); // warm the disk cache
  // Timed as a user runs it: worker start-up included.
  const t = performance.now();
  const results = await extractFeaturesFromFiles(files, {}, { workers });
  const sec = (performance.now() - t) / 1000;
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length) throw new Error(`${failed.length} file(s) failed, e.g. ${failed[0].error}`);
  return files.length / sec;
}

async function main(): Promise<void> {
  const reps = Number(arg('reps', '30'));
  const seconds = Number(arg('seconds', '10')); // shorter clips only for the test of the JSON's fields
  const nClips = Number(arg('clips', '240'));
  const made = mkdtempSync(path.join(tmpdir(), 'affexion-bench-'));
  const wav16 = path.join(made, 'clip16k.wav');
  const wav48 = path.join(made, 'clip48k.wav');
  writeWav16(wav16, syntheticClip(16000, seconds, 1), 16000);
  writeWav16(wav48, syntheticClip(48000, seconds, 1), 48000);
  const bytes16 = readFileSync(wav16);
  const bytes48 = readFileSync(wav48);
  const y16 = mixToMono((await decodeAudioBytes(bytes16, wav16)).channels);
  const y48 = mixToMono((await decodeAudioBytes(bytes48, wav48)).channels);

  const decodeMs = await timeAsync('decode_wav', reps, async () => void (await decodeAudioBytes(bytes16, wav16)));
  const resample48Ms = await timeAsync('resample_48k_to_16k', reps, () => void resample(y48, 48000, 16000));
  const resampleMs: Record<string, number> = {};
  const resampleIntoMs: Record<string, number> = {};
  const clips = new Map<number, Float32Array>([[16000, y16]]);
  for (const rate of RESAMPLE_RATES) {
    const y = rate === 48000 ? y48 : syntheticClip(rate, seconds, 1);
    clips.set(rate, y);
    resampleMs[rate] =
      rate === 48000 ? resample48Ms : await timeAsync(`resample_${rate}_to_16k`, reps, () => void resample(y, rate, 16000));
    // Into a reused buffer: a fresh output array costs page faults (a new mapping per call) that can
    // exceed the filtering itself; numpy's allocator, under soxr, reuses freed memory instead.
    const out = new Float32Array(Math.ceil((y.length * 16000) / rate));
    resampleIntoMs[rate] = await timeAsync(`resample_${rate}_to_16k_reused_out`, reps, () => void resample(y, rate, 16000, { out }));
  }
  const featuresMs = await timeAsync('features', reps, () => void extractFeatures(y16));
  const featuresJsMs = await timeAsync('features_js_reference', Math.min(reps, 5), () => void extractFeatures(y16, {}, { backend: 'js' }));
  const end16 = await timeAsync(
    'decode_plus_features_16k',
    reps,
    async () => void extractFeatures(mixToMono((await decodeAudioBytes(bytes16, wav16)).channels)),
  );
  const end48 = await timeAsync(
    'decode_resample_features_48k',
    reps,
    async () => void extractFeatures(resample(mixToMono((await decodeAudioBytes(bytes48, wav48)).channels), 48000, 16000)),
  );

  const real = await realClips();
  const anchor = runAnchor(made, clips, real, reps);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  // Quality of both resamplers on the same tones (definition in src/audio/resample-quality.ts), the
  // verdict, and the difference of the two outputs on the bench clip.
  const qualityEntry = (rate: number) => {
    const ours = measureResampleQuality((x, f, t) => resample(x, f, t), rate, 16000);
    const lv = anchor.quality_levels?.[String(rate)];
    const soxr = lv ? qualityFromLevels(rate, 16000, qualityTones(rate, 16000), lv) : null;
    return {
      quality: { ours, soxr_hq: soxr, equal_quality: soxr ? equalQuality(ours, soxr) : null },
      output_diff_vs_soxr: diffVsSoxr(path.join(made, `soxr_${rate}.f32`), resample(clips.get(rate)!, rate, 16000)),
    };
  };
  const anchors: Record<string, unknown> = anchor.anchor_missing
    ? { anchor_missing: anchor.anchor_missing }
    : {
        librosa: anchor.librosa ?? null,
        soxr: anchor.soxr ?? null,
        features: anchor.features
          ? {
              librosa_ms: anchor.features.ms,
              ours_ms: r2(featuresMs),
              speedup: r2(anchor.features.ms / featuresMs),
              librosa_cpu_ms: anchor.features.cpu_ms,
              librosa_config: anchor.features.config,
              ours_cpu_ms: r2(cpuMs.features),
              speedup_cpu: r2(anchor.features.cpu_ms / cpuMs.features),
            }
          : { anchor_missing: anchor.features_missing },
        resample: anchor.resample
          ? Object.fromEntries(
              RESAMPLE_RATES.map((rate) => {
                const a = anchor.resample![String(rate)]!;
                const label = rate === 48000 ? 'resample_48k_to_16k' : `resample_${rate}_to_16k`;
                const soxrOut = path.join(made, `soxr_${rate}.f32`);
                const snr = existsSync(soxrOut)
                  ? snrDb(new Float32Array(readFileSync(soxrOut).buffer.slice(0)), resample(clips.get(rate)!, rate, 16000))
                  : null;
                const into = `resample_${rate}_to_16k_reused_out`;
                return [
                  `${rate}_to_16000`,
                  {
                    soxr_ms: a.ms,
                    ours_ms: r2(resampleMs[rate]),
                    speedup: r2(a.ms / resampleMs[rate]),
                    soxr_cpu_ms: a.cpu_ms,
                    soxr_config: a.config,
                    ours_cpu_ms: r2(cpuMs[label]),
                    speedup_cpu: r2(a.cpu_ms / cpuMs[label]),
                    ours_reused_out_ms: r2(resampleIntoMs[rate]),
                    speedup_reused_out: r2(a.ms / resampleIntoMs[rate]),
                    speedup_reused_out_cpu: r2(a.cpu_ms / cpuMs[into]),
                    soxr_best_ms: a.best_ms,
                    ours_reused_out_best_ms: r2(bestMs[into]),
                    snr_vs_soxr_db: snr === null ? null : r2(snr),
                    ...qualityEntry(rate),
                  },
                ];
              }),
            )
          : { anchor_missing: anchor.resample_missing },
        // Each anchor's figures in both allocator configurations (the faster is the one compared above).
        configs: anchor.configs,
        resample_real_clips: anchor.resample
          ? Object.fromEntries(
              real.map((c) => [
                `${c.name}_${c.rate}_to_16000`,
                diffVsSoxr(path.join(made, `soxr_real_${c.rate}_${c.name}.f32`), resample(c.y, c.rate, 16000)),
              ]),
            )
          : undefined,
      };

  let dir = arg('dir', '');
  const skipFolder = process.argv.includes('--skip-folder');
  if (!dir && !skipFolder) {
    dir = path.join(made, 'folder');
    mkdirSync(dir, { recursive: true });
    // 8 distinct clips, copied to nClips files (making hundreds of distinct ones would dominate the run).
    const distinct = Array.from({ length: 8 }, (_, i) => syntheticClip(16000, 10, i + 2));
    for (let i = 0; i < nClips; i++) writeWav16(path.join(dir, `clip${i}.wav`), distinct[i % 8], 16000);
  }
  const files = skipFolder
    ? []
    : readdirSync(dir)
        .filter((f) => /\.(wav|flac|mp3|ogg|opus)$/i.test(f))
        .map((f) => path.join(dir, f));
  const workers = availableParallelism();
  const clipsPerSec = skipFolder ? null : await throughput(files, workers);
  rmSync(made, { recursive: true, force: true });

  process.stdout.write(
    JSON.stringify(
      {
        bench: 'features',
        clip_seconds: seconds,
        clip: '10 s mono 16-bit WAV; features = 75 × 1000 (n_fft 2048, hop 160, 128 mels, 25 MFCC + deltas)',
        backend: nativeFrontEndAvailable(2048) ? 'native' : 'js',
        // Wall-clock medians; cpu_ms_per_10s_clip is the same work in CPU time of this process.
        ms_per_10s_clip: {
          decode_wav: r2(decodeMs),
          resample_48k_to_16k: r2(resample48Ms),
          resample_44100_to_16k: r2(resampleMs[44100]),
          resample_22050_to_16k: r2(resampleMs[22050]),
          resample_8000_to_16k: r2(resampleMs[8000]),
          features: r2(featuresMs),
          features_js_reference: r2(featuresJsMs),
          decode_plus_features_16k: r2(end16),
          decode_resample_features_48k: r2(end48),
        },
        cpu_ms_per_10s_clip: Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, r2(v)])),
        best_ms_per_10s_clip: Object.fromEntries(Object.entries(bestMs).map(([k, v]) => [k, r2(v)])),
        folder: skipFolder
          ? null
          : {
              dir: arg('dir', '') || '(synthetic, 16 kHz, 10 s each)',
              clips: files.length,
              workers,
              clips_per_second: r2(clipsPerSec!),
              note: 'extractFeaturesFromFiles, worker start-up included',
            },
        // Same-run anchors on the same clips; speedup = anchor / ours (> 1: we are faster).
        anchors,
        target_ms_features: 15,
        reps,
        load_avg: r2(loadavg()[0]),
        cores: availableParallelism(),
        allocator_tuned: allocatorTuned,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:features: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
