/**
 * Rendering: Vega-Lite spec → Vega → SVG (headless, vega's own SVG renderer), SVG → PNG (resvg, a Rust
 * renderer whose prebuilt binary ships inside its npm package, so nothing downloads at install time).
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { installTextMetrics } from './text-metrics.js';

/** Renders a Vega-Lite spec to an SVG document string. Deterministic for a given spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const vegaSpec = compile(spec).spec;
  // renderer 'none': no canvas or DOM needed; toSVG() draws the scenegraph itself.
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return canonicalIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Renames the SVG's ids (and references to them) to d1, d2, … in order of appearance. Vega numbers
 * gradients with a process-wide counter, so without this the same chart drawn twice differs.
 */
export function canonicalIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `d${ids.size + 1}`);
  if (ids.size === 0) return svg;
  const rename = (id: string): string => ids.get(id) ?? id;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_, attr: string, id: string) => `${attr}="#${rename(id)}"`);
}

/** Family for the SVG's generic "sans-serif". If the system lacks it, resvg falls back to any font it has. */
const SANS_FAMILY = 'DejaVu Sans';

let fontsChecked = false;
/** resvg draws no text at all when the system has no font; say so once rather than write text-less PNGs. */
function warnIfNoFonts(): void {
  if (fontsChecked) return;
  fontsChecked = true;
  const probe = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15" font-size="12">Ag</text></svg>';
  const drawn = new Resvg(probe, { font: { loadSystemFonts: true }, logLevel: 'off' }).getBBox();
  if (!drawn) {
    process.emitWarning(
      'report: no system fonts found, so PNG charts will have no text. Install a font package, e.g. ' +
        '`apt-get install fonts-dejavu-core`. The SVG charts and report.html are unaffected.',
    );
  }
}

/** Rasterises an SVG document to PNG at `scale`× its size on a white background. */
export function svgToPng(svg: string, scale = 2): Buffer {
  warnIfNoFonts();
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, sansSerifFamily: SANS_FAMILY, defaultFontFamily: SANS_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
