import type { AppContext, TerritorySection } from '../context.ts';
import { fmtInt, html } from '../http/html.ts';
import { sourcesBlock } from '../http/sources.ts';
import * as Q from './queries.ts';
import { indicator, PUBLICATION_THRESHOLD } from './service.ts';

/** On every territory page with respondents: the maturity indicator, or only its count below the threshold. */
export function maturiteTerritorySection(ctx: AppContext): TerritorySection {
  return async (t) => {
    const ind = await indicator(ctx.db, t.niveau, t.code);
    if (!ind.repondants) return null;
    const q = await Q.currentQuestionnaire(ctx.db);
    const dims = q ? await Q.dimensionsOf(ctx.db, q.id) : [];
    const more = html`<p><a class="fr-link" href="/ressources/maturite/indicateurs?niveau=${t.niveau}">Indicateurs de maturité numérique par ${t.niveau === 'epci' ? 'EPCI' : t.niveau}</a> · <a class="fr-link" href="/ressources/maturite">Faire l’autodiagnostic</a></p>`;
    if (!('dimensions' in ind))
      return html`<h2 class="fr-mt-4w">Maturité numérique</h2>
      <p>${fmtInt(ind.repondants)} structure${ind.repondants > 1 ? 's ont' : ' a'} répondu à l’autodiagnostic ou à une enquête importée : les scores ne sont publiés qu’à partir de ${PUBLICATION_THRESHOLD} répondants.</p>${more}`;
    return html`<h2 class="fr-mt-4w">Maturité numérique</h2>
    <div class="fr-table"><table><caption>Score moyen par dimension (0 à 100) des ${fmtInt(ind.repondants)} répondants, toutes campagnes</caption>
    <thead><tr><th scope="col">Dimension</th><th scope="col">Score moyen</th></tr></thead>
    <tbody>${dims.map((d) => html`<tr><th scope="row">${d.libelle}</th><td>${ind.dimensions[d.slug]?.score_moyen.toLocaleString('fr-FR') ?? '—'}</td></tr>`)}</tbody></table></div>
    ${sourcesBlock([
      {
        producteur: 'Observatoire de la maturité numérique (autodiagnostic de cette plateforme et enquêtes importées)',
        jeu: 'réponses anonymes au questionnaire',
        donneesAu: new Date().toISOString().slice(0, 10),
        licence: 'Licence Ouverte 2.0',
        note: 'Territoire de la commune du siège déclarée ; méthode de calcul sur la page des indicateurs.',
      },
    ])}${more}`;
  };
}
