import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHARED_DIR } from '../shared-dir.js';
import { scanDataset, describeDataset } from '../../src/data/dataset.js';
import { parseLabelMap, applyLabelMap } from '../../src/data/label-map.js';
import { inferSpeaker, inferGroup } from '../../src/data/speakers.js';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'affexion-ds-'));
}
function touch(file: string, text = 'x'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

test('label map: rename, drop with "=" or "=-", case-insensitive, errors name the option', () => {
  const m = parseLabelMap('Fearful=Panic, happy=excitement,calm=,neutral=-');
  assert.equal(applyLabelMap('FEARFUL', m), 'panic');
  assert.equal(applyLabelMap('happy', m), 'excitement');
  assert.equal(applyLabelMap('calm', m), null);
  assert.equal(applyLabelMap('neutral', m), null);
  assert.equal(applyLabelMap('Boredom', m), 'boredom');
  assert.throws(() => parseLabelMap('fearful'), /labelMap: expected entries like/);
  assert.throws(() => parseLabelMap('a=b,A=c'), /mapped twice/);
  assert.equal(parseLabelMap(undefined).size, 0);
});

test('class folders: case-insensitive classes, nested files, skipped files with reasons, empty class', () => {
  const root = tmp();
  touch(path.join(root, 'Panic', 'a.wav'));
  touch(path.join(root, 'panic', 'sub', 'b.WAV'));
  touch(path.join(root, 'boredom', 'c.flac'));
  touch(path.join(root, 'boredom', 'notes.txt'));
  touch(path.join(root, 'README.md'));
  mkdirSync(path.join(root, 'uncertainty'));
  const ds = scanDataset(root);
  assert.equal(ds.layout, 'folders');
  assert.deepEqual(ds.classes, ['boredom', 'panic']);
  assert.deepEqual(ds.counts, { boredom: 1, panic: 2 });
  assert.deepEqual(ds.emptyClasses, ['uncertainty']);
  const reasons = Object.fromEntries(ds.skipped.map((s) => [path.basename(s.file), s.reason]));
  assert.match(reasons['notes.txt'], /not an audio file/);
  assert.match(reasons['README.md'], /not inside a class folder/);
  assert.match(describeDataset(ds), /uncertainty\s+0 {2}\(empty class\)/);
  assert.match(describeDataset(ds), /skipped 2 file/);
});

test('manifest: column aliases, relative paths, label map, missing files reported, speaker/group kept', () => {
  const root = tmp();
  touch(path.join(root, 'clips', '1.wav'));
  touch(path.join(root, 'clips', '2.wav'));
  touch(path.join(root, 'clips', '3.wav'));
  writeFileSync(
    path.join(root, 'labels.csv'),
    'path,label,voice,sentence\nclips/1.wav,Fearful,v1,s1\nclips/2.wav,happy,v2,s1\nclips/3.wav,calm,v1,s2\nclips/missing.wav,happy,v3,s3\nclips/2.wav,,v2,s1\n',
  );
  const ds = scanDataset(root, { labelMap: 'fearful=panic,happy=excitement,calm=' });
  assert.equal(ds.layout, 'manifest');
  assert.deepEqual(ds.classes, ['excitement', 'panic']);
  assert.deepEqual(ds.dropped, { calm: 1 });
  assert.equal(ds.items[0].speaker, 'v1');
  assert.equal(ds.items[0].group, 's1');
  assert.equal(ds.items[0].path, path.join(root, 'clips', '1.wav'));
  assert.equal(ds.skipped.length, 2);
  assert.match(ds.skipped[0].reason, /file not found \(.*labels\.csv:5\)/);
  assert.match(ds.skipped[1].reason, /no label/);
});

test('bad datasets give clear errors naming the path or option', () => {
  assert.throws(() => scanDataset('/nonexistent/affexion'), /data: \/nonexistent\/affexion does not exist/);
  const root = tmp();
  writeFileSync(path.join(root, 'm.csv'), 'file_name,emotion\nx.wav,a\n');
  assert.throws(
    () => scanDataset(path.join(root, 'm.csv')),
    /needs "path" and "label" columns \(found: file_name, emotion; a label column of another name can be chosen\)/,
  );
  const flat = tmp();
  touch(path.join(flat, 'a.wav'));
  assert.throws(() => scanDataset(flat), /no class sub-folders/);
});

test('RAVDESS names: speaker = actor (last field), group = statement', () => {
  assert.equal(inferSpeaker('/x/Actor_12/03-01-06-01-02-01-12.wav'), 'actor-12');
  assert.equal(inferGroup('/x/Actor_12/03-01-06-01-02-01-12.wav'), 'statement-02');
  assert.equal(inferSpeaker('/x/clip.wav'), null);
});

const RAVDESS_DEV = path.join(SHARED_DIR, 'data', 'ravdess-dev');
test('the real RAVDESS dev manifest scans with the paper label map', { skip: !existsSync(RAVDESS_DEV) && 'shared/ not present' }, () => {
  const ds = scanDataset(RAVDESS_DEV, { labelMap: 'fearful=panic,happy=excitement,calm=,neutral=' });
  assert.deepEqual(ds.counts, { excitement: 96, panic: 96 });
  assert.deepEqual(ds.dropped, { calm: 96, neutral: 48 });
  assert.equal(ds.skipped.length, 0);
  assert.equal(new Set(ds.items.map((i) => i.speaker)).size, 12);
  assert.equal(new Set(ds.items.map((i) => i.group)).size, 2);
});

test('manifest: repeated rows deduplicated with a warning; one path with two labels is an error naming both lines', () => {
  const dir = tmp();
  touch(path.join(dir, 'a.wav'));
  touch(path.join(dir, 'b.wav'));
  writeFileSync(path.join(dir, 'labels.csv'), 'path,label\na.wav,calm\nb.wav,panic\n./a.wav,calm\na.wav,Calm\n');
  const ds = scanDataset(dir);
  assert.equal(ds.items.length, 2);
  assert.deepEqual(ds.counts, { calm: 1, panic: 1 });
  assert.match(ds.warnings.join('\n'), /2 duplicated manifest row\(s\) ignored \(.*labels\.csv:4 repeats .*labels\.csv:2/);
  assert.match(describeDataset(ds), /warning: 2 duplicated manifest row/);
  writeFileSync(path.join(dir, 'labels.csv'), 'path,label\na.wav,calm\nb.wav,panic\na.wav,panic\n');
  assert.throws(() => scanDataset(dir), /labels\.csv:4: .*a\.wav is labelled "panic" here but "calm" at .*labels\.csv:2/);
});

test('label map entries matching no label: "did you mean"; --label-column / --speaker-column pick other columns', () => {
  const dir = tmp();
  touch(path.join(dir, 'a.wav'));
  touch(path.join(dir, 'b.wav'));
  writeFileSync(path.join(dir, 'meta.csv'), 'path,label,emotion_code,actor,narrator\na.wav,x,fearful,1,n1\nb.wav,y,happy,2,n2\n');
  const ds = scanDataset(path.join(dir, 'meta.csv'), {
    labelColumn: 'Emotion_Code',
    speakerColumn: 'narrator',
    labelMap: 'fearfull=panic,happy=excitement,calm=',
  });
  assert.deepEqual(
    ds.items.map((i) => [i.label, i.speaker]),
    [
      ['fearful', 'n1'],
      ['excitement', 'n2'],
    ],
  );
  assert.deepEqual(ds.warnings, [`label map: "fearfull" is not a label of ${path.join(dir, 'meta.csv')} (did you mean "fearful"?)`]);
  // Shared maps mention labels another dataset has (calm=): no warning without a near label.
  assert.deepEqual(scanDataset(path.join(dir, 'meta.csv'), { labelMap: 'sad=,angry=' }).warnings, []);
  assert.throws(
    () => scanDataset(path.join(dir, 'meta.csv'), { labelColumn: 'mood' }),
    /labelColumn: manifest .*meta\.csv has no column "mood" \(found: path, label, emotion_code, actor, narrator\)/,
  );
  assert.throws(() => scanDataset(dir, { speakerColumn: 'narrator' }), /speakerColumn: .* is a folder per class/);
});
