/**
 * Text widths for Vega's layout in Node. Without a canvas, Vega guesses every character to be 0.8 em
 * wide, which makes titles and legends reserve up to 40 % too much room (wide blank margins). We
 * measure with DejaVu Sans's real advance widths instead: it is the font the PNGs are drawn with and
 * the default sans-serif on Linux, and at least as wide as Arial/Helvetica elsewhere, so nothing clips.
 * The tables hold advance widths in 1/1000 em for U+0020–U+007E and U+00A0–U+00FF, read from
 * DejaVuSans.ttf and DejaVuSans-Bold.ttf 2.37 (test/report/text-metrics.test.ts checks them against
 * the font files when they are installed).
 */
import * as vega from 'vega';

const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337,
  337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
  684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635,
  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, 318, 401, 636, 636, 636, 636, 337, 500, 500, 1000, 471, 612, 838,
  361, 1000, 500, 500, 838, 401, 401, 500, 636, 636, 318, 500, 401, 471, 612, 969, 969, 969, 531, 684, 684, 684, 684, 684, 684, 974, 698,
  632, 632, 632, 632, 295, 295, 295, 295, 775, 748, 787, 787, 787, 787, 787, 838, 787, 732, 732, 732, 732, 611, 605, 630, 613, 613, 613,
  613, 613, 613, 982, 550, 615, 615, 615, 615, 278, 278, 278, 278, 612, 634, 612, 612, 612, 612, 612, 838, 612, 634, 634, 634, 634, 592,
  635, 592,
];
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400,
  400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
  774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716,
  716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838, 348, 456, 696, 696, 636, 696, 365, 500, 500, 1000, 564, 646, 838,
  415, 1000, 500, 500, 838, 438, 438, 500, 736, 636, 380, 500, 438, 564, 646, 1035, 1035, 1035, 580, 774, 774, 774, 774, 774, 774, 1085,
  734, 683, 683, 683, 683, 372, 372, 372, 372, 838, 837, 850, 850, 850, 850, 850, 838, 850, 812, 812, 812, 812, 724, 738, 719, 675, 675,
  675, 675, 675, 675, 1048, 593, 678, 678, 678, 678, 343, 343, 343, 343, 687, 712, 687, 687, 687, 687, 687, 838, 687, 712, 712, 712, 712,
  652, 716, 652,
];

/** Common characters beyond Latin-1 (same width in both weights), in 1/1000 em. */
const EXTRA: Readonly<Record<string, number>> = { '–': 500, '—': 1000, '…': 1000, '→': 838, '−': 838, '≤': 838, '≥': 838, '•': 590 };

/** Table index of a code point, or -1 when it is not in the tables. */
function tableIndex(code: number): number {
  if (code >= 0x20 && code <= 0x7e) return code - 0x20;
  if (code >= 0xa0 && code <= 0xff) return code - 0xa0 + 95;
  return -1;
}

/** Width in em of one character; CJK and other wide scripts count as 1 em, anything else unknown as an average letter. */
function charWidth(ch: string, bold: boolean): number {
  const code = ch.codePointAt(0)!;
  const i = tableIndex(code);
  if (i >= 0) return (bold ? BOLD : REGULAR)[i] / 1000;
  if (EXTRA[ch] !== undefined) return EXTRA[ch] / 1000;
  if (code >= 0x2e80) return 1;
  return bold ? 0.72 : 0.65;
}

function isBold(weight: unknown): boolean {
  if (weight === 'bold' || weight === 'bolder') return true;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600;
}

/** Width in px of `text` at `fontSize` px in DejaVu Sans (bold when asked). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += charWidth(ch, bold);
  return em * fontSize;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: unknown;
}

let installed = false;
/** Makes Vega measure text with {@link textWidth} (Vega supports a user-defined textMetrics.width). */
export function installTextMetrics(): void {
  if (installed) return;
  installed = true;
  // vega exports textMetrics at run time though its typings omit it; without it Vega keeps its estimate.
  const metrics = (vega as unknown as { textMetrics?: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  if (!metrics) return;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    // Measures the line as given: Vega's own truncation (label limits) calls back into this function.
    const s = text == null ? '' : String(text).trim();
    return s ? textWidth(s, size, isBold(item.fontWeight)) : 0;
  };
}
