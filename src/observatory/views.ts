import { type SvgShape, svgMap } from '../geo/svg.ts';
import { fmtPct, formatDate, type Html, html, raw } from '../http/html.ts';
import { type Citation, sourcesBlock } from '../http/sources.ts';
import { type Indicateur, indicatorTitle, PERIMETRE_LABEL, type PerimetreMci, type SourceRef } from './service.ts';
import { dateFr, type TargetLine } from './targets.ts';

/** Sequential blues (ColorBrewer "Blues", readable by colour-blind users) + grey for "no data". */
const CLASSES: { min: number; max: number; color: string; label: string }[] = [
  { min: -Infinity, max: 0, color: '#f7fbff', label: '0 %' },
  { min: 0, max: 0.25, color: '#c6dbef', label: 'de 0 à 25 %' },
  { min: 0.25, max: 0.5, color: '#6baed6', label: 'de 25 à 50 %' },
  { min: 0.5, max: 0.8, color: '#2171b5', label: 'de 50 à 80 %' },
  { min: 0.8, max: 1, color: '#08519c', label: 'de 80 à 100 %' },
  { min: 1, max: Infinity, color: '#08306b', label: '100 % ou plus' },
];
const NO_DATA = '#bdbdbd';

function colorOf(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return NO_DATA;
  if (v <= 0) return CLASSES[0]!.color;
  if (v >= 1) return CLASSES[5]!.color;
  return CLASSES.find((c) => v > c.min && v <= c.max && c.min >= 0)?.color ?? CLASSES[1]!.color;
}

function legend(title: string): Html {
  return html`<div class="pan-legende" aria-hidden="true"><p class="fr-text--sm fr-mb-1v"><strong>${title}</strong></p>
  <ul class="pan-legende__liste">${CLASSES.map((c) => html`<li><span class="pan-legende__case" style="background:${c.color}"></span>${c.label}</li>`)}
  <li><span class="pan-legende__case" style="background:${NO_DATA}"></span>pas de donnée</li></ul></div>`;
}

/** The class of a value on the map: one short name per colour of CLASSES, `qn` for no data. */
function classOf(v: number | null | undefined): string {
  const c = colorOf(v);
  const i = CLASSES.findIndex((x) => x.color === c);
  return i < 0 ? 'qn' : `q${i}`;
}
const MAP_CLASSES: Record<string, string> = {
  ...Object.fromEntries(CLASSES.map((c, i) => [`q${i}`, c.color])),
  qn: NO_DATA,
};

export function choropleth(
  shapes: (SvgShape & { value: number | null })[],
  o: { id: string; title: string; description: string; indicateur: string },
): Html {
  if (!shapes.length)
    return html`<p class="fr-text--sm">Aucun contour n’a été importé pour ces territoires (import « contours ») : la carte n’est pas disponible ; les valeurs sont dans le tableau.</p>`;
  return html`<figure class="fr-content-media pan-figure" role="group" aria-label="${o.title}">
  ${svgMap(
    shapes.map((s) => ({
      ...s,
      cls: classOf(s.value),
      label: `${s.nom} : ${s.value === null ? 'pas de donnée' : fmtPct(s.value)}`,
    })),
    {
      id: o.id,
      title: o.title,
      description: o.description,
      width: 640,
      unitsPerPx: 1,
      tolerancePx: 2,
      classes: MAP_CLASSES,
    },
  )}
  <figcaption class="fr-content-media__caption">${legend(o.indicateur)}Contours IGN Admin Express (Licence Ouverte), simplifiés. Les valeurs de la carte sont données dans le tableau qui suit.</figcaption>
</figure>`;
}

const JEU_LABEL: Record<string, string> = {
  'arcep-deploiements': 'observatoire trimestriel des déploiements FttH',
  'mci-communes': 'Ma connexion internet, débits disponibles par commune',
};
/** « 2018 T1 » for a quarter, « 31 décembre 2022 » for a file's date. */
const periodLabel = (p: string) => (/^\d{4}-\d{2}-\d{2}$/.test(p) ? formatDate(p) : p.replace(/^(\d{4})-T/, '$1 T'));

/**
 * The citations of the figures built from these series points: one per file, with the periods it
 * gives (the same file often holds several quarters) and its import date, for the shared sources block.
 */
function citationsOf(items: readonly { jeu: string; periode: string; sources: SourceRef[] }[]): Citation[] {
  const byFile = new Map<string, { s: SourceRef; jeu: string; periodes: string[] }>();
  for (const it of items)
    for (const s of it.sources) {
      const k = `${it.jeu}|${s.fichier}`;
      const g = byFile.get(k) ?? { s, jeu: it.jeu, periodes: [] };
      if (!g.periodes.includes(it.periode)) g.periodes.push(it.periode);
      if (s.importe_le > g.s.importe_le) g.s = s;
      byFile.set(k, g);
    }
  return [...byFile.values()].map(({ s, jeu, periodes }) => {
    const sorted = [...periodes].sort();
    const first = sorted[0]!;
    const last = sorted.at(-1)!;
    return {
      producteur: s.producteur,
      jeu: JEU_LABEL[jeu] ?? jeu,
      fichier: s.fichier,
      donneesAu: /^\d{4}-T/.test(last) ? periodLabel(last) : last,
      importeLe: s.importe_le,
      licence: s.licence,
      note: sorted.length > 1 ? `Périodes de ${periodLabel(first)} à ${periodLabel(last)}.` : null,
    };
  });
}

/** The sources block under a figure, citing only the series points it is built from. */
export const sourcesOf = (items: readonly { jeu: string; periode: string; sources: SourceRef[] }[]) =>
  sourcesBlock(citationsOf(items));

type Point = { date: string; valeur: number; periode: string };

/** A DSFR badge saying the data is older than the configured age. */
export const datedBadge = (maxAgeMonths: number) =>
  html`<p class="fr-badge fr-badge--warning fr-badge--sm">Données de plus de ${maxAgeMonths} mois</p>`;

/** Rough width of an SVG label at font-size 11 (average glyph ≈ 6 px), to keep it inside the chart. */
const labelWidth = (s: string) => s.length * 6;

/**
 * Where a target label goes: ending at the deadline marker when it fits, otherwise moved (or
 * shortened, full text kept in its title) so that it never leaves the chart.
 */
export function placeLabel(
  text: string,
  xe: number,
  yt: number,
  o: { W: number; L: number; R: number; T: number },
): { x: number; y: number; anchor: 'start' | 'end'; text: string } {
  const max = o.W - o.L - o.R;
  const t = labelWidth(text) > max ? `${text.slice(0, Math.floor(max / 6) - 1)}…` : text;
  const w = labelWidth(t);
  const y = yt - 6 < o.T + 2 ? yt + 14 : yt - 6;
  if (xe - w >= o.L) return { x: xe, y, anchor: 'end', text: t };
  return { x: Math.min(Math.max(o.L, xe), o.W - o.R - w), y, anchor: 'start', text: t };
}
const t = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/**
 * A time-series chart rendered on the server (SVG, no JavaScript), with the targets as dashed
 * lines up to their deadline and the projected date; the same figures are in the table after it.
 */
function lineChart(o: { id: string; title: string; points: Point[]; targets: TargetLine[] }): Html {
  const W = 640;
  const H = 260;
  const L = 48;
  const R = 16;
  const T = 16;
  const B = 36;
  const dates = [
    ...o.points.map((p) => t(p.date)),
    ...o.targets.map((x) => t(x.objectif.echeance)),
    ...o.targets.flatMap((x) => (x.projection.date_projetee ? [t(x.projection.date_projetee)] : [])),
  ];
  if (!o.points.length) return html`<p class="fr-text--sm">Aucune mesure importée pour cet indicateur.</p>`;
  let x0 = Math.min(...dates);
  let x1 = Math.max(...dates);
  const y0Date = new Date(x0);
  // Each year is a band from 1 January to 1 January, labelled in its middle: a date sits in its own
  // year (2022-12-31 at the right end of 2022, not on a "2023" tick).
  x0 = Date.UTC(y0Date.getUTCFullYear(), 0, 1);
  x1 = Date.UTC(new Date(x1).getUTCFullYear() + 1, 0, 1);
  const ymax = Math.max(1, ...o.points.map((p) => p.valeur));
  const X = (ms: number) => L + ((ms - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v: number) => T + (1 - v / ymax) * (H - T - B);
  const yearsTicks: number[] = [];
  const y0 = new Date(x0).getUTCFullYear();
  const y1 = new Date(x1).getUTCFullYear();
  const step = Math.max(1, Math.ceil((y1 - y0) / 10));
  for (let y = y0; y < y1; y += step) yearsTicks.push(y);
  const path = o.points.map((p, i) => `${i ? 'L' : 'M'}${X(t(p.date)).toFixed(1)} ${Y(p.valeur).toFixed(1)}`).join('');
  const last = o.points[o.points.length - 1]!;
  return html`<svg class="pan-graphique" id="${o.id}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${o.id}-titre ${o.id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${o.id}-titre">${o.title}</title>
<desc id="${o.id}-desc">${o.points.length} mesure${o.points.length > 1 ? 's' : ''}, de ${o.points[0]!.periode} (${fmtPct(o.points[0]!.valeur)}) à ${last.periode} (${fmtPct(last.valeur)})${o.targets.length ? `; objectifs : ${o.targets.map((x) => `${fmtPct(x.objectif.cible)} en ${x.objectif.echeance.slice(0, 4)}`).join(', ')}` : ''}. Valeurs détaillées dans le tableau.</desc>
${[0, 0.25, 0.5, 0.75, 1].map((v) => html`<line x1="${L}" x2="${W - R}" y1="${Y(v * ymax).toFixed(1)}" y2="${Y(v * ymax).toFixed(1)}" stroke="#ddd"/><text x="${L - 6}" y="${(Y(v * ymax) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3a3a3a">${fmtPct(v * ymax)}</text>`)}
${[...yearsTicks, y1].map((y) => html`<line x1="${X(Date.UTC(y, 0, 1)).toFixed(1)}" x2="${X(Date.UTC(y, 0, 1)).toFixed(1)}" y1="${H - B}" y2="${H - B + 6}" stroke="#666"/>`)}
${yearsTicks.map((y) => html`<text class="pan-annee" data-debut="${X(Date.UTC(y, 0, 1)).toFixed(1)}" data-fin="${X(Date.UTC(y + 1, 0, 1)).toFixed(1)}" x="${X((Date.UTC(y, 0, 1) + Date.UTC(y + 1, 0, 1)) / 2).toFixed(1)}" y="${H - B + 16}" text-anchor="middle" font-size="11" fill="#3a3a3a">${y}</text>`)}
<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#666"/>
${o.targets.map((x, i) => {
  const yt = Y(x.objectif.cible).toFixed(1);
  const xe = X(t(x.objectif.echeance)).toFixed(1);
  const color = ['#ce0500', '#b34000', '#6e445a', '#466964'][i % 4]!;
  const proj =
    x.projection.date_projetee && (x.projection.statut === 'en_bonne_voie' || x.projection.statut === 'en_retard')
      ? html`<line x1="${X(t(last.date)).toFixed(1)}" y1="${Y(last.valeur).toFixed(1)}" x2="${X(t(x.projection.date_projetee)).toFixed(1)}" y2="${yt}" stroke="${color}" stroke-dasharray="2 3" stroke-width="1.5"><title>Projection (tendance, pas une mesure) : ${x.projection.message}</title></line>`
      : '';
  const lab = placeLabel(x.objectif.libelle, Number(xe), Number(yt), { W, L, R, T });
  return html`<line x1="${L}" x2="${xe}" y1="${yt}" y2="${yt}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.5"><title>Objectif « ${x.objectif.libelle} » : ${fmtPct(x.objectif.cible)} au ${dateFr(x.objectif.echeance)}</title></line>
<circle cx="${xe}" cy="${yt}" r="4" fill="${color}"/><text class="pan-objectif-libelle" x="${lab.x.toFixed(1)}" y="${lab.y.toFixed(1)}" text-anchor="${lab.anchor}" font-size="11" fill="${color}"><title>${x.objectif.libelle}</title>${lab.text}</text>${proj}`;
})}
<path d="${raw(path)}" fill="none" stroke="#000091" stroke-width="2"/>
${o.points.map((p) => html`<circle data-date="${p.date}" cx="${X(t(p.date)).toFixed(1)}" cy="${Y(p.valeur).toFixed(1)}" r="3.5" fill="#000091"><title>${p.periode} : ${fmtPct(p.valeur)}</title></circle>`)}
</svg>`;
}

export function chartBlock(o: {
  id: string;
  indicateur: Indicateur;
  perimetre: string;
  points: Point[];
  targets: TargetLine[];
  territoire: string;
  sources: { jeu: string; periode: string; sources: SourceRef[] }[];
  datedBefore: string;
  maxAgeMonths: number;
  autres?: TargetLine[];
}): Html {
  const first = o.points[0];
  const last = o.points.at(-1);
  const span = first && last ? ` (mesures du ${dateFr(first.date)} au ${dateFr(last.date)})` : '';
  const heading = indicatorTitle(o.indicateur, o.perimetre);
  const title = `${heading} — ${o.territoire}${span}`;
  return html`<section class="fr-mb-4w" aria-labelledby="${o.id}-h">
  <h3 id="${o.id}-h" class="fr-h5">${heading}${span}</h3>
  ${last && last.date < o.datedBefore ? datedBadge(o.maxAgeMonths) : ''}
  ${lineChart({ id: o.id, title, points: o.points, targets: o.targets })}
  ${
    o.points.length
      ? html`<div class="fr-table fr-table--sm"><table><caption>${title} : valeurs du graphique</caption>
  <thead><tr><th scope="col">Période</th><th scope="col" class="pan-num">Valeur</th></tr></thead>
  <tbody>${o.points.map((p) => html`<tr><td>${p.periode}</td><td class="pan-num">${fmtPct(p.valeur)}</td></tr>`)}</tbody></table></div>`
      : ''
  }
  ${o.autres?.length ? html`<p class="fr-text--sm">${o.autres.map((x) => html`Objectif « ${x.objectif.libelle} » : mesuré sur les technologies « ${PERIMETRE_LABEL[x.objectif.perimetre as PerimetreMci]} », il n’est pas comparé à cette courbe. `)}</p>` : ''}
  ${o.targets.length ? html`<ul class="fr-text--sm">${o.targets.map((x) => html`<li>Objectif « ${x.objectif.libelle} » (${x.objectif.strategie}) : ${fmtPct(x.objectif.cible)} au ${dateFr(x.objectif.echeance)}. ${x.projection.message}${x.projection.methode ? ` ${x.projection.methode}` : ''}</li>`)}</ul>` : ''}
  ${sourcesOf(o.sources)}
</section>`;
}

function currentCell(p: TargetLine['projection']): Html {
  if (p.statut === 'non_evaluable') {
    return html`<strong>non évaluable</strong>${p.valeur_proche ? html`<br><span class="fr-text--xs">${fmtPct(p.valeur_proche.valeur)} : ${p.valeur_proche.libelle}</span>` : ''}`;
  }
  return p.actuel === null ? html`—` : html`${fmtPct(p.actuel)}`;
}

/** Targets with the scope each is measured on, the date of the data, and an evaluation that never states a projection as fact. */
export function targetsTable(rows: TargetLine[], caption: string, maxAgeMonths: number): Html {
  if (!rows.length) return html`<p>Aucun objectif ne s’applique à ce territoire.</p>`;
  return html`<div class="fr-table"><table tabindex="0"><caption>${caption}</caption>
  <thead><tr><th scope="col">Objectif</th><th scope="col">Stratégie</th><th scope="col">Indicateur et technologies mesurées</th><th scope="col" class="pan-num">Cible</th><th scope="col">Échéance</th><th scope="col" class="pan-num">Valeur actuelle</th><th scope="col">Date des données</th><th scope="col" class="pan-num">Écart</th><th scope="col">Évaluation</th></tr></thead>
  <tbody>${rows.map(
    (
      x,
    ) => html`<tr><td>${x.objectif.libelle}</td><td>${x.objectif.strategie}</td><td>${indicatorTitle(x.objectif.indicateur as Indicateur, x.objectif.perimetre)}</td>
    <td class="pan-num">${fmtPct(x.objectif.cible)}</td><td>${dateFr(x.objectif.echeance)}</td>
    <td class="pan-num">${currentCell(x.projection)}</td>
    <td>${x.projection.date_mesure ? html`${dateFr(x.projection.date_mesure)}${x.projection.periode_actuelle && x.projection.periode_actuelle !== x.projection.date_mesure ? ` (${x.projection.periode_actuelle})` : ''}${x.projection.donnees_anciennes ? datedBadge(maxAgeMonths) : ''}` : '—'}</td>
    <td class="pan-num">${x.projection.ecart === null ? '—' : `${(x.projection.ecart * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} pts`}</td>
    <td>${x.projection.message}${x.projection.methode ? html`<br><span class="fr-text--xs">${x.projection.methode}</span>` : ''}</td></tr>`,
  )}</tbody></table></div>`;
}

export function downloads(base: string, qs: string, items: { table: string; label: string }[]): Html {
  const sep = qs ? `?${qs}` : '';
  return html`<ul class="fr-text--sm">${items.map((i) => html`<li>${i.label} : <a href="${base}/${i.table}.csv${sep}" download>CSV</a> · <a href="${base}/${i.table}.json${sep}">JSON</a></li>`)}</ul>`;
}
