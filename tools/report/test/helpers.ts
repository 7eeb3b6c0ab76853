/** Minimal tag/attribute extraction for asserting on generated markup (no DOM in unit tests). */
export interface Tag {
  name: string;
  attrs: Record<string, string>;
  raw: string;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' };

export function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (m) => ENTITIES[m] ?? m);
}

/** Every opening tag named `name` whose class list contains `cls` (if given). */
export function tags(markup: string, name: string, cls?: string): Tag[] {
  const out: Tag[] = [];
  const re = new RegExp(`<${name}(\\s[^>]*)?>`, 'g');
  for (const m of markup.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = unescape(a[2]!);
    if (cls && !(attrs.class ?? '').split(/\s+/).includes(cls)) continue;
    out.push({ name, attrs, raw: m[0] });
  }
  return out;
}

export function num(tag: Tag, attr: string): number {
  const v = tag.attrs[attr];
  if (v === undefined) throw new Error(`${tag.raw} has no ${attr}`);
  return Number(v);
}

/** A section's markup, from its opening tag to its end ('' when the page has none). */
export function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</section>', start));
}

/** The cell texts (markup stripped, entities decoded) of the first table row whose <tr> starts with `attr="value"`. */
export function rowCells(html: string, attr: string, value: string): string[] {
  const start = html.indexOf(`<tr ${attr}="${value}"`);
  if (start < 0) throw new Error(`no row ${attr}="${value}"`);
  const row = html.slice(start, html.indexOf('</tr>', start));
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!));
}

/** Markup as the reader sees it: tags dropped, entities decoded, whitespace trimmed. */
export function text(markup: string): string {
  return unescape(markup.replace(/<[^>]+>/g, '')).trim();
}
