/**
 * A model card (Mitchell et al., "Model Cards for Model Reporting") as plain data — sections of
 * paragraphs, bullet lists and tables — rendered to Markdown (model-card.md) and to HTML (the report's
 * "Model card" section) by the two small renderers here, so both say the same without a Markdown parser.
 */
import { escapeHtml } from './html.js';

export interface CardTable {
  head: string[];
  rows: (string | number)[][];
  caption?: string;
}
export type CardBlock = { p: string } | { list: string[] } | { table: CardTable } | { figure: string; alt: string };
export interface CardSection {
  heading: string;
  blocks: CardBlock[];
}
export interface ModelCard {
  title: string;
  sections: CardSection[];
}

const cell = (v: string | number): string => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The card as Markdown (figures as image links to the given file). */
export function modelCardMarkdown(card: ModelCard): string {
  const out = [`# ${card.title}`, ''];
  for (const s of card.sections) {
    out.push(`## ${s.heading}`, '');
    for (const b of s.blocks) {
      if ('p' in b) out.push(b.p, '');
      else if ('list' in b) out.push(...b.list.map((x) => `- ${x}`), '');
      else if ('figure' in b) out.push(`![${b.alt}](${b.figure})`, '');
      else {
        const t = b.table;
        out.push(
          `| ${t.head.map(cell).join(' | ')} |`,
          `|${t.head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
          ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
          '',
        );
        if (t.caption) out.push(`*${t.caption}*`, '');
      }
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The card's sections as HTML for a report (figures inlined from `figures`: file → SVG markup). */
export function modelCardHtml(card: ModelCard, figures: Record<string, string> = {}): string {
  const parts: string[] = [];
  for (const s of card.sections) {
    parts.push(`<h3>${escapeHtml(s.heading)}</h3>`);
    for (const b of s.blocks) {
      if ('p' in b) parts.push(`<p>${escapeHtml(b.p)}</p>`);
      else if ('list' in b) parts.push(`<ul>${b.list.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`);
      else if ('figure' in b) {
        const svg = figures[b.figure];
        if (svg)
          parts.push(
            `<figure class="architecture">${svg
              .replace(/^<\?xml[^>]*>\s*/, '')
              .replace(/id="arrow"/g, 'id="card-arrow"')
              .replace(/url\(#arrow\)/g, 'url(#card-arrow)')}</figure>`,
          );
      } else {
        const t = b.table;
        parts.push(
          `<table><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
            t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('') +
            '</tbody></table>' +
            (t.caption ? `<p class="meta">${escapeHtml(t.caption)}</p>` : ''),
        );
      }
    }
  }
  return parts.join('\n');
}
