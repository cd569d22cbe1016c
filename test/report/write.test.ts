import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { writeReport, planCharts, renderSvg } from '../../src/report/index.js';
import { sampleReport } from './sample.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'affexion-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Share of pixels that are clearly coloured (not white/grey): bars, lines, heatmap cells. */
function colouredShare(png: PNG): number {
  let coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
  }
  return coloured / (png.width * png.height);
}

test('writeReport writes report.html and every chart as SVG and PNG', async (t) => {
  const dir = await tempDir(t);
  const runDir = path.join(dir, 'run');
  const out = await writeReport(runDir, sampleReport());
  assert.equal(out.html, path.join(runDir, 'report.html'));

  const expected = [
    'datasets',
    'training-loss',
    'training-accuracy',
    'learning-rate',
    'cv-folds',
    'cv-history',
    'cv-folds-eval',
    'per-class-f1',
    'confusion-synthetic-held-out',
    'confusion-real-ravdess-dev',
    'comparison-ours-vs-the-paper',
  ];
  assert.deepEqual(
    out.charts,
    expected.flatMap((n) => [`${n}.svg`, `${n}.png`].map((f) => path.join(runDir, 'charts', f))),
  );
  assert.deepEqual(
    (await readdir(path.join(runDir, 'charts'))).sort(),
    ['.report-charts.json', ...expected.flatMap((n) => [`${n}.png`, `${n}.svg`])].sort(),
  );

  for (const name of expected) {
    const svg = await readFile(path.join(runDir, 'charts', `${name}.svg`), 'utf8');
    assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/, `${name}.svg is an SVG document`);
    assert.match(svg, /class="mark-(rect|line|symbol)/, `${name}.svg has data marks`);
    const png = PNG.sync.read(await readFile(path.join(runDir, 'charts', `${name}.png`)));
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    assert.equal(png.width, 2 * w, `${name}.png is drawn at twice the SVG size`);
    assert.ok(colouredShare(png) > 0.005, `${name}.png shows coloured marks`);
  }

  const html = await readFile(out.html, 'utf8');
  assert.equal((html.match(/<figure class="chart"/g) ?? []).length, expected.length);
  assert.equal((html.match(/<svg /g) ?? []).length, expected.length);
  // Self-contained: no scripts, stylesheets, images or anything else fetched.
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|src="/i);
  assert.doesNotMatch(html.replace(/xmlns(:xlink)?="http[^"]*"/g, ''), /(href|src)="https?:/i);
  // Ids stay unique once every SVG is inlined.
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
  // Tables carry the figures; notes are escaped, not interpreted.
  assert.match(html, /75\.0\u00a0%\u00a0±\u00a02\.2\u00a0%/); // CV accuracy mean ± sample std of the seven sample folds
  assert.match(html, /16 clips with labels the model does not know/);
  assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
  assert.match(html, /\$ affexion reproduce --synthetic data\/synth --real &#39;data\/my clips&#39;/);
  assert.match(html, /1 file skipped/);
});

test('writeReport is deterministic for the same data', async (t) => {
  const dir = await tempDir(t);
  const a = await writeReport(path.join(dir, 'a'), sampleReport());
  const b = await writeReport(path.join(dir, 'b'), sampleReport());
  assert.equal(await readFile(a.html, 'utf8'), await readFile(b.html, 'utf8'));
  assert.deepEqual(await readFile(a.charts[1]), await readFile(b.charts[1]));
});

test('writeReport serves a bare evaluate run and an empty report', async (t) => {
  const dir = await tempDir(t);
  const evalOnly = await writeReport(path.join(dir, 'eval'), {
    kind: 'evaluate',
    evaluations: {
      test: {
        n: 4,
        accuracy: 0.5,
        confusion: {
          labels: ['a', 'b', 'c'],
          matrix: [
            [1, 1, 0],
            [1, 1, 0],
            [0, 0, 0],
          ],
        },
        missing_classes: ['c'],
      },
    },
  });
  assert.deepEqual(
    evalOnly.charts.map((f) => path.basename(f)),
    ['confusion-test.svg', 'confusion-test.png'],
  );
  assert.match(await readFile(evalOnly.html, 'utf8'), /No clips of c in this data; that class is left out of the macro averages/);
  const empty = await writeReport(path.join(dir, 'empty'), {});
  assert.deepEqual(empty.charts, []);
  const html = await readFile(empty.html, 'utf8');
  assert.match(html, /<h1>Affexion run<\/h1>/);
});

test('a new report in the same folder removes the charts it no longer draws, and only those', async (t) => {
  const dir = await tempDir(t);
  const cm = {
    labels: ['a', 'b'],
    matrix: [
      [1, 0],
      [0, 1],
    ],
  };
  await writeReport(dir, { evaluations: { first: { confusion: cm }, second: { confusion: cm } } });
  await writeFile(path.join(dir, 'charts', 'mine.png'), 'not a report chart');
  await writeReport(dir, { evaluations: { second: { confusion: cm } } });
  assert.deepEqual((await readdir(path.join(dir, 'charts'))).sort(), [
    '.report-charts.json',
    'confusion-second.png',
    'confusion-second.svg',
    'mine.png',
  ]);
});

test('two evaluations with the same slug get distinct chart files', () => {
  const cm = { labels: ['a'], matrix: [[1]] };
  const plan = planCharts({ evaluations: { 'Real!': { confusion: cm }, 'real?': { confusion: cm } } });
  const names = [...plan.values()].flat().map((c) => c.name);
  assert.deepEqual(names, ['confusion-real', 'confusion-real-2']);
});

test('writeReport rejects malformed data with a message naming the field', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(writeReport('', {}), /runDir/);
  await assert.rejects(
    writeReport(dir, { evaluations: { real: { confusion: { labels: ['a', 'b'], matrix: [[1, 0]] } } } }),
    /evaluation "real".*2×2/,
  );
  await assert.rejects(
    writeReport(dir, { comparisons: [{ title: 'T', columns: ['x', 'y'], rows: [{ label: 'ours', values: [1] }] }] }),
    /comparisons\[0\].*"ours".*1 values for 2 columns/,
  );
  await assert.rejects(writeReport(dir, { history: [{ epoch: Number.NaN }] }), /history\[0\]\.epoch/);
  await assert.rejects(writeReport(dir, { history: { epoch: 1 } as never }), /history must be an array/);
  await assert.rejects(writeReport(dir, { cv: { folds: [{ fold: 1 } as never] } }), /cv\.folds\[0\]\.metrics/);
  // Nothing was written for rejected data.
  assert.deepEqual(await readdir(dir), []);
});

test('chart text is escaped by the SVG renderer', async () => {
  const svg = await renderSvg(
    planCharts({ evaluations: { '<script>x</script>': { confusion: { labels: ['<i>'], matrix: [[2]] } } } }).get(
      'evaluation:<script>x</script>',
    )![0].spec,
  );
  assert.doesNotMatch(svg, /<script>|<i>/);
  assert.match(svg, /&lt;i&gt;/);
});
