import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planClips, loadSentenceFile } from '../../src/synth/plan.js';
import { resolveProfiles, loadProfileFile, BUILTIN_PROFILES, drawClipProsody } from '../../src/synth/profiles.js';
import { resolveVoices, DEFAULT_VOICES, VOICES } from '../../src/synth/voices.js';
import { SENTENCE_BANK } from '../../src/synth/sentences/index.js';
import { manifestCsv, MANIFEST_COLUMNS, type ClipRecord } from '../../src/synth/record.js';
import { Rng } from '../../src/engine/rng.js';

const CLASSES = ['boredom', 'panic', 'excitement', 'uncertainty'];
const made: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'affexion-synth-plan-'));
  made.push(d);
  return d;
};
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

test('sentence bank: hundreds of distinct sentences, ≥ 50 per emotion, varied lengths, no RAVDESS statements', () => {
  const all = Object.values(SENTENCE_BANK).flat();
  assert.ok(all.length >= 200, `${all.length} sentences`);
  assert.equal(new Set(all).size, all.length, 'no duplicates');
  for (const c of CLASSES) {
    const s = SENTENCE_BANK[c]!;
    assert.ok(s.length >= 50, `${c}: ${s.length}`);
    const words = s.map((x) => x.split(/\s+/).length);
    assert.ok(Math.min(...words) <= 6 && Math.max(...words) >= 14, `${c}: lengths ${Math.min(...words)}..${Math.max(...words)}`);
  }
  for (const t of all) assert.ok(!/by the door/i.test(t), `RAVDESS statement in bank: ${t}`);
});

test('paper-size plan: every voice speaks every class and length equally often; 2 male + 3 female voices', () => {
  for (const provider of ['mixed', 'espeak', 'flite', 'openai'] as const) {
    const voices = resolveVoices(provider);
    assert.equal(voices.length, 5);
    assert.equal(voices.filter((v) => v.sex === 'male').length, 2, provider);
  }
  const voices = resolveVoices('mixed');
  const jobs = planClips({
    classes: CLASSES,
    perClass: 70,
    voices,
    lengths: ['short', 'long'],
    seed: 3,
    profiles: resolveProfiles(CLASSES),
    textMode: 'emotion',
  });
  assert.equal(jobs.length, 280);
  for (const c of CLASSES)
    for (const v of voices)
      for (const l of ['short', 'long']) {
        const n = jobs.filter((j) => j.label === c && j.voice.id === v.id && j.length === l).length;
        assert.equal(n, 7, `${c}/${v.id}/${l}`);
      }
  // Emotion text mode: a class only speaks its own sentences.
  for (const j of jobs) for (const s of j.sentences) assert.ok(s.id.startsWith(`${j.label}-`), `${j.id} got ${s.id}`);
  assert.equal(new Set(jobs.map((j) => j.id)).size, 280);
});

test('plans are deterministic in the seed and differ between seeds; shared text mode mixes the pools', () => {
  const o = {
    classes: CLASSES,
    perClass: 6,
    voices: resolveVoices('espeak'),
    lengths: ['short', 'long'] as ('short' | 'long')[],
    profiles: resolveProfiles(CLASSES),
    textMode: 'emotion' as const,
  };
  const a = planClips({ ...o, seed: 1 }),
    b = planClips({ ...o, seed: 1 }),
    c = planClips({ ...o, seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((j) => j.prosody),
    c.map((j) => j.prosody),
  );
  const shared = planClips({ ...o, seed: 1, perClass: 40, textMode: 'shared' });
  const panicIds = new Set(shared.filter((j) => j.label === 'panic').flatMap((j) => j.sentences.map((s) => s.id.split('-')[0])));
  assert.ok(panicIds.size >= 3, `shared pool used by panic: ${[...panicIds]}`);
});

test('per-clip prosody stays inside the profile ranges; level jitter makes class levels overlap', () => {
  const rng = new Rng(5);
  const lv: Record<string, number[]> = {};
  for (const c of CLASSES) {
    const p = BUILTIN_PROFILES[c]!;
    for (let i = 0; i < 200; i++) {
      const d = drawClipProsody(p, rng);
      assert.ok(d.pitchShiftSt >= p.pitchShiftSt[0] - 1e-3 && d.pitchShiftSt <= p.pitchShiftSt[1] + 1e-3);
      assert.ok(d.rate >= p.rate[0] - 1e-3 && d.rate <= p.rate[1] + 1e-3);
      (lv[c] ??= []).push(d.levelDb);
    }
  }
  // The loudest boredom clips are louder than the quietest panic clips.
  assert.ok(Math.max(...lv.boredom!) > Math.min(...lv.panic!));
  // Profiles point the intended way.
  const P = BUILTIN_PROFILES;
  assert.ok(P.panic!.pitchShiftSt[0] > P.boredom!.pitchShiftSt[1]);
  assert.ok(P.boredom!.pitchRange[1] < Math.min(P.panic!.pitchRange[0], P.excitement!.pitchRange[0], P.uncertainty!.pitchRange[0]));
  assert.ok(P.uncertainty!.fillerRate > Math.max(P.panic!.fillerRate, P.boredom!.fillerRate, P.excitement!.fillerRate));
});

test('unknown classes need a profile file; the file is validated with clear errors', () => {
  assert.throws(() => resolveProfiles(['joy']), /classes: no prosody profile for "joy".*profile file/);
  const dir = tmp();
  const good = path.join(dir, 'p.json');
  writeFileSync(good, JSON.stringify({ joy: { ...BUILTIN_PROFILES.excitement, description: 'joy', sentences: ['What a lovely day!'] } }));
  const profiles = resolveProfiles(['joy', 'panic'], loadProfileFile(good));
  assert.equal(profiles.joy!.description, 'joy');
  const jobs = planClips({
    classes: ['joy'],
    perClass: 2,
    voices: resolveVoices('flite'),
    lengths: ['short'],
    seed: 1,
    profiles,
    textMode: 'emotion',
  });
  assert.equal(jobs[0]!.sentences[0]!.text, 'What a lovely day!');
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ joy: { ...BUILTIN_PROFILES.excitement, rate: [1.5, 1.2] } }));
  assert.throws(() => loadProfileFile(bad), /profilesFile: .*bad\.json: invalid profile file: joy\.rate: range must be \[min, max\]/);
  const missing = path.join(dir, 'missing.json');
  writeFileSync(missing, JSON.stringify({ joy: { description: 'x' } }));
  assert.throws(() => loadProfileFile(missing), /joy\.pitchShiftSt/);
  writeFileSync(bad, '{ not json');
  assert.throws(() => loadProfileFile(bad), /profilesFile: .*bad\.json: cannot read JSON/);
});

test('voices: unknown or wrong-provider voices are rejected naming voices', () => {
  assert.throws(() => resolveVoices('espeak', ['nobody']), /voices: unknown voice "nobody"/);
  assert.throws(() => resolveVoices('espeak', ['flite-slt']), /voices: voice "flite-slt" is a flite voice/);
  assert.throws(() => resolveVoices('mixed', ['openai-nova']), /not usable with provider mixed/);
  assert.equal(resolveVoices('openai', ['ballad'])[0]!.engineVoice, 'ballad');
  for (const ids of Object.values(DEFAULT_VOICES)) for (const id of ids) assert.ok(VOICES.some((v) => v.id === id));
});

test('sentence files: txt for all classes, csv per class, clear errors', () => {
  const dir = tmp();
  const txt = path.join(dir, 's.txt');
  writeFileSync(txt, '# mine\nFirst one.\n\nSecond, with a comma.\n');
  assert.deepEqual(
    loadSentenceFile(txt).all.map((s) => s.text),
    ['First one.', 'Second, with a comma.'],
  );
  const csv = path.join(dir, 's.csv');
  writeFileSync(csv, 'label,text\npanic,Run now, fast!\nboredom,"So dull, he said ""again""."\n');
  const r = loadSentenceFile(csv);
  assert.equal(r.perLabel.panic![0]!.text, 'Run now, fast!');
  assert.equal(r.perLabel.boredom![0]!.text, 'So dull, he said "again".');
  writeFileSync(csv, 'text,label\n"Wait, what?",uncertainty\n');
  assert.equal(loadSentenceFile(csv).perLabel.uncertainty![0]!.text, 'Wait, what?');
  writeFileSync(csv, 'a,b\nx,y\n');
  assert.throws(() => loadSentenceFile(csv), /sentencesFile: .*s\.csv: CSV needs a header with "label" and "text"/);
  assert.throws(() => loadSentenceFile(path.join(dir, 'nope.txt')), /sentencesFile: .*nope\.txt: cannot read/);
});

test('manifest CSV quotes text with commas and quotes and keeps the column order', () => {
  const rec = Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, 1])) as unknown as ClipRecord;
  rec.text = 'Well, he said "no"';
  rec.f0_mean_hz = NaN;
  const csv = manifestCsv([rec]);
  const [head, row] = csv.trim().split('\n');
  assert.equal(head, MANIFEST_COLUMNS.join(','));
  assert.ok(row!.includes('"Well, he said ""no"""'));
  assert.ok(row!.includes(',,'), 'NaN written as an empty cell');
});
