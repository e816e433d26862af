import type { AppContext, TerritorySection } from '../context.ts';
import { fmtInt, html } from '../http/html.ts';
import { sourcesBlock } from '../http/sources.ts';
import * as Q from './queries.ts';
import { placeCitations } from './routes.ts';
import { CATEGORIES, type Categorie } from './vocab.ts';

const SHOWN = 10;

/** On every territory page: its inclusion places by category (counts, the first places, a link to the filtered list). */
export function inclusionTerritorySection(ctx: AppContext): TerritorySection {
  return async (t) => {
    const filter = { niveau: t.niveau, code: t.code };
    const counts = await Q.categoryCounts(ctx.db, filter);
    if (!counts.length) return null;
    const blocks = [];
    for (const c of counts) {
      const res = await Q.listPlaces(ctx.db, { ...filter, categorie: c.categorie }, SHOWN, 0);
      const href = `/inclusion?niveau=${t.niveau}&code=${encodeURIComponent(t.code)}&categorie=${c.categorie}`;
      blocks.push(html`<h3 class="fr-h6 fr-mt-2w">${CATEGORIES[c.categorie as Categorie] ?? c.categorie} (${fmtInt(c.n)})</h3>
      <ul>${res.items.map((p) => html`<li><a href="/inclusion/lieux/${p.id}">${p.nom}</a>${t.niveau !== 'commune' && p.commune ? ` — ${p.commune}` : ''}</li>`)}</ul>
      ${c.n > SHOWN ? html`<p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="${href}">Les ${fmtInt(c.n)} lieux</a></p>` : ''}`);
    }
    return html`<h2 class="fr-mt-4w" id="inclusion">Lieux d’inclusion numérique</h2>
    <p>Lieux situés dans les communes de ${t.nom}, par catégorie (un lieu peut en avoir plusieurs, par exemple une France Services qui accueille un conseiller numérique).</p>
    ${blocks}
    ${sourcesBlock(placeCitations(await Q.sourceFiles(ctx.db)))}`;
  };
}
