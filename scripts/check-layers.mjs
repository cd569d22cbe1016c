#!/usr/bin/env node
// Checks the folder layering of src/ (docs/dev/contracts.md, "Layering"): every import under src/ may only
// go to a folder of the same or a lower layer, and the folders must not import each other in a cycle.
//
//   node scripts/check-layers.mjs            check; exit 1 and list the offending imports on a violation
//   node scripts/check-layers.mjs --graph    also print the folder → folder import counts
//   node scripts/check-layers.mjs --walk [fn] [--verbose]
//                                            the call walk from fn (default crossValidate) down to the
//                                            kernels: stops, jumps back up a layer, passes per file
//
// A small script of our own rather than dependency-cruiser / eslint-plugin-boundaries: the rule is ten
// lines, and the walk needs the TypeScript checker, which is already a dev dependency.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const srcDir = path.join(root, 'src');

/** Layer of each folder under src/ (higher may import lower). Every folder must be listed here. */
export const LAYERS = {
  '(root)': 10, // src/index.ts: the public API re-exports every layer
  cli: 9,
  workflows: 8,
  monitor: 8,
  eval: 7,
  train: 6,
  model: 5,
  augment: 5,
  export: 5, // export: ONNX from a trained model (reads model/, written beside it)
  data: 4,
  synth: 4,
  features: 3,
  engine: 2,
  audio: 2,
  report: 2,
};

function walkFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Top folder of a file under src/ ('(root)' for files directly in src/). */
export function folderOf(file) {
  const rel = path.relative(srcDir, file).split(path.sep);
  return rel.length === 1 ? '(root)' : rel[0];
}

/** Every relative import of every file under src/: static, re-exports, type-only and dynamic import(). */
export function collectImports() {
  const edges = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of walkFiles(srcDir)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(re)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (!target.startsWith(srcDir + path.sep)) continue;
      const line = text.slice(0, m.index).split('\n').length;
      edges.push({ file: path.relative(root, file), line, spec: m[1], from: folderOf(file), to: folderOf(target) });
    }
  }
  return edges;
}

/** Strongly connected folder groups of more than one folder (Tarjan). */
function folderCycles(graph) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set(),
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** All layering problems: unknown folders, imports up the layer order, folder cycles. */
export function checkLayers(edges = collectImports()) {
  const problems = [];
  const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const f of walkFiles(srcDir)) folders.add(folderOf(f));
  for (const f of [...folders].sort()) {
    if (!(f in LAYERS)) problems.push(`src/${f}/: folder not placed in a layer (add it to LAYERS in scripts/check-layers.mjs)`);
  }
  const graph = new Map();
  for (const e of edges) {
    if (e.from === e.to) continue;
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from).add(e.to);
    if (e.from in LAYERS && e.to in LAYERS && LAYERS[e.to] > LAYERS[e.from]) {
      problems.push(
        `${e.file}:${e.line}: ${e.from} (layer ${LAYERS[e.from]}) imports ${e.spec} from ${e.to} (layer ${LAYERS[e.to]}), up the layer order`,
      );
    }
  }
  for (const c of folderCycles(graph)) problems.push(`folder cycle: ${c.join(' ⇄ ')}`);
  return problems;
}

/**
 * The call walk a reader makes from `fnName`: depth first through every call whose target is declared
 * under src/, in source order, each function entered once; `throw` statements (error paths) are not
 * entered. A stop is a run of consecutive functions in
 * one file; a jump back up is a stop in a higher layer than the stop before it.
 */
export async function callWalk(fnName = 'crossValidate') {
  const { default: ts } = await import('typescript');
  const cfgPath = path.join(root, 'tsconfig.json');
  const cfg = ts.parseJsonConfigFileContent(ts.readConfigFile(cfgPath, ts.sys.readFile).config, ts.sys, root);
  const program = ts.createProgram({ rootNames: cfg.fileNames.filter((f) => f.startsWith(srcDir)), options: cfg.options });
  const checker = program.getTypeChecker();
  const isFn = (n) =>
    ts.isFunctionDeclaration(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent));
  let start = null;
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(srcDir)) continue;
    ts.forEachChild(sf, function find(n) {
      if (!start && ts.isFunctionDeclaration(n) && n.name?.text === fnName) start = n;
      ts.forEachChild(n, find);
    });
  }
  if (!start) throw new Error(`--walk: no function ${fnName} under src/`);
  const seen = new Set();
  const calls = [];
  const declOf = (expr) => {
    let sym = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expr) ? expr.name : expr);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const d = sym?.valueDeclaration ?? sym?.declarations?.[0];
    if (!d) return null;
    const fn =
      ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))
        ? d.initializer
        : ts.isClassDeclaration(d)
          ? (d.members.find(ts.isConstructorDeclaration) ?? null)
          : d;
    return fn && isFn(fn) && fn.getSourceFile().fileName.startsWith(srcDir) && fn.body ? fn : null;
  };
  const visit = (fn) => {
    seen.add(fn);
    calls.push(fn);
    const inner = (n) => {
      // Error paths are not the reading path: a reader does not step into `throw new ParamError(…)`.
      if (ts.isThrowStatement(n)) return;
      if (n !== fn && isFn(n) && !ts.isVariableDeclaration(n.parent)) {
        ts.forEachChild(n, inner);
        return;
      } // callbacks: walked in place
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        ts.forEachChild(n, inner); // arguments first: they run first
        const target = declOf(n.expression);
        if (target && !seen.has(target)) visit(target);
        return;
      }
      ts.forEachChild(n, inner);
    };
    ts.forEachChild(fn.body, inner);
  };
  visit(start);
  const stops = [];
  for (const fn of calls) {
    const file = path.relative(srcDir, fn.getSourceFile().fileName);
    const name = fn.name?.getText?.() ?? (ts.isVariableDeclaration(fn.parent) ? fn.parent.name.getText() : 'constructor');
    const last = stops[stops.length - 1];
    if (last && last.file === file) last.fns.push(name);
    else stops.push({ file, layer: LAYERS[folderOf(path.join(srcDir, file))] ?? 0, fns: [name] });
  }
  let jumps = 0;
  for (let i = 1; i < stops.length; i++)
    if (stops[i].layer > stops[i - 1].layer) {
      stops[i].up = true;
      jumps++;
    }
  const passes = {};
  for (const s of stops) passes[s.file] = (passes[s.file] ?? 0) + 1;
  return { fn: fnName, stops, jumps, passes };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const args = process.argv.slice(2);
  const edges = collectImports();
  if (args.includes('--graph')) {
    const counts = {};
    for (const e of edges) if (e.from !== e.to) counts[`${e.from} -> ${e.to}`] = (counts[`${e.from} -> ${e.to}`] ?? 0) + 1;
    for (const [k, n] of Object.entries(counts).sort()) console.log(`${String(n).padStart(4)}  ${k}`);
  }
  const wi = args.indexOf('--walk');
  if (wi >= 0) {
    const fn = args[wi + 1] && !args[wi + 1].startsWith('--') ? args[wi + 1] : 'crossValidate';
    const w = await callWalk(fn);
    if (args.includes('--verbose')) {
      for (const s of w.stops) console.log(`${s.up ? '↑' : ' '} [${s.layer}] ${s.file}: ${s.fns.join(', ')}`);
    }
    const mostPassed = Object.entries(w.passes)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([f, n]) => `${f} ×${n}`)
      .join(', ');
    console.log(
      JSON.stringify({
        walk: w.fn,
        functions: w.stops.reduce((a, s) => a + s.fns.length, 0),
        stops: w.stops.length,
        jumps_up: w.jumps,
        most_passed: mostPassed,
      }),
    );
  }
  const problems = checkLayers(edges);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-layers: ${edges.length} imports under src/ follow the layering, no folder cycle`);
}
