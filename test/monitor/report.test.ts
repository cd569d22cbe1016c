import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sessionReport, writeSessionReport, writeSessionReportOffThread } from '../../src/monitor/session-report.js';
import { timelineChart } from '../../src/report/charts.js';
import type { MonitorEvent } from '../../src/monitor/core.js';
import { tmpDir } from '../train/fixtures.js';

const win = (t1: number, p: number): MonitorEvent => ({
  type: 'window',
  t0: t1 - 2,
  t1,
  speech: true,
  speechShare: 1,
  probs: { panic: p, boredom: 1 - p },
  label: 'panic',
  smoothed: { panic: p, boredom: 1 - p },
  smoothedLabel: 'panic',
  lag: 0.01,
  dropped: 0,
});

test('session report: smoothed timeline with speech shading, alerts and summary', async () => {
  const events: MonitorEvent[] = [
    { type: 'utterance', t0: 1, t1: 4 },
    win(2.5, 0.5),
    win(3, 0.7),
    { type: 'alert', label: 'panic', t: 3, level: 0.7, state: 'enter' },
    win(3.5, 0.3),
    {
      type: 'summary',
      duration: 5,
      speechSeconds: 3,
      windows: 7,
      classified: 3,
      dropped: 0,
      meanProbs: { panic: 0.5, boredom: 0.5 },
      labelSeconds: { panic: 1.5 },
      alerts: 1,
      lagP50: 0.01,
      lagP95: 0.02,
    },
  ];
  const r = sessionReport(events);
  assert.equal(r.timelines![0]!.points.length, 6);
  assert.deepEqual(r.timelines![0]!.spans, [{ t0: 1, t1: 4 }]);
  assert.match(r.notes!.join(' '), /3\.0 s: panic alert/);
  assert.equal(r.config!.alerts, 1);
  const chart = timelineChart(r.timelines![0]!)!;
  const layers = (chart.spec as unknown as { layer: { data: { values: unknown[] } }[] }).layer;
  assert.equal(layers.length, 2, 'speech shading + lines');
  assert.equal(layers[1]!.data.values.length, 6);
  assert.equal(timelineChart({ title: 'x', points: [] }), null);
  const dir = tmpDir();
  const w = await writeSessionReport(dir, events);
  const html = readFileSync(w.html, 'utf8');
  assert.match(html, /Timeline/);
  assert.ok(w.charts.some((c) => path.basename(c).startsWith('timeline-')));
});

test(
  'session reports off the main thread: several sessions stopping at once are all written (one worker, in turn), and an idle worker keeps nothing alive',
  { timeout: 120_000 },
  async () => {
    const events: MonitorEvent[] = [{ type: 'utterance', t0: 1, t1: 4 }, win(2.5, 0.5), win(3, 0.7)];
    const dirs = [0, 1, 2].map(() => tmpDir('affexion-report-'));
    const done: number[] = [];
    const htmls = await Promise.all(
      dirs.map((d, i) =>
        writeSessionReportOffThread(d, events, { config: { session: String(i) } }).then((h) => {
          done.push(i);
          return h;
        }),
      ),
    );
    htmls.forEach((h, i) => {
      assert.equal(path.dirname(h), dirs[i]);
      assert.match(readFileSync(h, 'utf8'), /Timeline/);
    });
    assert.deepEqual(done, [0, 1, 2], 'written in the order asked');
    // A report that cannot be written fails alone, with the reason; the next one is still written.
    const file = path.join(dirs[0]!, 'report.html');
    await assert.rejects(writeSessionReportOffThread(path.join(file, 'sub'), events), /ENOTDIR/);
    assert.match(await writeSessionReportOffThread(dirs[1]!, events), /report\.html$/);
    // (If the idle worker were still ref'd, this test file would never exit.)
  },
);
