#!/usr/bin/env node
// Bundles the on-device monitor page (web/on-device) into dist/monitor/on-device with esbuild: the
// monitor page (web/monitor/app.js) over a LocalSocket, the model worker with the project's own feature
// code, and onnxruntime-web's WASM files copied from node_modules (served by the app: nothing from a CDN).
//
// The feature code sits in modules that also hold Node-only helpers (file loading, the feature cache,
// the native front end). Those modules are swapped for stubs here, so the browser gets the same
// TypeScript functions (featuresFromSamples, extractFeatures on its JS path) and nothing Node-only.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Stubbed modules (by path under src/) and what they export in the browser. */
const STUBS = {
  'features/native-frontend':
    'module.exports = { nativeMfccFrontEnd: () => null, nativeFrontEndAvailable: () => false, nativePowerSpectrogram: () => null };',
  'audio/load': 'module.exports = { loadAudio: () => { throw new Error("loadAudio is not available in the browser"); } };',
  'data/cache':
    'module.exports = { FeatureCache: class {}, settingsHash: () => "", writeFileAtomic: () => { throw new Error("no files in the browser"); } };',
};
const NODE_STUB =
  'module.exports = new Proxy({}, { get: (_, k) => (k === "__esModule" ? false : () => { throw new Error("Node-only API in the browser: " + String(k)); }) });';

const browserStubs = {
  name: 'affexion-browser-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'stub' }));
    b.onResolve({ filter: /\.js$/ }, (a) => {
      if (!a.path.startsWith('.')) return undefined;
      const abs = path.resolve(a.resolveDir, a.path).replace(/\.js$/, '');
      const rel = path.relative(path.join(root, 'src'), abs).split(path.sep).join('/');
      return rel in STUBS ? { path: rel, namespace: 'stub' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (a) => ({ contents: STUBS[a.path] ?? NODE_STUB, loader: 'js' }));
  },
};

/** Builds the page into `outDir` (default dist/monitor/on-device). */
export async function buildOnDeviceWeb(outDir = path.join(root, 'dist', 'monitor', 'on-device')) {
  const web = path.join(root, 'web');
  mkdirSync(path.join(outDir, 'ort'), { recursive: true });
  const common = {
    bundle: true,
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
    legalComments: 'eof',
    plugins: [browserStubs],
    platform: 'browser',
  };
  await build({ ...common, entryPoints: [path.join(web, 'on-device', 'main.ts')], format: 'esm', outfile: path.join(outDir, 'app.js') });
  await build({
    ...common,
    entryPoints: [path.join(web, 'on-device', 'worker.ts')],
    format: 'esm',
    outfile: path.join(outDir, 'worker.js'),
  });
  copyFileSync(path.join(web, 'monitor', 'capture-worklet.js'), path.join(outDir, 'capture-worklet.js'));
  const html = readFileSync(path.join(web, 'monitor', 'index.html'), 'utf8')
    .replace(
      /<p id="notice" class="notice">[\s\S]*?<\/p>/,
      '<p id="notice" class="notice"><strong>Research tool, not a diagnostic device.</strong> ' +
        '<strong>On-device mode:</strong> the audio never leaves this browser — features and the model run here, in a Web Worker; ' +
        'the server only delivered this page and the model file.</p>',
    )
    .replace('<script src="app.js"></script>', '<script type="module" src="app.js"></script>');
  writeFileSync(path.join(outDir, 'index.html'), html);
  const ortDist = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
  for (const f of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'])
    copyFileSync(path.join(ortDist, f), path.join(outDir, 'ort', f));
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildOnDeviceWeb(process.argv[2]);
}
