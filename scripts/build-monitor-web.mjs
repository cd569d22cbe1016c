#!/usr/bin/env node
// Bundles the live monitor's page (web/monitor: app.js + uPlot + CSS, the capture worklet, index.html)
// into dist/monitor/web with esbuild, so the server serves every asset itself (no CDN). esbuild's
// postinstall is not run here; its platform package (@esbuild/linux-x64) carries the binary it uses.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the page into `outDir` (default dist/monitor/web). */
export async function buildMonitorWeb(outDir = path.join(root, 'dist', 'monitor', 'web')) {
  const src = path.join(root, 'web', 'monitor');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(src, 'app.js')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    outfile: path.join(outDir, 'app.js'),
    logLevel: 'warning',
    legalComments: 'eof',
  });
  for (const f of ['index.html', 'capture-worklet.js']) copyFileSync(path.join(src, f), path.join(outDir, f));
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildMonitorWeb(process.argv[2]);
}
