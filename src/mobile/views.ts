import { type SvgShape, svgMap } from '../geo/svg.ts';
import { fmtDay, type Html, html } from '../http/html.ts';
import { type Citation, sourcesBlock } from '../http/sources.ts';
import type { TableDef } from '../observatory/tables.ts';
import { territoryHref } from '../territories/views.ts';
import { MODEL } from './indicators.ts';
import { MIN_PUBLISHED } from './measures.ts';
import type { ReferenceRow, Snapshot } from './queries.ts';
import type { Counts, Indicator, Indicators, SeriesPoint } from './service.ts';
import { OPERATEUR_LABEL, OPERATEURS, type Operateur } from './vocab.ts';

const SOURCE_LABEL = 'Arcep, Mon réseau mobile : liste des sites mobiles';
const LICENCE = 'Licence Ouverte 2.0';

export const METHOD = html`<p class="fr-text--sm">Méthode : un site est une ligne de la liste des sites mobiles publiée par l’Arcep (un émetteur déclaré par un opérateur) ; un pylône partagé par deux opérateurs compte une fois pour chacun, et le total est la somme des opérateurs. Chaque site est placé dans la commune dont le contour (IGN Admin Express) contient ses coordonnées, rattachée au découpage communal en vigueur ; sans contour, le code commune du fichier est retenu. Un site à quelques centaines de mètres d’une limite peut tomber dans la commune voisine selon la précision des contours. Ce sont des sites déclarés, pas une mesure de la couverture.</p>`;

export function citationOf(s: Snapshot): Citation {
  return {
    producteur: 'Arcep',
    jeu: 'Mon réseau mobile, liste des sites mobiles',
    fichier: s.fichier,
    donneesAu: s.date,
    importeLe: s.importe_le,
    licence: 'licence-ouverte-2.0',
    note:
      s.operateurs.length < OPERATEURS.length
        ? `Ce fichier ne couvre que : ${s.operateurs.map((o) => OPERATEUR_LABEL[o as Operateur] ?? o).join(', ')}.`
        : null,
  };
}

const COUNT_COLUMNS = [
  { key: 'sites', label: 'Sites', kind: 'int' as const },
  { key: 'sites_2g', label: '2G', kind: 'int' as const },
  { key: 'sites_3g', label: '3G', kind: 'int' as const },
  { key: 'sites_4g', label: '4G', kind: 'int' as const },
  { key: 'sites_5g', label: '5G', kind: 'int' as const },
];

/** One territory's latest snapshot: one row per operator the file covers, then the total. */
export function operatorTable(p: SeriesPoint, territoire: string, population: number | null): TableDef {
  const per10k = (c: Counts) => (population ? Math.round((c.sites_4g * 100_000) / population) / 10 : null);
  const rows: Record<string, unknown>[] = OPERATEURS.filter((o) => p.operateurs[o]).map((o) => ({
    operateur: OPERATEUR_LABEL[o],
    ...p.operateurs[o],
    par_10000: per10k(p.operateurs[o]!),
  }));
  rows.push({ operateur: 'Total (somme des opérateurs)', ...p.total, par_10000: per10k(p.total) });
  return {
    key: 'operateurs',
    titre: `Sites mobiles par opérateur et génération, ${territoire}, au ${fmtDay(p.date)}`,
    columns: [
      { key: 'operateur', label: 'Opérateur', kind: 'text' },
      ...COUNT_COLUMNS,
      { key: 'par_10000', label: 'Sites 4G pour 10 000 habitants', kind: 'num' },
    ],
    rows,
    source: SOURCE_LABEL,
    licence: LICENCE,
  };
}

/** Every snapshot of a territory: sites and 4G sites per operator, and the total. */
export function historyTable(series: SeriesPoint[], territoire: string): TableDef {
  return {
    key: 'historique',
    titre: `Évolution des sites mobiles, ${territoire} : sites et sites 4G par opérateur à chaque relevé`,
    columns: [
      { key: 'date', label: 'Relevé', kind: 'date' },
      ...OPERATEURS.flatMap((o) => [
        { key: `${o}_sites`, label: `${OPERATEUR_LABEL[o]} : sites`, kind: 'int' as const },
        { key: `${o}_4g`, label: `${OPERATEUR_LABEL[o]} : 4G`, kind: 'int' as const },
      ]),
      { key: 'total_sites', label: 'Total : sites', kind: 'int' },
      { key: 'total_4g', label: 'Total : 4G', kind: 'int' },
      { key: 'total_5g', label: 'Total : 5G', kind: 'int' },
    ],
    rows: series.map((s) => {
      const r: Record<string, unknown> = {
        date: s.date,
        total_sites: s.total.sites,
        total_4g: s.total.sites_4g,
        total_5g: s.total.sites_5g,
      };
      for (const o of OPERATEURS) {
        r[`${o}_sites`] = s.operateurs[o]?.sites ?? null;
        r[`${o}_4g`] = s.operateurs[o]?.sites_4g ?? null;
      }
      return r;
    }),
    source: SOURCE_LABEL,
    licence: LICENCE,
  };
}

type DepRow = { code: string; nom: string; operateurs: Partial<Record<Operateur, Counts>> };

/** Per département, for one operator (or the sum of those the file covers): sites by generation. */
export function departementTableOf(
  deps: DepRow[],
  operateur: Operateur | 'total',
  snap: Snapshot,
  region: string,
): TableDef {
  const label = operateur === 'total' ? 'Tous opérateurs (somme)' : OPERATEUR_LABEL[operateur];
  const covered = snap.operateurs.filter((o): o is Operateur => o in OPERATEUR_LABEL);
  return {
    key: operateur === 'total' ? 'departements' : `departements-${operateur}`,
    titre: `${label} : sites mobiles par département de ${region} et par génération, au ${fmtDay(snap.date)}`,
    columns: [
      { key: 'nom', label: 'Département', kind: 'link', href: (r) => territoryHref('departement', String(r.code)) },
      { key: 'code', label: 'Code', kind: 'text' },
      ...COUNT_COLUMNS,
    ],
    rows: deps.map((d) => {
      const zero = { sites: 0, sites_2g: 0, sites_3g: 0, sites_4g: 0, sites_5g: 0 };
      const list =
        operateur === 'total' ? covered.map((o) => d.operateurs[o] ?? zero) : [d.operateurs[operateur] ?? zero];
      const sum = { ...zero };
      for (const c of list) for (const k of Object.keys(zero) as (keyof Counts)[]) sum[k] += c[k];
      return { nom: d.nom, code: d.code, ...sum };
    }),
    source: SOURCE_LABEL,
    licence: LICENCE,
  };
}

/** Flat rows for the département download: one line per département and operator. */
export function departementLongTable(deps: DepRow[], snap: Snapshot, region: string): TableDef {
  const covered = OPERATEURS.filter((o) => snap.operateurs.includes(o));
  return {
    key: 'departements',
    titre: `Sites mobiles par département de ${region}, opérateur et génération, au ${snap.date}`,
    columns: [
      { key: 'date', label: 'date', kind: 'text' },
      { key: 'departement', label: 'departement', kind: 'text' },
      { key: 'nom', label: 'nom', kind: 'text' },
      { key: 'operateur', label: 'operateur', kind: 'text' },
      { key: 'sites', label: 'sites', kind: 'int' },
      { key: 'sites_2g', label: 'sites_2g', kind: 'int' },
      { key: 'sites_3g', label: 'sites_3g', kind: 'int' },
      { key: 'sites_4g', label: 'sites_4g', kind: 'int' },
      { key: 'sites_5g', label: 'sites_5g', kind: 'int' },
    ],
    rows: deps.flatMap((d) =>
      covered.map((o) => ({
        date: snap.date,
        departement: d.code,
        nom: d.nom,
        operateur: o,
        ...(d.operateurs[o] ?? { sites: 0, sites_2g: 0, sites_3g: 0, sites_4g: 0, sites_5g: 0 }),
      })),
    ),
    source: SOURCE_LABEL,
    licence: LICENCE,
  };
}

/** Key figures of one snapshot for a territory, each tile with what it counts. */
export function keyFigures(p: SeriesPoint, snap: Snapshot, territoire: string): Html {
  const tiles: { v: number; l: string }[] = [
    { v: p.total.sites, l: 'sites mobiles (somme des opérateurs)' },
    { v: p.total.sites_4g, l: 'sites 4G' },
    ...(snap.format === 'trimestriel' ? [{ v: p.total.sites_5g, l: 'sites 5G' }] : []),
    ...OPERATEURS.filter((o) => p.operateurs[o]).map((o) => ({
      v: p.operateurs[o]!.sites_4g,
      l: `sites 4G ${OPERATEUR_LABEL[o]}`,
    })),
  ];
  return html`<p class="fr-text--sm fr-mb-1w">${territoire}, relevé au ${fmtDay(snap.date)} :</p>
  <ul class="fr-grid-row fr-grid-row--gutters pan-chiffres">${tiles.map(
    (t) =>
      html`<li class="fr-col-6 fr-col-md-3"><p class="fr-h4 fr-mb-0">${t.v.toLocaleString('fr-FR')}</p><p class="fr-text--sm">${t.l}</p></li>`,
  )}</ul>${sourcesBlock([citationOf(snap)])}`;
}

/** Mon réseau mobile's national figures (metropolitan France), the reference beside the regional ones. */
export function referenceTable(rows: (ReferenceRow & { importe_le: string })[]): Html {
  const first = rows[0];
  if (!first) return html``;
  const byOp = OPERATEURS.map((o) => rows.find((r) => r.operateur === o)).filter((r) => r !== undefined);
  const n = (v: number | null, d = 0) =>
    v === null ? '—' : v.toLocaleString('fr-FR', { maximumFractionDigits: d, minimumFractionDigits: d });
  return html`<div class="fr-table fr-table--sm"><table><caption>Référence nationale (France métropolitaine, ${first.millesime}) : couverture 4G déclarée, débits moyens mesurés par l’Arcep et sites 5G par bande</caption>
  <thead><tr><th scope="col">Opérateur</th><th scope="col" class="pan-num">Population couverte en 4G (%)</th><th scope="col" class="pan-num">Territoire couvert en 4G (%)</th><th scope="col" class="pan-num">Débit descendant moyen (Mbit/s)</th><th scope="col" class="pan-num">Débit montant moyen (Mbit/s)</th><th scope="col" class="pan-num">Sites 5G 700 MHz</th><th scope="col" class="pan-num">Sites 5G 2,1 GHz</th><th scope="col" class="pan-num">Sites 5G 3,5 GHz</th></tr></thead>
  <tbody>${byOp.map(
    (r) =>
      html`<tr><th scope="row">${OPERATEUR_LABEL[r.operateur as Operateur]}</th><td class="pan-num">${n(r.couv_4g_population)}</td><td class="pan-num">${n(r.couv_4g_territoire)}</td><td class="pan-num">${n(r.debit_descendant_mbps, 1)}</td><td class="pan-num">${n(r.debit_montant_mbps, 1)}</td><td class="pan-num">${n(r.sites_5g_700)}</td><td class="pan-num">${n(r.sites_5g_2100)}</td><td class="pan-num">${n(r.sites_5g_3500)}</td></tr>`,
  )}</tbody></table></div>
  <p class="fr-text--sm">Couverture : réseau propre de l’opérateur, selon les cartes qu’il publie et que l’Arcep vérifie ; débits : moyenne nationale des campagnes de mesure de l’Arcep, toutes zones. Chiffres nationaux, sans détail par commune : ils ne se comparent pas terme à terme au décompte régional des sites.</p>
  ${sourcesBlock([{ producteur: 'Arcep', jeu: 'Mon réseau mobile, statistiques nationales', fichier: first.fichier, donneesAu: first.millesime, importeLe: first.importe_le, licence: 'licence-ouverte-2.0' }])}`;
}

/** The indicators' rules, in French, beside every table that shows them. */
export const INDICATOR_METHOD = html`<p class="fr-text--sm">Méthode des indicateurs : sites pour 10 000 habitants rapportés à la population Insee des communes actuelles du territoire ; sites pour 100 km² rapportés à l’aire des contours de communes importés (IGN Admin Express, aire sur la sphère), pour les seuls sites de ces communes. Un <strong>site partagé</strong> a, dans le même relevé, un site d’un autre opérateur à ${MODEL.sharedRadiusM} m ou moins (même pylône ou même toit, à la précision des coordonnées publiées) ; il compte une fois par opérateur. Une <strong>commune sans 4G</strong> d’un opérateur n’a aucun de ses sites 4G sur son territoire ni à ${MODEL.nearKm} km ou moins de son centre (centre de gravité de son contour) ; au total : d’aucun opérateur.</p>
<p class="fr-text--sm"><strong>Population atteinte : estimation à partir des sites</strong>, pas la couverture publiée par l’Arcep. Modèle : la population d’une commune compte entière pour un opérateur si l’un de ses sites 4G est dans la commune, ou à ${fmtKm(MODEL.urbanKm)} km ou moins de son centre pour une commune urbaine (${MODEL.urbanDensity} habitants par km² ou plus), à ${fmtKm(MODEL.ruralKm)} km ou moins pour les autres ; sinon elle ne compte pas. Le modèle ignore le relief, la puissance et les bandes des émetteurs et la répartition des habitants dans la commune ; la couverture réelle se consulte sur Mon réseau mobile.</p>`;

function fmtKm(v: number): string {
  return v.toLocaleString('fr-FR');
}

/** One snapshot's indicators for a territory: one row per operator the file covers, then all operators. */
export function indicatorTable(ind: Indicators, territoire: string, date: string): TableDef {
  const row = (label: string, i: Indicator) => ({ operateur: label, ...i });
  return {
    key: 'indicateurs',
    titre: `Indicateurs par opérateur, ${territoire}, au ${fmtDay(date)} (population atteinte : estimation à partir des sites)`,
    columns: [
      { key: 'operateur', label: 'Opérateur', kind: 'text' },
      { key: 'sites_pour_10000_habitants', label: 'Sites pour 10 000 habitants', kind: 'num' },
      { key: 'sites_4g_pour_10000_habitants', label: 'Sites 4G pour 10 000 habitants', kind: 'num' },
      { key: 'sites_pour_100_km2', label: 'Sites pour 100 km²', kind: 'num' },
      { key: 'sites_4g_pour_100_km2', label: 'Sites 4G pour 100 km²', kind: 'num', exportOnly: true },
      { key: 'sites_partages', label: 'Sites partagés', kind: 'int' },
      { key: 'communes_sans_4g', label: `Communes sans 4G (ni dans la commune ni à ${MODEL.nearKm} km)`, kind: 'int' },
      {
        key: 'population_atteinte_4g_estimee',
        label: 'Population atteinte en 4G (estimation)',
        kind: 'int',
        exportOnly: true,
      },
      {
        key: 'part_population_atteinte_4g_estimee_pct',
        label: 'Part de la population atteinte en 4G, estimation (%)',
        kind: 'num',
      },
    ],
    rows: [
      ...OPERATEURS.filter((o) => ind.operateurs[o]).map((o) => row(OPERATEUR_LABEL[o], ind.operateurs[o]!)),
      row('Tous opérateurs (au moins un)', ind.total),
    ],
    source: `${SOURCE_LABEL} ; IGN Admin Express (contours) ; Insee (population)`,
    licence: LICENCE,
  };
}

const OPERATEUR_COLOR: Record<Operateur, string> = {
  orange: '#b34000',
  sfr: '#ce0500',
  bouygues: '#000091',
  free: '#3a3a3a',
};

/**
 * Sites per operator at each snapshot, as grouped bars: the full bar is the operator's sites, its darker lower
 * part its 4G sites. Server-rendered SVG with a title and description; the history table after it has the figures.
 */
export function seriesChart(series: SeriesPoint[], territoire: string, id: string): Html {
  if (!series.length) return html``;
  const W = 640;
  const H = 240;
  const [L, R, T, B] = [56, 8, 12, 40];
  const max = Math.max(1, ...series.flatMap((s) => OPERATEURS.map((o) => s.operateurs[o]?.sites ?? 0)));
  const group = (W - L - R) / series.length;
  const bar = Math.min(28, (group - 12) / OPERATEURS.length);
  const Y = (v: number) => T + (1 - v / max) * (H - T - B);
  const ticks = [0, 0.5, 1].map((k) => Math.round(k * max));
  const last = series[series.length - 1]!;
  return html`<figure class="fr-content-media pan-figure" role="group" aria-label="Sites par opérateur à chaque relevé, ${territoire}">
<svg class="pan-graphique" id="${id}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${id}-titre ${id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-titre">Sites mobiles par opérateur à chaque relevé, ${territoire} (dont sites 4G)</title>
<desc id="${id}-desc">${series.length} relevé${series.length > 1 ? 's' : ''} ; au ${fmtDay(last.date)} : ${OPERATEURS.filter(
    (o) => last.operateurs[o],
  )
    .map(
      (o) =>
        `${OPERATEUR_LABEL[o]} ${last.operateurs[o]!.sites.toLocaleString('fr-FR')} sites dont ${last.operateurs[o]!.sites_4g.toLocaleString('fr-FR')} en 4G`,
    )
    .join(', ')}. Valeurs détaillées dans le tableau « Évolution des sites mobiles ».</desc>
${ticks.map((v) => html`<line x1="${L}" x2="${W - R}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#ddd"/><text x="${L - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3a3a3a">${v.toLocaleString('fr-FR')}</text>`)}
${series.map((s, i) => {
  const x0 = L + i * group + (group - bar * OPERATEURS.length) / 2;
  return html`<text x="${(L + (i + 0.5) * group).toFixed(1)}" y="${H - B + 16}" text-anchor="middle" font-size="11" fill="#3a3a3a">${fmtDay(s.date)}</text>
${OPERATEURS.map((o, j) => {
  const c = s.operateurs[o];
  if (!c) return '';
  const x = (x0 + j * bar).toFixed(1);
  return html`<g><title>${OPERATEUR_LABEL[o]}, ${fmtDay(s.date)} : ${c.sites.toLocaleString('fr-FR')} sites dont ${c.sites_4g.toLocaleString('fr-FR')} en 4G</title><rect x="${x}" y="${Y(c.sites).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(Y(0) - Y(c.sites)).toFixed(1)}" fill="${OPERATEUR_COLOR[o]}" fill-opacity="0.35"/><rect x="${x}" y="${Y(c.sites_4g).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(Y(0) - Y(c.sites_4g)).toFixed(1)}" fill="${OPERATEUR_COLOR[o]}"/></g>`;
})}`;
})}
<line x1="${L}" x2="${W - R}" y1="${Y(0)}" y2="${Y(0)}" stroke="#666"/>
</svg>
<figcaption class="fr-content-media__caption">${OPERATEURS.map((o) => html`<span class="fr-mr-2w"><svg width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" fill="${OPERATEUR_COLOR[o]}"/></svg> ${OPERATEUR_LABEL[o]}</span>`)} Barre pleine : sites 4G ; barre claire : tous les sites de l’opérateur. Les chiffres sont dans le tableau qui suit.</figcaption>
</figure>`;
}

/** Fill of the communes by the operator's median download (published measurements), and of the site points. */
const MAP_CLASSES = { m0: '#f4bfb8', m1: '#fbe769', m2: '#9ef9be', mn: '#f6f6f6' } as const;
const MEASURE_LEGEND: [keyof typeof MAP_CLASSES, string][] = [
  ['m0', 'médiane sous 8 Mbit/s'],
  ['m1', 'de 8 à 30 Mbit/s'],
  ['m2', '30 Mbit/s ou plus'],
  ['mn', `moins de ${MIN_PUBLISHED} mesures`],
];
const measureClass = (v: number | null) => (v === null ? 'mn' : v < 8 ? 'm0' : v < 30 ? 'm1' : 'm2');

type MapCommune = SvgShape & { sites: number; mesures: number; mediane: number | null };

/** The sites of one operator and technology over the communes coloured by its measured median download. */
export function siteMapBlock(
  m: { communes: MapCommune[]; points: { lon: number; lat: number }[] },
  o: { territoire: string; operateur: Operateur; techno: string; date: string },
): Html {
  if (!m.communes.length)
    return html`<p class="fr-text--sm">Aucun contour de commune n’est importé pour ce territoire (import « contours ») : la carte n’est pas disponible.</p>`;
  const op = OPERATEUR_LABEL[o.operateur];
  const title = `Sites ${o.techno} ${op} et débits mesurés par commune, ${o.territoire}, au ${fmtDay(o.date)}`;
  return html`<figure class="fr-content-media pan-figure" role="group" aria-label="${title}">
  ${svgMap(
    m.communes.map((c) => ({
      code: c.code,
      nom: c.nom,
      geometrie: c.geometrie,
      cls: measureClass(c.mediane),
      label: `${c.nom} : ${c.sites} site${c.sites > 1 ? 's' : ''} ${o.techno}, ${c.mesures} mesure${c.mesures > 1 ? 's' : ''}${c.mediane === null ? '' : `, médiane ${c.mediane.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mbit/s`}`,
    })),
    {
      id: 'carte-sites',
      title,
      description: `${m.points.length} sites ${o.techno} ${op} (points) sur ${m.communes.length} communes colorées selon la médiane des débits descendants mesurés par les habitants. Les valeurs sont dans le tableau qui suit.`,
      width: 640,
      unitsPerPx: 1,
      tolerancePx: 2,
      classes: { ...MAP_CLASSES, site: OPERATEUR_COLOR[o.operateur] },
      points: m.points.map((p) => ({ ...p, cls: 'site' })),
    },
  )}
  <figcaption class="fr-content-media__caption"><span class="fr-mr-2w"><svg width="12" height="12" aria-hidden="true" focusable="false"><circle cx="6" cy="6" r="5" fill="${OPERATEUR_COLOR[o.operateur]}"/></svg> site ${o.techno} ${op}</span>${MEASURE_LEGEND.map(([k, l]) => html`<span class="fr-mr-2w"><svg width="12" height="12" aria-hidden="true" focusable="false"><rect width="12" height="12" fill="${MAP_CLASSES[k]}" stroke="#666"/></svg> ${l}</span>`)} Sites déclarés à l’Arcep, pas une carte de couverture. Contours IGN Admin Express (Licence Ouverte), simplifiés.</figcaption>
</figure>`;
}

/** The map's table twin: the communes with a site or a measurement. */
export function siteMapTable(
  communes: MapCommune[],
  o: { territoire: string; operateur: Operateur; techno: string; date: string },
): TableDef {
  return {
    key: 'carte-sites',
    titre: `Sites ${o.techno} ${OPERATEUR_LABEL[o.operateur]} et mesures par commune, ${o.territoire}, au ${fmtDay(o.date)} (communes ayant un site ou une mesure)`,
    columns: [
      { key: 'nom', label: 'Commune', kind: 'link', href: (r) => territoryHref('commune', String(r.code)) },
      { key: 'sites', label: `Sites ${o.techno}`, kind: 'int' },
      { key: 'mesures', label: 'Mesures publiées', kind: 'int' },
      { key: 'mediane', label: 'Débit descendant médian (Mbit/s)', kind: 'num' },
    ],
    rows: communes
      .filter((c) => c.sites || c.mesures)
      .map((c) => ({
        code: c.code,
        nom: c.nom,
        sites: c.sites,
        mesures: c.mesures,
        mediane: c.mediane === null ? null : Math.round(c.mediane * 10) / 10,
      })),
    source: `${SOURCE_LABEL} ; mesures participatives de la plateforme`,
    licence: LICENCE,
  };
}
