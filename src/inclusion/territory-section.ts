import type { AppContext, TerritorySection } from '../context.ts';
import { fmtInt, fmtPct, formatDate, type Html, html } from '../http/html.ts';
import { sourcesBlock } from '../http/sources.ts';
import { INDICATOR_CATEGORIES } from './accessibility.ts';
import { IFN_COMPONENTS } from './ifn-job.ts';
import * as Q from './queries.ts';
import { placeCitations } from './routes.ts';
import { CATEGORIES, type Categorie } from './vocab.ts';

const SHOWN = 10;

/** On every territory page: its inclusion places by category (counts, the first places, a link to the filtered list). */
export function inclusionTerritorySection(ctx: AppContext): TerritorySection {
  return async (t) => {
    const filter = { niveau: t.niveau, code: t.code };
    const counts = await Q.categoryCounts(ctx.db, filter);
    const access = await accessibilityBlock(ctx, t);
    const ifn = await ifnBlock(ctx, t);
    if (!counts.length && !access && !ifn) return null;
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
    ${blocks.length ? blocks : html`<p>Aucun lieu importé dans ce territoire.</p>`}
    ${sourcesBlock(placeCitations(await Q.sourceFiles(ctx.db)))}
    ${access ?? ''}
    ${ifn ?? ''}`;
  };
}

const km = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`);
const METHODE: Record<string, string> = {
  adresses: 'la population de chaque commune est répartie également sur ses points adresse',
  'point-contour':
    'la population de chaque commune est placée en un point intérieur à son contour (pas d’adresses importées)',
  mixte: 'selon les communes, sur leurs points adresse ou en un point intérieur à leur contour',
  'non-calcule': 'ni adresses ni contour importés : distances non calculées',
};
const CAT_LABEL: Record<string, string> = { tous: 'Tous les lieux', ...CATEGORIES };

/** The accessibility indicators of the territory, when computed. */
async function accessibilityBlock(
  ctx: AppContext,
  t: { niveau: 'region' | 'departement' | 'epci' | 'commune'; code: string; nom: string },
): Promise<Html | null> {
  const a = await Q.accessibilityOf(ctx.db, t.niveau, t.code);
  if (!a) return null;
  const rows = INDICATOR_CATEGORIES.map((c) => [c, a.indicators.find((i) => i.categorie === c)] as const).filter(
    (x) => x[1],
  );
  return html`<h3 class="fr-mt-3w" id="accessibilite">Accessibilité : distance au lieu le plus proche</h3>
  <div class="fr-table"><table><caption>Indicateurs d’accessibilité — ${t.nom}, calculés le ${formatDate(a.calcule_le)}</caption>
  <thead><tr><th scope="col">Catégorie</th><th scope="col" class="pan-num">Lieux</th><th scope="col" class="pan-num">Pour 10 000 hab.</th><th scope="col" class="pan-num">Distance moyenne</th><th scope="col" class="pan-num">Distance médiane</th><th scope="col" class="pan-num">Population à plus de 5 km</th><th scope="col" class="pan-num">à plus de 10 km</th><th scope="col" class="pan-num">à plus de 20 km</th>${t.niveau === 'commune' ? html`<th scope="col">Lieu le plus proche</th>` : ''}</tr></thead>
  <tbody>${rows.map(([c, i]) => {
    const near = a.nearest.find((n) => n.categorie === c);
    return html`<tr><th scope="row">${CAT_LABEL[c] ?? c}</th><td class="pan-num">${fmtInt(i!.lieux)}</td><td class="pan-num">${i!.lieux_pour_10000_hab === null ? '—' : i!.lieux_pour_10000_hab.toLocaleString('fr-FR', { maximumFractionDigits: 2 })}</td><td class="pan-num">${km(i!.distance_moyenne_km)}</td><td class="pan-num">${km(i!.distance_mediane_km)}</td><td class="pan-num">${fmtPct(i!.part_population_plus_5km)}</td><td class="pan-num">${fmtPct(i!.part_population_plus_10km)}</td><td class="pan-num">${fmtPct(i!.part_population_plus_20km)}</td>${t.niveau === 'commune' ? html`<td>${near ? html`<a href="/inclusion/lieux/${near.lieu_id}">${near.nom}</a> (${km(near.distance_km)})` : '—'}</td>` : ''}</tr>`;
  })}</tbody></table></div>
  <p class="fr-text--sm">Méthode : distance à vol d’oiseau (grand cercle) de là où vivent les habitants au lieu le plus proche de la catégorie, où qu’il soit, moyenne et médiane pondérées par la population ; ${METHODE[a.methode] ?? a.methode}. Population : ${fmtInt(a.population)} habitants${a.communes_non_calculees ? `, dont ${fmtInt(a.population - a.population_calculee)} dans ${fmtInt(a.communes_non_calculees)} commune(s) non calculée(s), exclus des distances et des parts` : ''}. Les lieux pour 10 000 habitants comptent les lieux situés dans le territoire.</p>
  ${sourcesBlock([
    {
      producteur: 'Insee',
      jeu: 'Populations légales (via @etalab/decoupage-administratif)',
      licence: 'licence-ouverte-2.0',
    },
    ...(a.communes_contour
      ? [{ producteur: 'IGN', jeu: 'Admin Express (contours des communes)', licence: 'licence-ouverte-2.0' }]
      : []),
    ...(a.communes_adresses
      ? [
          {
            producteur: 'Base Adresse Nationale et adresses importées',
            jeu: 'points adresse',
            licence: 'licence-ouverte-2.0',
          },
        ]
      : []),
    ...placeCitations(await Q.sourceFiles(ctx.db)),
  ])}`;
}

const IFN_LABEL: Record<string, string> = {
  no_thd_coverage_rate: 'Absence de très haut débit fixe',
  no_4g_coverage_rate: 'Absence de couverture 4G',
  poverty_rate: 'Pauvreté',
  older_65_rate: 'Part des 65 ans et plus',
  nscol15p_rate: 'Part des 15 ans et plus non scolarisés sans diplôme',
};
const note = (v: number) => v.toLocaleString('fr-FR', { maximumFractionDigits: 1 });

/** The territory's indice de fragilité numérique (published for communes and EPCI, population-weighted above). */
async function ifnBlock(
  ctx: AppContext,
  t: { niveau: 'region' | 'departement' | 'epci' | 'commune'; code: string; nom: string },
): Promise<Html | null> {
  const i = await Q.ifnOf(ctx.db, t.niveau, t.code);
  if (!i) return null;
  const aggregated = t.niveau === 'departement' || t.niveau === 'region';
  return html`<h3 class="fr-mt-3w" id="ifn">Indice de fragilité numérique : ${note(i.total)} / 10</h3>
  <div class="fr-table"><table><caption>Indice de fragilité numérique — ${t.nom} (notes de 0 à 10, plus haut : plus fragile)</caption>
  <thead><tr><th scope="col">Composante</th><th scope="col" class="pan-num">Note</th></tr></thead>
  <tbody>${IFN_COMPONENTS.map((k) => html`<tr><th scope="row">${IFN_LABEL[k]}</th><td class="pan-num">${note(i[k])}</td></tr>`)}
  <tr><th scope="row">Indice (moyenne des cinq notes)</th><td class="pan-num">${note(i.total)}</td></tr></tbody></table></div>
  <p class="fr-text--sm">${aggregated ? `Moyenne des notes de ses ${fmtInt(i.communes ?? 0)} communes notées, pondérée par leur population (${fmtInt(i.population ?? 0)} habitants).` : i.code_publie !== i.code ? `Note publiée pour le code ${i.code_publie}, ramené à la commune d’aujourd’hui.` : 'Note publiée pour ce territoire.'} Millésime 2023 (géographie 2023 environ) ; sources et millésimes des composantes non précisés par le fichier.</p>
  ${sourcesBlock([
    {
      producteur: 'ANCT — Société numérique (tableau de bord de l’inclusion numérique)',
      jeu: 'Indice de fragilité numérique',
      fichier: i.fichier,
      donneesAu: '2023',
      importeLe: i.importe_le,
      licence: 'licence-ouverte-2.0',
    },
  ])}`;
}
