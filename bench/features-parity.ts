/**
 * Prints JSON: the largest differences from librosa, per golden, hop and stage (the figures quoted in
 * docs/audio-features.md), for the pipeline fed with librosa's own resampled signal and end to end
 * (our decoding + resampling).   npx tsx bench/features-parity.ts
 */
import { extractFeatureStages, type FeatureBackend } from '../src/features/index.js';
import { loadAudio } from '../src/audio/index.js';
import { goldenNames, loadGolden } from '../test/features/golden.js';

const round = (x: number) => Number(x.toPrecision(3));

async function main(): Promise<void> {
  const out: Record<string, unknown>[] = [];
  for (const name of goldenNames()) {
    const g = loadGolden(name);
    const ours = (await loadAudio(g.wav)).samples;
    let se = 0;
    let s = 0;
    for (let i = 0; i < g.load.y.length; i++) {
      se += (ours[i] - g.load.y[i]) ** 2;
      s += g.load.y[i] ** 2;
    }
    for (const v of g.variants) {
      const row: Record<string, unknown> = { golden: name, hop: v.params.hop_length, resampled: g.load.resampled };
      for (const backend of ['auto', 'js'] as FeatureBackend[]) {
        const st = extractFeatureStages(Float32Array.from(g.load.y), { nFft: v.params.n_fft, hopLength: v.params.hop_length }, { backend });
        const bins = v.stft.n_bins;
        const M = v.params.n_mels;
        let power = 0;
        let mel = 0;
        let logMel = 0;
        v.probe_frames.forEach((t, i) => {
          for (let k = 0; k < bins; k++)
            power = Math.max(
              power,
              Math.abs(st.power[t * bins + k] - v.stft.power_probe[k][i]) / Math.max(1e-30, Math.abs(v.stft.power_probe[k][i])),
            );
          for (let m = 0; m < M; m++) {
            mel = Math.max(
              mel,
              Math.abs(st.melPower[t * M + m] - v.mel_power.probe[m][i]) / Math.max(1e-30, Math.abs(v.mel_power.probe[m][i])),
            );
            logMel = Math.max(logMel, Math.abs(st.logMel[t * M + m] - v.log_mel.probe[m][i]));
          }
        });
        row[backend === 'js' ? 'js_reference' : 'default_backend'] = {
          power_max_rel: round(power),
          mel_power_max_rel: round(mel),
          log_mel_max_abs: round(logMel),
          ...blockDiffs(st.features.data, st.features.frames, v.features.data),
        };
      }
      if (g.load.resampled) {
        const st = extractFeatureStages(ours, { nFft: v.params.n_fft, hopLength: v.params.hop_length });
        row.end_to_end_with_our_resampler = {
          signal_snr_db: round(10 * Math.log10(s / se)),
          ...blockDiffs(st.features.data, st.features.frames, v.features.data),
        };
      }
      out.push(row);
    }
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

function blockDiffs(data: Float32Array, frames: number, ref: number[][]): Record<string, number> {
  const n = ref.length / 3;
  const mx = [0, 0, 0];
  const mean = [0, 0, 0];
  for (let r = 0; r < ref.length; r++) {
    for (let t = 0; t < frames; t++) {
      const d = Math.abs(data[r * frames + t] - ref[r][t]);
      const b = Math.floor(r / n);
      mx[b] = Math.max(mx[b], d);
      mean[b] += d / (n * frames);
    }
  }
  return { mfcc_max_abs: round(mx[0]), delta_max_abs: round(mx[1]), delta2_max_abs: round(mx[2]), mfcc_mean_abs: round(mean[0]) };
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
