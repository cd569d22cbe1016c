/**
 * The native front end (native/src/spectral.cc): power spectrogram with a float64 FFT run on 8 frames
 * per AVX-512 pass, mel power, log-mel and DCT in one call. It is the default for power-of-two FFT
 * sizes; the JS modules (stft.ts, mel.ts, cepstrum.ts) are the readable reference it is tested
 * against, and the fallback when the addon is not built or AFFEXION_BACKEND=js.
 */
import { nativeIfBuilt } from '../engine/native.js';
import { installNativeLagProducts } from './native-pitch.js';
import { frameCount } from './stft.js';
import type { MelFilterbank } from './mel.js';

// Every Node feature path loads this module; the pitch tracker's native loop comes with it (native-pitch.ts).
installNativeLagProducts();

interface SpectralAddon {
  stftPower(y: Float32Array, nFft: number, hop: number, out: Float32Array): number;
  mfccFrontEnd(
    y: Float32Array,
    nFft: number,
    hop: number,
    binOffsets: Int32Array,
    binBand: Int32Array,
    binWeight: Float32Array,
    nMels: number,
    dct: Float64Array,
    nMfcc: number,
    amin: number,
    topDb: number,
    outPower: Float32Array | null,
    outMel: Float32Array,
    outLogMel: Float32Array,
    outMfcc: Float32Array,
  ): number;
}

let addon: SpectralAddon | null | undefined;

function load(): SpectralAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.AFFEXION_BACKEND === 'js') return addon;
  const mod = nativeIfBuilt() as Partial<SpectralAddon> | null;
  if (!mod) return addon;
  if (typeof mod.stftPower === 'function' && typeof mod.mfccFrontEnd === 'function') addon = mod as SpectralAddon;
  return addon;
}

/** True when the native front end will be used for this FFT size. */
export function nativeFrontEndAvailable(nFft: number): boolean {
  return nFft >= 8 && (nFft & (nFft - 1)) === 0 && load() !== null;
}

/** The filterbank indexed by FFT bin (CSR), the layout the native code accumulates in. */
interface BinIndexedMel {
  offsets: Int32Array;
  band: Int32Array;
  weight: Float32Array;
}
const byBin = new WeakMap<MelFilterbank, BinIndexedMel>();

function binIndexed(fb: MelFilterbank): BinIndexedMel {
  let r = byBin.get(fb);
  if (r) return r;
  const counts = new Int32Array(fb.bins + 1);
  for (const b of fb.bands) for (let j = 0; j < b.values.length; j++) counts[b.start + j + 1]++;
  for (let k = 0; k < fb.bins; k++) counts[k + 1] += counts[k];
  const offsets = counts;
  const fill = offsets.slice(0, fb.bins);
  const band = new Int32Array(offsets[fb.bins]);
  const weight = new Float32Array(offsets[fb.bins]);
  fb.bands.forEach((b, m) => {
    for (let j = 0; j < b.values.length; j++) {
      const e = fill[b.start + j]++;
      band[e] = m;
      weight[e] = b.values[j];
    }
  });
  r = { offsets, band, weight };
  byBin.set(fb, r);
  return r;
}

const scratchBufs: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
const SCRATCH_MAX = 1 << 20; // floats (4 MB, ~80 s of audio): longer clips get their own buffers
function scratch(i: number, n: number): Float32Array {
  if (n > SCRATCH_MAX) return new Float32Array(n);
  if (scratchBufs[i].length < n) scratchBufs[i] = new Float32Array(Math.min(SCRATCH_MAX, Math.max(n, scratchBufs[i].length * 2)));
  return scratchBufs[i].subarray(0, n);
}

/**
 * Output of the native front end: mfcc is nMfcc × frames (librosa layout), the rest time-major. Without
 * `keepPower`, melPower and logMel are views of scratch buffers, valid until the next call.
 */
export interface NativeFrontEnd {
  frames: number;
  power: Float32Array | null;
  melPower: Float32Array;
  logMel: Float32Array;
}

/**
 * Runs STFT → mel → power_to_db (amin, topDb) → DCT natively, writing the MFCCs into `mfccOut`
 * (nMfcc × frames). Returns null when the native front end is unavailable for nFft.
 */
export function nativeMfccFrontEnd(
  y: Float32Array,
  nFft: number,
  hopLength: number,
  fb: MelFilterbank,
  dct: Float64Array,
  nMfcc: number,
  amin: number,
  topDb: number | null,
  keepPower: boolean,
  mfccOut: (frames: number) => Float32Array,
): NativeFrontEnd | null {
  if (!nativeFrontEndAvailable(nFft)) return null;
  const frames = frameCount(y.length, nFft, hopLength);
  const nMels = fb.bands.length;
  const idx = binIndexed(fb);
  const power = keepPower ? new Float32Array(frames * fb.bins) : null;
  // Without stages the mel buffers are only scratch: reuse them rather than feed the GC ~1 MB a clip.
  const melPower = keepPower ? new Float32Array(frames * nMels) : scratch(0, frames * nMels);
  const logMel = keepPower ? new Float32Array(frames * nMels) : scratch(1, frames * nMels);
  load()!.mfccFrontEnd(
    y,
    nFft,
    hopLength,
    idx.offsets,
    idx.band,
    idx.weight,
    nMels,
    dct,
    nMfcc,
    amin,
    topDb ?? NaN,
    power,
    melPower,
    logMel,
    mfccOut(frames),
  );
  return { frames, power, melPower, logMel };
}
