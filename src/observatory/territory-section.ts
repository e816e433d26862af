import type { AppContext } from '../context.ts';
import { fmtPct, html, type Html } from '../http/html.ts';
import { periodsOf, seriesTable } from './presenter.ts';
import * as Q from './queries.ts';
import { pointsOf, resolveScope, seriesFor, targetsFor } from './service.ts';
import { keyFiguresOf } from './dashboard-views.ts';
import { renderTable } from './tables.ts';
import { chartBlock, downloads, targetsTable } from './views.ts';

/** The fixed-broadband section of every territory page (région, département, EPCI, commune). */
export function registerTerritorySection(ctx: AppContext) {
  ctx.territorySections.push(async (terr) => {
    const scope = await resolveScope(ctx.db, terr.niveau, terr.code);
    const series = await seriesFor(ctx.db, scope);
    if (!series.length) return null;
    const targets = await targetsFor(ctx.db, scope, series);
    const p = await periodsOf(ctx, 'toutes');
    let ranks: Html = html``;
    if (terr.niveau === 'commune') {
      const lines: Html[] = [];
      for (const within of ['epci', 'departement'] as const) {
        for (const ind of ['ftth', 'thd'] as const) {
          const rk = await Q.communeRank(ctx.db, terr.code, within, ind, p);
          if (rk && rk.valeur !== null && rk.total) {
            lines.push(html`<li>${ind === 'ftth' ? `Taux FttH (${p.ftth})` : `Très haut débit ≥ 30 Mbit/s (${p.mci})`} : ${fmtPct(rk.valeur)}, ${rk.rang}${rk.rang === 1 ? 're' : 'e'} sur ${rk.total} communes ${within === 'epci' ? 'de l’EPCI' : 'du département'}.</li>`);
          }
        }
      }
      if (lines.length) ranks = html`<h3 class="fr-h6">Place dans l’EPCI et le département</h3><ul>${lines}</ul>`;
    }
    const sTable = seriesTable(scope, p, series);
    const charts = (['taux_ftth', 'part_thd30', 'part_thd100'] as const).map((ind) => chartBlock({
      id: `graphique-territoire-${ind}`, indicateur: ind, points: pointsOf(series, ind), territoire: scope.nom,
      targets: targets.filter((x) => x.objectif.indicateur === ind), sources: series.filter((s) => s[ind] !== null).flatMap((s) => s.sources),
    }));
    const qs = new URLSearchParams({ niveau: scope.niveau, code: scope.code }).toString();
    return html`<section class="fr-mt-4w" aria-labelledby="observatoire-fixe"><h2 id="observatoire-fixe">Haut et très haut débit fixe</h2>
      ${keyFiguresOf(series, scope)}
      ${ranks}
      ${targetsTable(targets, `Objectifs applicables à ${scope.nom}`)}
      ${charts}
      ${renderTable(sTable)}
      ${downloads('/observatoire/donnees', qs, [{ table: 'series', label: 'Évolution' }, { table: 'objectifs', label: 'Objectifs' }])}
      <p class="fr-text--sm">${terr.niveau !== 'commune' ? html`<a href="/observatoire?${qs}">Tableau de bord de l’observatoire pour ${scope.nom}</a> · ` : ''}API : <a href="/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}">/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}</a></p>
    </section>`;
  });
}
