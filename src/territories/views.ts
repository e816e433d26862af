import { type SvgShape, svgMap } from '../geo/svg.ts';
import { fmtInt, type Html, html } from '../http/html.ts';
import { type Pager, pagination, rangeLabel } from '../http/pagination.ts';
import { type Citation, sourcesBlock } from '../http/sources.ts';
import type { Figures } from './queries.ts';
import { NIVEAU_LABEL, type Niveau, type Parent } from './schema.ts';
import type { TerritoryDetail } from './service.ts';

export const territoryHref = (niveau: Niveau, code: string) => `/territoires/${niveau}/${encodeURIComponent(code)}`;

export function searchForm(q = '', id = 'recherche-territoire', example = ''): Html {
  return html`<form role="search" action="/territoires/recherche" method="get" class="fr-mb-4w">
  <div class="fr-search-bar fr-search-bar--lg" id="${id}">
    <label class="fr-label" for="${id}-input">Rechercher un territoire (nom, code INSEE, code postal ou SIREN)</label>
    <input class="fr-input" placeholder="${example}" type="search" id="${id}-input" name="q" value="${q}" autocomplete="off" maxlength="100" required>
    <button class="fr-btn" type="submit" title="Rechercher">Rechercher</button>
  </div>
</form>`;
}

export function keyFigures(items: { label: string; value: string; hint?: string }[]): Html {
  return html`<ul class="fr-grid-row fr-grid-row--gutters pan-chiffres" aria-label="Chiffres clés">
  ${items.map((i) => html`<li class="fr-col-6 fr-col-md-3"><div class="fr-tile fr-tile--sm"><div class="fr-tile__body"><p class="fr-tile__title pan-chiffre">${i.value}</p><p class="fr-tile__desc">${i.label}</p>${i.hint ? html`<p class="fr-tile__detail">${i.hint}</p>` : ''}</div></div></li>`)}
</ul>`;
}

/** The sources of the key figures of a territory: populations and the commune list (COG). */
export const POPULATION_CITATIONS: Citation[] = [
  {
    producteur: 'Insee',
    jeu: 'populations légales en vigueur au 1er janvier 2026 (population municipale)',
    licence: 'licence-ouverte-2.0',
    note: 'Via le paquet @etalab/decoupage-administratif.',
  },
  {
    producteur: 'Insee',
    jeu: 'Code officiel géographique 2026 (communes, EPCI, départements, régions)',
    licence: 'licence-ouverte-2.0',
  },
];

function parentsList(parents: Parent[]): Html {
  if (!parents.length) return html``;
  return html`<p class="fr-mb-2w">Rattachement : ${parents.map((p, i) => html`${i ? ' · ' : ''}<a href="${territoryHref(p.niveau, p.code)}">${NIVEAU_LABEL[p.niveau]} ${p.nom}</a>`)}</p>`;
}

export function codesTable(t: TerritoryDetail): Html {
  const rows: [string, string][] = [];
  if (t.niveau === 'epci')
    rows.push(
      ['SIREN', t.code],
      ['Nature juridique', t.epci?.type ?? '—'],
      ['Fiscalité', t.epci?.mode_financement ?? '—'],
    );
  else rows.push(['Code INSEE', t.code]);
  if (t.commune) {
    if (t.commune.siren) rows.push(['SIREN', t.commune.siren]);
    rows.push(['Codes postaux', t.commune.codes_postaux.join(', ') || '—']);
    if (t.commune.arrondissement) rows.push(['Arrondissement', t.commune.arrondissement]);
  }
  if (t.departement && t.niveau === 'departement' && t.departement.chef_lieu)
    rows.push(['Chef-lieu (code INSEE)', t.departement.chef_lieu]);
  return html`<div class="fr-table"><table><caption>Identifiants</caption><tbody>
  ${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table></div>`;
}

export function territoryHeader(t: TerritoryDetail, figures: Figures | null): Html {
  const figs: { label: string; value: string; hint?: string }[] = [
    {
      label: 'habitants',
      value: fmtInt(t.population === null ? null : Number(t.population)),
      hint: 'population municipale',
    },
  ];
  if (figures && t.niveau !== 'commune') {
    figs.push({ label: 'communes', value: fmtInt(figures.communes) });
    if (t.niveau !== 'epci')
      figs.push({
        label: 'EPCI à fiscalité propre',
        value: fmtInt(figures.epci),
        hint: 'ayant au moins une commune ici',
      });
    if (t.niveau === 'region' || (t.niveau === 'epci' && figures.departements > 1))
      figs.push({ label: 'départements', value: fmtInt(figures.departements) });
  }
  return html`<h1 class="fr-mt-2w">${t.nom} <span class="fr-badge fr-badge--info fr-badge--no-icon">${NIVEAU_LABEL[t.niveau]}</span></h1>
  ${t.ancienCode ? html`<div class="fr-notice fr-notice--info fr-mb-2w"><div class="fr-container"><div class="fr-notice__body"><p class="fr-notice__title">Le code ${t.ancienCode} est un ancien code : il désigne aujourd’hui la commune ${t.nom} (${t.code}).</p></div></div></div>` : ''}
  ${parentsList(t.parents)}
  ${keyFigures(figs)}
  ${sourcesBlock(POPULATION_CITATIONS)}`;
}

export function mapOrTable(shapes: SvgShape[], t: TerritoryDetail): Html {
  if (!shapes.length) {
    return html`<p class="fr-text--sm">Aucun contour n’a été importé pour ce territoire : la carte n’est pas disponible. Les informations sont données dans les tableaux.</p>`;
  }
  return html`<figure class="fr-content-media pan-figure" role="group" aria-label="Carte de ${t.nom}">
  ${svgMap(shapes, { id: 'carte-territoire', title: `Carte de ${t.nom}`, description: t.niveau === 'commune' ? `Contour de la commune ${t.nom}${shapes.length > 1 ? `, en couleur soutenue, parmi les autres communes de son EPCI` : ''}.` : `Contours des ${shapes.length} communes de ${t.nom} dont le contour est connu ; la liste des communes est donnée dans le tableau.`, width: 560 })}
  <figcaption class="fr-content-media__caption">Contours IGN Admin Express (Licence Ouverte), simplifiés pour l’affichage.</figcaption>
</figure>`;
}

export function communeTable(
  caption: string,
  items: { code: string; nom: string; population: number | null }[],
  total: number,
  paging?: { pager: Pager; hrefOf: (n: number) => string },
): Html {
  const id = paging ? 'communes' : undefined;
  return html`<div class="fr-table"${id ? html` id="${id}"` : ''}><table>
  <caption>${caption} (${fmtInt(total)})${paging && paging.pager.pages > 1 ? html` — ${rangeLabel(paging.pager)}, par ordre alphabétique` : ''}</caption>
  <thead><tr><th scope="col">Commune</th><th scope="col">Code INSEE</th><th scope="col" class="pan-num">Population</th></tr></thead>
  <tbody>${items.map((c) => html`<tr><td><a href="${territoryHref('commune', c.code)}">${c.nom}</a></td><td>${c.code}</td><td class="pan-num">${fmtInt(c.population)}</td></tr>`)}</tbody>
</table></div>${paging ? pagination(paging.pager, paging.hrefOf, caption.toLowerCase()) : ''}`;
}
