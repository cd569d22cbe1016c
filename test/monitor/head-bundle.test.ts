/**
 * The functional head's browser code: src/monitor/head.ts — the context, speech threshold, enrolment
 * reference and fusion that the on-device page runs (its functionals in the page's Web Worker) — bundles
 * for the browser with no Node import and no stub, and the bundle computes on a clip exactly what Node
 * computes: the same functionals, the same enrolment reference, the same fused probabilities.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import * as nodeHead from '../../src/monitor/head.js';
import { monitorHead } from '../../src/monitor/model.js';
import { loadTrainedModel } from '../../src/model/model-dir.js';
import { tmpDir } from '../train/fixtures.js';
import { devClips, haveDevCorpus, tinyHeadModel } from './fixtures.js';

const root = path.resolve(import.meta.dirname, '..', '..');

test(
  'src/monitor/head.ts bundles for the browser without Node imports; the bundle = Node on a clip (functionals, reference, fusion)',
  { skip: haveDevCorpus() ? false : 'no dev corpus', timeout: 120_000 },
  async () => {
    const nodeImports: string[] = [];
    const out = await build({
      entryPoints: [path.join(root, 'src', 'monitor', 'head.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-node',
          setup(b) {
            b.onResolve({ filter: /^node:|^(fs|path|os|url|crypto|module|worker_threads)$/ }, (a) => {
              nodeImports.push(`${path.relative(root, a.importer)} → ${a.path}`);
              return { path: a.path, external: true };
            });
          },
        },
      ],
    });
    assert.deepEqual(nodeImports, [], "the head's browser code imports Node modules");
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(
      inputs.includes('src/features/functionals.ts') && inputs.includes('src/data/speech-functionals.ts'),
      "the project's functionals, not a copy",
    );
    const file = path.join(tmpDir('affexion-head-bundle-'), 'head.mjs');
    writeFileSync(file, out.outputFiles[0]!.text);
    const browserHead = (await import(pathToFileURL(file).href)) as typeof nodeHead;
    assert.notEqual(browserHead.contextFunctionals, nodeHead.contextFunctionals, 'the bundle, not the source module');

    const m = loadTrainedModel(await tinyHeadModel());
    const s = m.featureSettings;
    const clips = await devClips('fearful', 2);
    const context = new Float32Array(clips.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of clips) {
      context.set(c, o);
      o += c.length;
    }
    const want = nodeHead.contextFunctionals(s, context);
    assert.ok(want && want.some(Number.isFinite), 'functionals of two clips of speech');
    assert.deepEqual(browserHead.contextFunctionals(s, context), want);
    assert.equal(browserHead.contextFunctionals(s, context.subarray(0, s.params.sr)), null, 'under 2 s of speech: none');
    const [calm] = await devClips('calm', 1);
    const ref = nodeHead.enrolmentFunctionals(s, [calm!]);
    assert.deepEqual(browserHead.enrolmentFunctionals(s, [calm!]), ref);

    const probs = Float32Array.from(m.classes.map((_, k) => (k + 1) / 6));
    const bundled = browserHead.functionalMonitorHead(m.functionalHead!, m.classes, s.params.sr, browserHead.localHeadFunctionals(s));
    const server = monitorHead(m)!;
    assert.equal(bundled.contextSamples, server.contextSamples);
    const opinion = await server.score(context, ref);
    assert.ok(opinion);
    assert.deepEqual(await bundled.score(context, ref), opinion);
    const fused = server.fuse(probs, opinion);
    assert.ok(
      fused.some((p, k) => Math.abs(p - probs[k]!) > 1e-3),
      'the head moves the probabilities',
    );
    assert.deepEqual(bundled.fuse(probs, opinion), fused);
  },
);
