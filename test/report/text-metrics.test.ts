import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { textWidth } from '../../src/report/text-metrics.js';
import { renderSvg } from '../../src/report/render.js';
import { advanceWidths } from './ttf.js';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';

for (const [file, bold] of [
  ['DejaVuSans.ttf', false],
  ['DejaVuSans-Bold.ttf', true],
] as const) {
  test(`width table matches ${file}`, (t) => {
    const path = `${FONT_DIR}/${file}`;
    if (!existsSync(path)) {
      t.skip(`${path} not installed (apt-get install fonts-dejavu-core)`);
      return;
    }
    const font = advanceWidths(path);
    const chars: string[] = [];
    for (let c = 0x20; c <= 0x7e; c++) chars.push(String.fromCharCode(c));
    for (let c = 0xa0; c <= 0xff; c++) chars.push(String.fromCharCode(c));
    chars.push('–', '—', '…', '→', '−');
    for (const ch of chars) {
      const expected = font(ch);
      assert.ok(expected !== undefined, `${file} has ${ch}`);
      // The table stores 1/1000 em.
      assert.ok(
        Math.abs(textWidth(ch, 1000, bold) - expected * 1000) <= 0.5,
        `${JSON.stringify(ch)}: ${textWidth(ch, 1000, bold)} vs ${expected * 1000}`,
      );
    }
  });
}

test('textWidth adds advances and scales with font size; unknown scripts fall back sensibly', () => {
  assert.ok(Math.abs(textWidth('AA', 10) - 2 * 6.84) < 0.01);
  assert.ok(textWidth('A', 10, true) > textWidth('A', 10));
  assert.equal(textWidth('', 12), 0);
  assert.equal(textWidth('语音', 10), 20);
});

test("charts are laid out with real text widths, not Vega's 0.8 em guess", async () => {
  const title = 'A rather long chart title that sets the width of the whole chart';
  const svg = await renderSvg({
    title: { text: title, fontSize: 14, fontWeight: 'bold', anchor: 'start' },
    width: 100,
    height: 50,
    data: { values: [{ x: 1 }] },
    mark: 'point',
    encoding: { x: { field: 'x', type: 'quantitative', axis: null } },
  });
  const width = Number(/width="(\d+)"/.exec(svg)![1]);
  const measured = textWidth(title, 14, true);
  // The SVG is as wide as the title plus Vega's padding (5 px each side), far below the guess.
  assert.ok(Math.abs(width - measured) <= 12, `SVG width ${width} vs measured title ${measured.toFixed(1)}`);
  assert.ok(width < 0.8 * title.length * 14 * 0.9);
});
