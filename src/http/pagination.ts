import { z } from 'zod';
import { fmtInt, type Html, html } from './html.ts';

/**
 * Server-side pagination of long lists: plain links (works without JavaScript), DSFR markup, one
 * query parameter per list so two lists on one page page independently.
 */
export type Pager = { page: number; perPage: number; total: number; pages: number; offset: number };

/** A page number from the query string: a positive integer; anything else is a clear French error. */
export const PageNumberSchema = z.coerce
  .number({ error: 'numéro de page attendu' })
  .int('numéro de page entier attendu')
  .min(1, 'les pages sont numérotées à partir de 1')
  .max(100_000, 'numéro de page trop grand')
  .default(1);

/** Clamps the asked page to the last one, so a stale link past the end shows the last rows rather than nothing. */
export function pagerOf(total: number, page: number, perPage: number): Pager {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const p = Math.min(Math.max(1, Math.floor(page)), pages);
  return { page: p, perPage, total, pages, offset: (p - 1) * perPage };
}

/** The URL of page `n` of a list: the request's own path and query, with only `param` changed. */
export function pageHref(url: string, param: string, n: number, anchor?: string): string {
  const [path, query = ''] = url.split('#')[0]!.split('?');
  const qs = new URLSearchParams(query);
  if (n <= 1) qs.delete(param);
  else qs.set(param, String(n));
  const s = qs.toString();
  return `${path}${s ? `?${s}` : ''}${anchor ? `#${anchor}` : ''}`;
}

/** Page numbers to show: first, last, and the current one with its neighbours; `null` is a gap. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const want = new Set([1, pages, page - 1, page, page + 1].filter((n) => n >= 1 && n <= pages));
  const sorted = [...want].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const n of sorted) {
    const prev = out[out.length - 1];
    if (typeof prev === 'number' && n - prev === 2) out.push(n - 1);
    else if (typeof prev === 'number' && n - prev > 2) out.push(null);
    out.push(n);
  }
  return out;
}

/** "Lignes 101 à 200 sur 698": what the table shows, for the caption or a line under it. */
export function rangeLabel(p: Pager, noun = 'lignes'): string {
  if (p.total === 0) return `aucune des ${noun}`;
  if (p.pages === 1) return `${fmtInt(p.total)} ${noun}`;
  return `${noun} ${fmtInt(p.offset + 1)} à ${fmtInt(Math.min(p.offset + p.perPage, p.total))} sur ${fmtInt(p.total)}`;
}

/**
 * The DSFR pagination component. `label` names the list (two paginations on a page need distinct
 * accessible names); `hrefOf(n)` gives the link of page n. Nothing is rendered for a single page.
 */
export function pagination(p: Pager, hrefOf: (n: number) => string, label: string): Html {
  if (p.pages <= 1) return html``;
  const link = (n: number, cls: string, text: string, title?: string) =>
    n === p.page || n < 1 || n > p.pages
      ? html`<li><a class="fr-pagination__link ${cls}" aria-disabled="true" role="link">${text}</a></li>`
      : html`<li><a class="fr-pagination__link ${cls}" href="${hrefOf(n)}"${title ? html` title="${title}"` : ''}>${text}</a></li>`;
  return html`<nav role="navigation" class="fr-pagination fr-mb-3w" aria-label="Pagination : ${label}">
  <ul class="fr-pagination__list">
    ${link(p.page === 1 ? 0 : 1, 'fr-pagination__link--first', 'Première page')}
    ${link(p.page - 1, 'fr-pagination__link--prev fr-pagination__link--lg-label', 'Page précédente')}
    ${pageWindow(p.page, p.pages).map((n) =>
      n === null
        ? html`<li><span class="fr-pagination__link fr-hidden fr-unhidden-lg" aria-hidden="true">…</span></li>`
        : n === p.page
          ? html`<li><a class="fr-pagination__link" aria-current="page" title="Page ${n}">${n}</a></li>`
          : html`<li><a class="fr-pagination__link" href="${hrefOf(n)}" title="Page ${n}">${n}</a></li>`,
    )}
    ${link(p.page + 1, 'fr-pagination__link--next fr-pagination__link--lg-label', 'Page suivante')}
    ${link(p.page === p.pages ? 0 : p.pages, 'fr-pagination__link--last', 'Dernière page')}
  </ul>
</nav>`;
}
