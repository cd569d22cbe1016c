/**
 * Stage-by-stage parity with librosa 0.10 on every golden in ../shared/golden/librosa, both hop
 * variants. Inputs are librosa's own loaded signal (`load.y`), so the resampler is judged apart
 * (test/audio/resample-parity.test.ts); for the 16 kHz goldens we also check that our WAV decoding
 * gives exactly that signal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatureStages, type FeatureStages, type FeatureBackend } from '../../src/features/index.js';
import { cachedFilterbank } from '../../src/features/extract.js';
import { loadAudio } from '../../src/audio/index.js';
import { goldenNames, loadGolden, type GoldenVariant } from './golden.js';

const ABS_TOL = 1e-3; // the bar for log-mel, MFCC, deltas and features (values up to ~600)
// Power and mel power reach ~6e4, where one float32 step is 4e-3: there the bar is the float32
// resolution of the stored value on top of 1e-3 (we measure ≤ 4e-7 relative).
const REL_TOL_POWER = 1e-6;

const names = goldenNames();
test('goldens are present', () => {
  assert.ok(names.length >= 4, `expected the librosa goldens in ../shared/golden/librosa, found ${names.length}`);
});

function stagesFor(y: Float32Array, v: GoldenVariant, backend: FeatureBackend): FeatureStages {
  const p = v.params;
  return extractFeatureStages(
    y,
    { sr: p.sr, nFft: p.n_fft, hopLength: p.hop_length, nMels: p.n_mels, nMfcc: p.n_mfcc, fmin: p.fmin, fmax: p.fmax },
    { backend },
  );
}

// 'auto' is the native front end when the addon is built (the default path), 'js' the reference.
const BACKENDS: FeatureBackend[] = ['auto', 'js'];

/** Largest |ours − ref| − tol·|ref| over a probe table [row][i] at frames probe[i] (time-major ours). */
function probeExcess(
  ours: Float32Array,
  width: number,
  ref: number[][],
  probe: number[],
  relTol: number,
  absTol: number,
): { worst: number; at: string } {
  let worst = -Infinity;
  let at = '';
  probe.forEach((t, i) => {
    for (let r = 0; r < width; r++) {
      const want = ref[r][i];
      const excess = Math.abs(ours[t * width + r] - want) - (absTol + relTol * Math.abs(want));
      if (excess > worst) {
        worst = excess;
        at = `row ${r} frame ${t}: ours ${ours[t * width + r]} librosa ${want}`;
      }
    }
  });
  return { worst, at };
}

for (const name of names) {
  const g = loadGolden(name);
  const y = Float32Array.from(g.load.y);
  for (const v of g.variants)
    for (const backend of BACKENDS) {
      const label = `${name} hop ${v.params.hop_length} (${backend === 'js' ? 'JS reference' : 'default backend'})`;
      test(`librosa parity, every stage: ${label}`, () => {
        const st = stagesFor(y, v, backend);
        assert.equal(st.frames, v.stft.n_frames, 'frame count');
        assert.equal(st.power.length / st.frames, v.stft.n_bins, 'bin count');

        const fb = cachedFilterbank(st.params);
        assert.equal(fb.bands.length, v.mel_filterbank.shape[0]);
        for (const row of v.mel_filterbank.rows) {
          const band = fb.bands[row.band];
          row.values.forEach((want, j) => {
            const k = row.start + j - band.start;
            const ours = k >= 0 && k < band.values.length ? band.values[k] : 0;
            assert.ok(Math.abs(ours - want) <= 1e-9, `mel filter ${row.band} bin ${row.start + j}: ${ours} vs ${want}`);
          });
        }

        const bins = v.stft.n_bins;
        const M = v.params.n_mels;
        const pw = probeExcess(st.power, bins, v.stft.power_probe, v.probe_frames, REL_TOL_POWER, ABS_TOL);
        assert.ok(pw.worst <= 0, `power spectrogram: ${pw.at}`);
        const mp = probeExcess(st.melPower, M, v.mel_power.probe, v.probe_frames, REL_TOL_POWER, ABS_TOL);
        assert.ok(mp.worst <= 0, `mel power: ${mp.at}`);
        const lm = probeExcess(st.logMel, M, v.log_mel.probe, v.probe_frames, 0, ABS_TOL);
        assert.ok(lm.worst <= 0, `log-mel: ${lm.at}`);

        const F = st.features;
        assert.deepEqual([F.rows, F.frames], v.features.shape);
        const stage = ['MFCC', 'delta', 'delta-delta'];
        for (let r = 0; r < F.rows; r++) {
          for (let t = 0; t < F.frames; t++) {
            const ours = F.data[r * F.frames + t];
            const want = v.features.data[r][t];
            if (!(Math.abs(ours - want) <= ABS_TOL)) {
              assert.fail(`${stage[Math.floor(r / v.params.n_mfcc)]} row ${r} frame ${t}: ours ${ours}, librosa ${want}`);
            }
          }
        }
      });
    }
  if (!g.load.resampled) {
    test(`WAV decoding gives librosa.load's signal exactly: ${name}`, async () => {
      const a = await loadAudio(g.wav, { sr: 16000 });
      assert.equal(a.samples.length, g.load.y.length);
      for (let i = 0; i < a.samples.length; i++)
        if (a.samples[i] !== Math.fround(g.load.y[i])) assert.fail(`sample ${i}: ${a.samples[i]} vs ${g.load.y[i]}`);
    });
  }
}
