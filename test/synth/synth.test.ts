/**
 * End-to-end offline synthesis on a small set: format, balance, byte-identical reruns (in-thread vs
 * worker processes), resuming, and that the profiles really change the audio in the intended direction.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { synthesize, type SynthResult } from '../../src/synth/index.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'affexion-synth-'));

function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel))
    .sort()
    .flatMap((n) => {
      const r = path.join(rel, n);
      return statSync(path.join(dir, r)).isDirectory() ? listFiles(dir, r) : [r];
    });
}

const median = (v: number[]): number => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

// 4 classes × 5 clips (one per voice of the mixed set), short clips: ~20 engine renders.
const OPTS = { perClass: 5, provider: 'mixed' as const, lengths: ['short' as const], seed: 11 };
let dirA = '';
let first: SynthResult;

before(async () => {
  dirA = tmp();
  first = await synthesize({ ...OPTS, out: dirA, concurrency: 1 });
});

after(() => rmSync(dirA, { recursive: true, force: true }));

test('writes 16 kHz mono 16-bit WAVs in <class>/<id>.wav, 3–4 s, with manifest and datasheet', () => {
  assert.equal(first.records.length, 20);
  assert.equal(first.generated, 20);
  for (const r of first.records) {
    const buf = readFileSync(path.join(dirA, r.path));
    assert.equal(buf.toString('ascii', 0, 4), 'RIFF');
    assert.equal(buf.readUInt16LE(22), 1, 'mono');
    assert.equal(buf.readUInt32LE(24), 16000);
    assert.equal(buf.readUInt16LE(34), 16);
    const sec = (buf.length - 44) / 2 / 16000;
    assert.ok(sec >= 3 && sec <= 4.0001, `${r.path}: ${sec} s`);
    assert.equal(r.path, `${r.label}/${path.basename(r.path)}`);
  }
  const manifest = readFileSync(first.manifestPath, 'utf8').trim().split('\n');
  assert.equal(manifest.length, 21);
  assert.ok(manifest[0]!.startsWith('path,label,voice,sex,sentence_id,text,provider'));
  const ds = readFileSync(first.datasheetPath, 'utf8');
  for (const h of ['## Motivation', '## Composition', '## Collection process', '## Preprocessing', '## Uses', '## Limitations'])
    assert.ok(ds.includes(h), h);
  // Every voice speaks every class once.
  for (const c of ['boredom', 'panic', 'excitement', 'uncertainty']) {
    assert.equal(new Set(first.records.filter((r) => r.label === c).map((r) => r.voice)).size, 5, c);
  }
});

test('the profiles change the audio in the intended direction', () => {
  const by = (c: string): typeof first.records => first.records.filter((r) => r.label === c);
  // Compare per voice (same speaker, different class), then require the direction for most voices.
  const voices = [...new Set(first.records.map((r) => r.voice))];
  const get = (c: string, v: string) => by(c).find((r) => r.voice === v)!;
  const count = (pred: (v: string) => boolean): number => voices.filter(pred).length;
  assert.ok(count((v) => get('panic', v).f0_median_hz > get('boredom', v).f0_median_hz) === 5, 'panic F0 above boredom for every voice');
  assert.ok(count((v) => get('excitement', v).f0_median_hz > get('boredom', v).f0_median_hz) === 5, 'excitement F0 above boredom');
  assert.ok(median(by('panic').map((r) => r.f0_median_hz)) > median(by('boredom').map((r) => r.f0_median_hz)) * 1.3);
  const range = (c: string): number => median(by(c).map((r) => r.f0_range_st));
  assert.ok(
    range('boredom') < Math.min(range('panic'), range('excitement'), range('uncertainty')),
    `boredom range ${range('boredom')} narrowest`,
  );
  const pauses = (c: string): number => median(by(c).map((r) => r.pause_ratio));
  assert.ok(pauses('uncertainty') > Math.max(pauses('panic'), pauses('excitement')), `uncertainty pauses ${pauses('uncertainty')}`);
  // Uncertainty carries hesitation fillers in its text.
  assert.ok(by('uncertainty').some((r) => /\b(um|uh|hmm|well|I mean|you know),/.test(r.text)));
  // Level jitter: class level ranges overlap (level alone is no cue).
  const lv = (c: string): number[] => by(c).map((r) => r.level_db);
  assert.ok(Math.max(...lv('boredom')) > Math.min(...lv('excitement')) || Math.max(...lv('uncertainty')) > Math.min(...lv('panic')));
});

test('a worker process that dies mid-clip (engine crash) is replaced and the clip rendered again, identically', async () => {
  const dirC = tmp();
  const marker = path.join(dirC, '.crash-marker');
  process.env.AFFEXION_SYNTH_CRASH_ONCE = marker;
  try {
    const out = path.join(dirC, 'set');
    const res = await synthesize({ ...OPTS, out, concurrency: 2 });
    assert.ok(existsSync(marker), 'the test hook crashed a worker');
    assert.equal(res.generated, 20);
    const files = listFiles(dirA);
    assert.deepEqual(listFiles(out), files);
    for (const f of files) assert.ok(readFileSync(path.join(dirA, f)).equals(readFileSync(path.join(out, f))), `${f} differs`);
  } finally {
    delete process.env.AFFEXION_SYNTH_CRASH_ONCE;
    rmSync(dirC, { recursive: true, force: true });
  }
});

test('same seed gives byte-identical output, in-process or on worker processes; resuming keeps clips', async () => {
  const dirB = tmp();
  try {
    const second = await synthesize({ ...OPTS, out: dirB, concurrency: 2 });
    assert.equal(second.generated, 20);
    const files = listFiles(dirA);
    assert.deepEqual(listFiles(dirB), files);
    for (const f of files) assert.ok(readFileSync(path.join(dirA, f)).equals(readFileSync(path.join(dirB, f))), `${f} differs`);

    // Resume: remove two clips, rerun: only those are generated, and identically.
    const gone = [second.records[3]!.path, second.records[12]!.path];
    for (const g of gone) rmSync(path.join(dirB, g));
    const third = await synthesize({ ...OPTS, out: dirB, concurrency: 1 });
    assert.equal(third.generated, 2);
    assert.equal(third.kept, 18);
    for (const f of files)
      assert.ok(readFileSync(path.join(dirA, f)).equals(readFileSync(path.join(dirB, f))), `${f} differs after resume`);
    // Resuming with other settings into the same folder is refused (it would mix two sets).
    await assert.rejects(
      synthesize({ ...OPTS, seed: 99, out: dirB, concurrency: 1 }),
      /out: .*: boredom\/boredom_0001\.wav was made with other settings/,
    );
  } finally {
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('a different seed gives different clips; bad options fail naming the option', async () => {
  const dirC = tmp();
  try {
    const r = await synthesize({ ...OPTS, perClass: 1, classes: ['panic'], seed: 12, out: dirC, concurrency: 1 });
    const a = readFileSync(path.join(dirA, first.records.find((x) => x.label === 'panic')!.path));
    assert.ok(!a.equals(readFileSync(path.join(dirC, r.records[0]!.path))));
  } finally {
    rmSync(dirC, { recursive: true, force: true });
  }
  const never = path.join(os.tmpdir(), 'affexion-synth-never-created');
  await assert.rejects(synthesize({ out: never, perClass: 0 }), /perClass: expected an integer ≥ 1/);
  await assert.rejects(synthesize({ out: never, provider: 'festival' as 'espeak' }), /provider: expected espeak, flite, mixed or openai/);
  await assert.rejects(synthesize({ out: never, lengths: ['medium' as 'short'] }), /lengths: expected short and\/or long/);
  await assert.rejects(synthesize({ out: never, classes: ['joy'] }), /no prosody profile for "joy"/);
  for (const bad of ['../x', '..', '/abs', ''])
    await assert.rejects(synthesize({ out: never, classes: [bad] }), /classes: label .* (relative folder|path separator|is empty)/);
});
