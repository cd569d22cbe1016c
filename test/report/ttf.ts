/**
 * Minimal TrueType reader for tests: advance width (in em) of a character, from the font's cmap
 * (format 4, Unicode BMP) and hmtx tables. Used to check the report's built-in width table against
 * the real font file.
 */
import { readFileSync } from 'node:fs';

export function advanceWidths(file: string): (ch: string) => number | undefined {
  const b = readFileSync(file);
  const numTables = b.readUInt16BE(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(b.toString('latin1', rec, rec + 4), b.readUInt32BE(rec + 8));
  }
  const table = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`${file}: no ${tag} table`);
    return off;
  };
  const unitsPerEm = b.readUInt16BE(table('head') + 18);
  const numberOfHMetrics = b.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const cmap = table('cmap');
  let sub = -1;
  for (let i = 0; i < b.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = b.readUInt16BE(rec);
    const encoding = b.readUInt16BE(rec + 2);
    const off = cmap + b.readUInt32BE(rec + 4);
    if (b.readUInt16BE(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
      sub = off;
      break;
    }
  }
  if (sub < 0) throw new Error(`${file}: no format-4 Unicode cmap`);
  const segX2 = b.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  const glyphOf = (code: number): number => {
    for (let s = 0; s < segX2; s += 2) {
      const end = b.readUInt16BE(ends + s);
      if (code > end) continue;
      const start = b.readUInt16BE(starts + s);
      if (code < start) return 0;
      const delta = b.readInt16BE(deltas + s);
      const range = b.readUInt16BE(ranges + s);
      if (range === 0) return (code + delta) & 0xffff;
      const g = b.readUInt16BE(ranges + s + range + 2 * (code - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  return (ch: string) => {
    const g = glyphOf(ch.codePointAt(0)!);
    if (g === 0) return undefined;
    const advance = b.readUInt16BE(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));
    return advance / unitsPerEm;
  };
}
