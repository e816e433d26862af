import type { AppContext, TerritorySection } from '../context.ts';
import { fmtDay, fmtInt, html } from '../http/html.ts';
import { aidesOpenTo } from './service.ts';

/** On every territory page: the funding aids open to it today (its own, its parents’ and the national ones). */
export function resourcesTerritorySection(ctx: AppContext): TerritorySection {
  return async (t) => {
    const res = await aidesOpenTo(ctx.db, t.niveau, t.code, 5);
    if (!res.total) return null;
    const href = `/ressources/aides?niveau=${t.niveau}&code=${encodeURIComponent(t.code)}`;
    return html`<h2 class="fr-mt-4w">Aides financières ouvertes à ce territoire</h2>
    <p>${fmtInt(res.total)} aides en cours (dont les aides de l’intercommunalité, du département, de la région et les aides nationales), importées d’Aides-territoires.</p>
    <ul>${res.items.map((a) => html`<li><a href="/ressources/aides/${a.id}">${a.nom}</a>${a.date_echeance ? ` — clôture le ${fmtDay(a.date_echeance)}` : ''}</li>`)}</ul>
    <p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="${href}">Toutes les aides ouvertes à ${t.nom}</a></p>`;
  };
}
