/**
 * Every table of the observatory, defined once and rendered three ways: HTML (DSFR table),
 * CSV (UTF-8 with BOM, « ; » separator, decimal comma: opens in a French spreadsheet with its
 * accents intact) and JSON.
 */
import { fmtInt, fmtPct, formatDate, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { territoryHref } from '../territories/views.ts';

/** `date`: a calendar day, in French on the page and ISO (`YYYY-MM-DD`) in the downloads. */
type ColKind = 'text' | 'int' | 'pct' | 'num' | 'link' | 'date';
/** `exportOnly`: a column of the CSV and JSON downloads that the HTML page leaves out to stay light. */
export type Column = {
  key: string;
  label: string;
  kind: ColKind;
  href?: (row: Record<string, unknown>) => string;
  exportOnly?: boolean;
};
export type TableDef = {
  key: string;
  titre: string;
  columns: Column[];
  rows: Record<string, unknown>[];
  source: string;
  licence: string;
};

/**
 * How a long table pages: the request URL, the query parameter of this list (one per list, so two
 * tables of a page page independently), the page asked for and the anchor the links come back to.
 */
export type TablePaging = { url: string; param: string; page: number; perPage: number; anchor: string; noun: string };

export function renderTable(
  t: TableDef,
  o: { caption?: string; limit?: number; paging?: TablePaging; note?: Html } = {},
): Html {
  const pg = o.paging ? pagerOf(t.rows.length, o.paging.page, o.paging.perPage) : null;
  const rows = pg ? t.rows.slice(pg.offset, pg.offset + pg.perPage) : o.limit ? t.rows.slice(0, o.limit) : t.rows;
  if (!t.rows.length) return html`<p class="fr-text--sm">${t.titre} : aucune donnée importée.</p>`;
  const columns = t.columns.filter((c) => !c.exportOnly);
  // A wide table without links must itself take the focus, so that the keyboard can scroll it.
  const focus = columns.some((c) => c.href) ? '' : html` tabindex="0"`;
  const caption = html`${o.caption ?? t.titre}${pg && pg.pages > 1 ? ` — ${rangeLabel(pg, o.paging!.noun)}` : ''}`;
  const nav =
    pg && o.paging
      ? pagination(pg, (n) => pageHref(o.paging!.url, o.paging!.param, n, o.paging!.anchor), o.paging.noun)
      : html``;
  // Numbers are right-aligned by the table's class rather than a class on each of their cells: in
  // tables of mostly figures only the few text cells carry one (`pan-txt`).
  return html`<div class="fr-table fr-table--sm"${o.paging ? html` id="${o.paging.anchor}"` : ''}><table class="pan-t"${focus}><caption>${caption}</caption>
  <thead><tr>${columns.map((c) => html`<th scope="col"${c.kind === 'int' || c.kind === 'pct' || c.kind === 'num' ? html` class="pan-num"` : ''}>${c.label}</th>`)}</tr></thead>
  <tbody>${rows.map(
    (r) =>
      html`<tr>${columns.map((c, i) => {
        const v = r[c.key];
        const tag = i === 0 ? 'th' : 'td';
        const cls = i > 0 && !(c.kind === 'int' || c.kind === 'pct' || c.kind === 'num') ? ' class="pan-txt"' : '';
        const scope = i === 0 ? ' scope="row"' : '';
        const content =
          c.kind === 'date'
            ? formatDate(v as string | null)
            : c.kind === 'int'
              ? fmtInt(v as number | null)
              : c.kind === 'pct'
                ? fmtPct(v as number | null)
                : c.kind === 'num'
                  ? v === null || v === undefined
                    ? '—'
                    : Number(v).toLocaleString('fr-FR')
                  : c.href && v !== null && v !== undefined
                    ? html`<a href="${c.href(r)}">${String(v)}</a>`
                    : v === null || v === undefined
                      ? '—'
                      : String(v);
        return html`${raw(`<${tag}${scope}${cls}>`)}${content}${raw(`</${tag}>`)}`;
      })}</tr>`,
  )}</tbody></table></div>${nav}${o.note ?? ''}${!pg && o.limit && t.rows.length > o.limit ? html`<p class="fr-text--sm">${o.limit} premières lignes sur ${fmtInt(t.rows.length)} : le tableau complet est dans les téléchargements.</p>` : ''}`;
}

function csvCell(v: unknown, kind: ColKind): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') s = kind === 'int' ? String(Math.round(v)) : String(v).replace('.', ',');
  else s = String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(t: TableDef): string {
  const lines = [t.columns.map((c) => csvCell(c.label, 'text')).join(';')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c.key], c.kind)).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function toJson(t: TableDef) {
  return {
    titre: t.titre,
    source: t.source,
    licence: t.licence,
    colonnes: t.columns.map((c) => ({ cle: c.key, libelle: c.label })),
    lignes: t.rows,
  };
}

export const communeHref = (r: Record<string, unknown>) => territoryHref('commune', String(r.code));
export const departementHref = (r: Record<string, unknown>) => territoryHref('departement', String(r.code));
export const epciHref = (r: Record<string, unknown>) => territoryHref('epci', String(r.code));
