import type { Queryable } from '../db/db.ts';
import { type Html, html, raw } from '../http/html.ts';
import { unaccentLower } from '../text/normalize.ts';
import * as Q from './queries.ts';

/**
 * Accent folding for full-text search, done here rather than with PostgreSQL's unaccent extension
 * (PGlite ships it but the platform does not load it), so both backends index the same text:
 * the folded text goes through `to_tsvector('french', …)` (Snowball stemming). `map[i]` is the index
 * in the original text of folded character i, so highlights found in the folded text are put back
 * on the original, accented one.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the highlight marks are control characters
const MARKS = /[\u0001-\u0003]/g;

function foldWithMap(s: string): { folded: string; map: number[] } {
  let folded = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of s.replace(MARKS, ' ')) {
    // Markup-like characters become spaces: ts_headline's parser drops what looks like a tag.
    const f = /[<>&]/.test(ch) ? ' ' : unaccentLower(ch);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  map.push(i);
  return { folded, map };
}

const foldText = (s: string): string => foldWithMap(s).folded;

/**
 * The snippet of a hit: `ts_headline` fragments of the folded body (marks \u0001…\u0002, fragments
 * split by \u0003) located in the folded body, then cut from the original text, escaped, with <mark>.
 */
function snippetOf(original: string, folded: string, headline: string): Html {
  const { map } = foldWithMap(original);
  const parts: Html[] = [];
  let from = 0;
  for (const frag of headline.split('\u0003')) {
    const plain = frag.replaceAll('\u0001', '').replaceAll('\u0002', '');
    if (!plain.trim()) continue;
    const at = folded.indexOf(plain, from);
    if (at < 0) {
      parts.push(html`${plain}`);
      continue;
    }
    from = at + plain.length;
    const out: Html[] = [];
    let pos = at;
    let marked = false;
    let start = at;
    const flush = (end: number) => {
      const text = original.slice(map[start]!, map[end]!);
      out.push(marked ? html`<mark>${text}</mark>` : html`${text}`);
    };
    for (const ch of frag) {
      if (ch === '\u0001' || ch === '\u0002') {
        flush(pos);
        start = pos;
        marked = ch === '\u0001';
        continue;
      }
      pos += ch.length;
    }
    flush(pos);
    parts.push(html`${out}`);
  }
  if (!parts.length) return html`${original.slice(0, 200)}${original.length > 200 ? '…' : ''}`;
  return raw(parts.map((p) => p.value).join(' … '));
}

/** Indexes (or re-indexes) one record of the space for the search. */
export async function indexDoc(
  q: Queryable,
  d: { type: string; id: number; titre: string; corps: string; themes?: string[]; territoires?: string[]; url: string },
): Promise<void> {
  const corps = d.corps.slice(0, 20_000);
  await Q.upsertSearchDoc(q, {
    type: d.type,
    objet_id: d.id,
    titre: d.titre,
    corps,
    titre_plie: foldText(d.titre),
    corps_plie: foldText(corps),
    themes: d.themes ?? [],
    territoires: d.territoires ?? [],
    url: d.url,
  });
}

type SearchItem = { type: string; id: number; titre: string; extrait: string; url: string };

export async function searchResources(
  q: Queryable,
  f: { q: string; type?: string | undefined; theme?: string | undefined; territoires?: string[] | undefined },
  limit: number,
  offset: number,
): Promise<{ total: number; items: SearchItem[] }> {
  const folded = foldText(f.q);
  const hits = await Q.searchDocs(q, { ...f, q: folded }, limit, offset);
  return {
    total: hits[0]?.total ?? (offset ? ((await Q.searchDocs(q, { ...f, q: folded }, 1, 0))[0]?.total ?? 0) : 0),
    items: hits.map((h) => ({
      type: h.type,
      id: h.objet_id,
      titre: h.titre,
      extrait: snippetOf(h.corps, h.corps_plie, h.headline).value,
      url: h.url,
    })),
  };
}

export async function searchFacets(
  q: Queryable,
  f: { q: string; theme?: string | undefined; territoires?: string[] | undefined },
) {
  return Q.searchFacets(q, { ...f, q: foldText(f.q) });
}
