import type { AppContext } from '../context.ts';
import { fmtPct, type Html, html } from '../http/html.ts';
import { chartsOf, keyFiguresOf } from './dashboard-views.ts';
import { periodsOf, seriesTable } from './presenter.ts';
import * as Q from './queries.ts';
import { PERIMETRE_LABEL, type PerimetreMci, resolveScope, seriesFor } from './service.ts';
import { renderTable } from './tables.ts';
import { freshness, targetsFor } from './targets.ts';
import { downloads, sourcesOf, targetsTable } from './views.ts';

const ordinal = (n: number) => `${n}${n === 1 ? 're' : 'e'}`;

/** "1re ex æquo (13 communes à 100 %)": a rank says how many communes share the value. */
function rankText(rk: { rang: number; total: number; ex_aequo: number; valeur: number }, within: string): string {
  const tie = rk.ex_aequo > 1 ? ` ex æquo (${rk.ex_aequo} communes à ${fmtPct(rk.valeur)})` : '';
  return `${fmtPct(rk.valeur)}, ${ordinal(rk.rang)}${tie} sur ${rk.total} communes ${within}`;
}

/** The fixed-broadband section of every territory page (région, département, EPCI, commune). */
export function registerTerritorySection(ctx: AppContext) {
  ctx.territorySections.push(async (terr) => {
    const scope = await resolveScope(ctx.db, terr.niveau, terr.code);
    const imported = await Q.importedPerimetres(ctx.db);
    const perimetre = !imported.length || imported.includes('toutes') ? 'toutes' : imported[0]!;
    const series = await seriesFor(ctx.db, scope, perimetre);
    if (!series.length) return null;
    const f = freshness(ctx.config.obsMaxAgeMonths);
    const targets = await targetsFor(ctx.db, scope, f);
    const p = await periodsOf(ctx, perimetre);
    let ranks: Html = html``;
    if (terr.niveau === 'commune') {
      const lines: Html[] = [];
      for (const within of ['epci', 'departement'] as const) {
        for (const ind of ['ftth', 'thd100'] as const) {
          const rk = await Q.communeRank(ctx.db, terr.code, within, ind, p);
          if (rk && rk.valeur !== null && rk.total) {
            const label =
              ind === 'ftth'
                ? `Taux FttH (${p.ftth})`
                : `Locaux à 100 Mbit/s ou plus, ${PERIMETRE_LABEL[perimetre as PerimetreMci]} (${p.mci})`;
            lines.push(
              html`<li>${label} : ${rankText({ ...rk, valeur: rk.valeur }, within === 'epci' ? 'de l’EPCI' : 'du département')}.</li>`,
            );
          }
        }
      }
      if (lines.length) ranks = html`<h3 class="fr-h6">Place dans l’EPCI et le département</h3><ul>${lines}</ul>`;
    }
    const epciNote = terr.niveau === 'epci' ? await straddleNote(ctx, terr.code) : '';
    const sTable = seriesTable(scope, p, series);
    const charts = chartsOf({
      idPrefix: 'graphique-territoire-',
      indicateurs: ['taux_ftth', 'part_thd100', 'part_thd30'],
      series,
      targets,
      territoire: scope.nom,
      perimetre,
      f,
    });
    const qs = new URLSearchParams({ niveau: scope.niveau, code: scope.code }).toString();
    return html`<section class="fr-mt-4w" aria-labelledby="observatoire-fixe"><h2 id="observatoire-fixe">Haut et très haut débit fixe</h2>
      ${epciNote ? html`<p class="fr-text--sm">${epciNote}</p>` : ''}
      ${keyFiguresOf(series, scope, f)}
      ${ranks}
      ${targetsTable(targets, `Objectifs applicables à ${scope.nom}`, f.maxAgeMonths)}
      ${charts}
      ${renderTable(sTable)}${sourcesOf(series)}
      ${downloads('/observatoire/donnees', qs, [
        { table: 'series', label: 'Évolution' },
        { table: 'objectifs', label: 'Objectifs' },
      ])}
      <p class="fr-text--sm">${terr.niveau !== 'commune' ? html`<a href="/observatoire?${qs}">Tableau de bord de l’observatoire pour ${scope.nom}</a> · ` : ''}API : <a href="/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}">/api/v1/observatoire/fixe/${scope.niveau}/${scope.code}</a></p>
    </section>`;
  });
}

/** An EPCI's figures cover the whole EPCI: when it straddles régions, the page says so. */
async function straddleNote(ctx: AppContext, epci: string): Promise<string> {
  const rows = await Q.epciRegions(ctx.db, epci);
  if (rows.length < 2) return '';
  return `Chiffres de l’EPCI entier, à cheval sur ${rows.length} régions (${rows.map((r) => `${r.communes} communes en ${r.nom}`).join(', ')}) : ils ne sont pas comparés aux totaux d’une seule région.`;
}
