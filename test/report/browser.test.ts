/**
 * Opens report.html in real headless Chromium (Debian's package, installed by .ci/run) and checks that
 * every chart is laid out with visible marks, and that a screenshot of the page shows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { writeReport } from '../../src/report/index.js';
import { sampleReport } from './sample.js';

const CANDIDATES = [process.env.AFFEXION_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const chromium = CANDIDATES.find((p) => existsSync(p));
const MISSING = `Chromium not found (looked at ${CANDIDATES.join(', ')}); .ci/run installs it with \`apt-get install -y chromium\`, or set AFFEXION_CHROMIUM`;

/** Runs headless Chromium with a fresh profile and everything that could reach the network turned off. */
function runChromium(dir: string, args: string[]): string {
  const r = spawnSync(
    chromium!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) throw new Error(`chromium failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`chromium exited with ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Measures, in the laid-out page, each chart's size and how many of its data marks have a visible box. */
const PROBE = `<script>
const figures = [...document.querySelectorAll('figure.chart')].map((f) => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svg ? [...svg.querySelectorAll('.role-mark > path, .role-mark > text, .role-mark > line')] : [];
  const visible = marks.filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  return { name: f.dataset.chart, width: box.width, height: box.height, marks: marks.length, visible: visible.length };
});
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = JSON.stringify(figures);
document.body.append(out);
</script>`;

interface ProbedFigure {
  name: string;
  width: number;
  height: number;
  marks: number;
  visible: number;
}

test('report.html renders its charts in headless Chromium', { timeout: 240_000 }, async (t) => {
  if (!chromium) {
    if (process.env.CI === 'true') assert.fail(MISSING);
    t.skip(MISSING);
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'affexion-browser-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { html, charts } = await writeReport(path.join(dir, 'run'), sampleReport());

  // The probe runs in a copy, so the report itself stays script-free.
  const probePage = path.join(path.dirname(html), 'probe.html');
  await writeFile(probePage, (await readFile(html, 'utf8')).replace('</body>', `${PROBE}\n</body>`));
  const dom = runChromium(dir, ['--dump-dom', pathToFileURL(probePage).href]);
  const m = /<pre id="probe">([^<]*)<\/pre>/.exec(dom);
  assert.ok(m, 'the probe script ran in Chromium and wrote its result');
  const figures = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as ProbedFigure[];
  assert.equal(figures.length, charts.length / 2, 'one figure per chart');
  for (const f of figures) {
    assert.ok(f.width > 200 && f.height > 100, `${f.name} is laid out (${f.width}×${f.height})`);
    assert.ok(f.marks > 0, `${f.name} has data marks`);
    assert.equal(f.visible, f.marks, `${f.name}: every data mark has a visible box`);
  }

  // And the pixels: the first screenful holds the class-count bars; they must show up coloured.
  const shot = path.join(dir, 'shot.png');
  runChromium(dir, ['--hide-scrollbars', '--window-size=1200,1600', `--screenshot=${shot}`, pathToFileURL(html).href]);
  const png = PNG.sync.read(await readFile(shot));
  assert.equal(png.width, 1200);
  let coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
  }
  assert.ok(coloured / (png.width * png.height) > 0.01, `screenshot shows coloured chart marks (${coloured} px)`);
});
