import type { AppContext } from '../context.ts';
import { fmtInt, fmtPct, type Html, html } from '../http/html.ts';
import { LICENCE } from './presenter.ts';
import * as Q from './queries.ts';
import {
  INDICATEUR_COURT,
  type Indicateur,
  indicatorTitle,
  PERIMETRE_LABEL,
  type PerimetreMci,
  pointsOf,
  type Scope,
  type SeriesItem,
} from './service.ts';
import { communeHref, departementHref, epciHref, renderTable, type TableDef, type TablePaging } from './tables.ts';
import { datedBefore, dateFr, type Freshness, type TargetLine } from './targets.ts';
import { chartBlock, choropleth, datedBadge, sourcesOf } from './views.ts';

type FilterQuery = { perimetre: string };

type Tile = { label: string; value: string; hint: string; date: string };

/** Key figures: each tile says its technology scope in its title, its data date, and whether it is dated. */
function tiles(items: Tile[], datedBefore: string, maxAgeMonths: number): Html {
  return html`<ul class="fr-grid-row fr-grid-row--gutters pan-chiffres" aria-label="Chiffres clés">
  ${items.map((i) => html`<li class="fr-col-6 fr-col-md-3"><div class="fr-tile fr-tile--sm"><div class="fr-tile__body"><p class="fr-tile__title pan-chiffre">${i.value}</p><p class="fr-tile__desc">${i.label}</p><p class="fr-tile__detail">Données au ${dateFr(i.date)} · ${i.hint}</p>${i.date < datedBefore ? datedBadge(maxAgeMonths) : ''}</div></div></li>`)}
</ul>`;
}

export function keyFiguresOf(series: SeriesItem[], scope: Scope, f: Freshness): Html {
  const ftth = [...series].reverse().find((s) => s.jeu === 'arcep-deploiements');
  const withCommunes = [...series].reverse().find((s) => s.jeu === 'arcep-deploiements' && s.communes > 0);
  const m = [...series].reverse().find((s) => s.jeu === 'mci-communes');
  const items: Tile[] = [];
  if (ftth) {
    const origin = ftth.origine === 'arcep' ? 'total publié par l’Arcep' : 'somme des communes';
    items.push({
      label: 'locaux raccordables à la fibre (FttH)',
      value: fmtInt(ftth.locaux_raccordables),
      hint: `${ftth.periode}, observatoire Arcep, ${origin}`,
      date: ftth.date,
    });
    items.push({
      label: 'taux de couverture FttH',
      value: fmtPct(ftth.taux_ftth),
      date: ftth.date,
      hint:
        ftth.denominateur_taux_ftth === 'logements_insee'
          ? 'rapporté aux logements Insee'
          : ftth.denominateur_taux_ftth === 'locaux_arcep'
            ? `rapporté aux ${fmtInt(ftth.locaux)} locaux publiés par l’Arcep`
            : `rapporté à ${fmtInt(ftth.locaux)} locaux (logements + établissements, somme des communes)`,
    });
  }
  if (withCommunes && scope.niveau !== 'commune')
    items.push({
      label: 'communes entièrement / pas du tout couvertes en FttH',
      value: `${fmtInt(withCommunes.communes_ftth_completes)} / ${fmtInt(withCommunes.communes_ftth_nulles)}`,
      hint: `sur ${fmtInt(withCommunes.communes)} communes, ${withCommunes.periode}`,
      date: withCommunes.date,
    });
  if (m) {
    const sc = PERIMETRE_LABEL[m.perimetre as PerimetreMci] ?? m.perimetre;
    const src = 'Ma connexion internet';
    items.push({
      label: `des locaux à 100 Mbit/s ou plus, ${sc}`,
      value: fmtPct(m.part_thd100),
      hint: `${fmtInt(m.elig_thd100)} sur ${fmtInt(m.nbr)} locaux, ${src}`,
      date: m.date,
    });
    items.push({ label: `des locaux à 1 Gbit/s ou plus, ${sc}`, value: fmtPct(m.part_thd1g), hint: src, date: m.date });
    items.push({
      label: `des locaux en très haut débit (≥ 30 Mbit/s), ${sc}`,
      value: fmtPct(m.part_thd30),
      hint: m.perimetre === 'toutes' ? `${src} ; le satellite y est compté : ce n’est pas l’accès terrestre` : src,
      date: m.date,
    });
    items.push({
      label: `des locaux en bon haut débit (≥ 8 Mbit/s), ${sc}`,
      value: fmtPct(m.part_bhd8),
      hint: src,
      date: m.date,
    });
    if (scope.niveau !== 'commune')
      items.push({
        label: `communes entièrement / pas du tout en THD (≥ 30 Mbit/s), ${sc}`,
        value: `${fmtInt(m.communes_thd_completes)} / ${fmtInt(m.communes_thd_nulles)}`,
        hint: `sur ${fmtInt(m.communes)} communes, ${src}`,
        date: m.date,
      });
  }
  if (!items.length)
    return html`<p>Aucune donnée du haut et très haut débit fixe n’a encore été importée pour ce territoire.</p>`;
  const used = [ftth, withCommunes, m].filter((x): x is SeriesItem => x !== undefined);
  return html`${tiles(items, datedBefore(f), f.maxAgeMonths)}${sourcesOf(used)}`;
}

/** Filters offer only what has been imported: the technology scopes present, the indicators with data. */
export function filterForm(
  scope: Scope,
  depts: { code: string; nom: string }[],
  epcis: { code: string; nom: string }[],
  q: FilterQuery,
  indicateur: Indicateur,
  offer: { perimetres: string[]; indicateurs: Indicateur[]; trimestres: string[]; trimestre?: string },
): Html {
  const dSel =
    scope.niveau === 'departement' ? scope.code : (scope.parents.find((p) => p.niveau === 'departement')?.code ?? '');
  const eSel = scope.niveau === 'epci' ? scope.code : '';
  return html`<form method="get" action="/observatoire" class="fr-mb-4w pan-filtres">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer</legend>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-dep">Département</label>
    <select class="fr-select" id="f-dep" name="departement"><option value="">Toute la région</option>${depts.map((d) => html`<option value="${d.code}"${d.code === dSel ? html` selected` : ''}>${d.nom} (${d.code})</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-epci">EPCI (prioritaire sur le département)</label>
    <select class="fr-select" id="f-epci" name="epci"><option value="">—</option>${epcis.map((e) => html`<option value="${e.code}"${e.code === eSel ? html` selected` : ''}>${e.nom}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-ind">Indicateur de la carte</label>
    <select class="fr-select" id="f-ind" name="indicateur">${offer.indicateurs.map((i) => html`<option value="${i}"${i === indicateur ? html` selected` : ''}>${indicatorTitle(i, q.perimetre)}</option>`)}</select></div></div>
  ${
    offer.trimestres.length > 1
      ? html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-tri">Trimestre FttH des tableaux</label>
    <select class="fr-select" id="f-tri" name="trimestre">${offer.trimestres.map((x) => html`<option value="${x}"${x === offer.trimestre ? html` selected` : ''}>${x}</option>`)}</select></div></div>`
      : ''
  }
  ${
    offer.perimetres.length > 1
      ? html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-per">Technologies (Ma connexion internet)</label>
    <select class="fr-select" id="f-per" name="perimetre">${offer.perimetres.map((x) => html`<option value="${x}"${x === q.perimetre ? html` selected` : ''}>${PERIMETRE_LABEL[x as PerimetreMci] ?? x}</option>`)}</select></div></div>`
      : offer.perimetres.length
        ? html`<input type="hidden" name="perimetre" value="${offer.perimetres[0]!}"><p class="fr-fieldset__element fr-text--sm">Débits : ${PERIMETRE_LABEL[offer.perimetres[0] as PerimetreMci] ?? offer.perimetres[0]} (seul fichier de Ma connexion internet importé).</p>`
        : ''
  }
  <div class="fr-fieldset__element fr-fieldset__element--inline"><button class="fr-btn" type="submit">Afficher</button></div>
  </fieldset></form>`;
}

/** Map of the scope: EPCI (or départements) for a région, communes below. */
export async function mapOf(
  ctx: AppContext,
  scope: Scope,
  tables: Record<string, TableDef>,
  indicateur: Indicateur,
  p: { perimetre: string; ftthDate?: string; mciDate?: string },
  paging?: TablePaging,
): Promise<{ map: Html; table: Html }> {
  let level = 'commune';
  let rows = tables.communes?.rows ?? [];
  let label = 'Commune';
  let href = communeHref;
  if (scope.niveau === 'region' || scope.niveau === 'france') {
    const epciRows = tables.epci?.rows ?? [];
    const epciShapes =
      scope.niveau === 'region'
        ? await Q.shapesOf(
            ctx.db,
            'epci',
            epciRows.map((r) => String(r.code)),
          )
        : [];
    if (epciShapes.length) {
      level = 'epci';
      rows = epciRows;
      label = 'EPCI (chiffres de l’EPCI entier)';
      href = epciHref;
    } else {
      level = 'departement';
      rows = (tables.debits?.rows ?? []).filter((r) => !String(r.nom).startsWith('Total '));
      label = 'Département';
      href = departementHref;
    }
  }
  const shapes = await Q.shapesOf(
    ctx.db,
    level,
    rows.map((r) => String(r.code)),
  );
  const byCode = new Map(rows.map((r) => [String(r.code), r]));
  const mapShapes = shapes.map((s) => {
    const r = byCode.get(s.code);
    const v = (r?.[indicateur] ?? null) as number | null;
    return { code: s.code, nom: String(r?.nom ?? s.code), geometrie: s.geometrie as never, value: v };
  });
  const date = indicateur === 'taux_ftth' ? p.ftthDate : p.mciDate;
  const ind = indicatorTitle(indicateur, p.perimetre);
  const title = `${ind} par ${label.replace(/^[A-Z]/, (c) => (c === 'E' ? c : c.toLowerCase()))} — ${scope.nom}${date ? `, données au ${dateFr(date)}` : ''}`;
  const map = choropleth(mapShapes, {
    id: 'carte-observatoire',
    title,
    description: `Carte choroplèthe : ${mapShapes.length} territoires colorés selon l’indicateur, du plus clair (0 %) au plus foncé (100 %).`,
    indicateur: `${ind}${date ? ` (${dateFr(date)})` : ''}`,
  });
  const tdef: TableDef = {
    key: 'carte',
    titre: `${title} : données de la carte`,
    source: '',
    licence: LICENCE,
    columns: [
      { key: 'nom', label, kind: 'link', href },
      { key: 'code', label: 'Code', kind: 'text' },
      { key: indicateur, label: INDICATEUR_COURT[indicateur], kind: 'pct' },
    ],
    rows: [...rows].sort((a, b) => String(a.nom).localeCompare(String(b.nom), 'fr')),
  };
  // A link to page 2 of the table must land on it visible: the folded table opens when a page is asked.
  const open = paging && paging.page > 1 ? html` open` : '';
  return {
    map,
    table: html`<details class="fr-mb-4w"${open}><summary>Tableau des données de la carte (${fmtInt(rows.length)} lignes)</summary>${renderTable(tdef, paging ? { paging } : {})}</details>`,
  };
}

/**
 * One chart per indicator. A target is drawn on a chart only when it is measured on the chart's
 * technology scope; the others are named under it, not compared.
 */
export function chartsOf(o: {
  idPrefix: string;
  indicateurs: readonly Indicateur[];
  series: SeriesItem[];
  targets: TargetLine[];
  territoire: string;
  perimetre: string;
  f: Freshness;
}): Html[] {
  return o.indicateurs.map((ind) => {
    const mine = o.targets.filter((x) => x.objectif.indicateur === ind);
    const same = (x: TargetLine) => ind === 'taux_ftth' || x.objectif.perimetre === o.perimetre;
    return chartBlock({
      id: `${o.idPrefix}${ind}`,
      indicateur: ind,
      perimetre: o.perimetre,
      points: pointsOf(o.series, ind),
      territoire: o.territoire,
      targets: mine.filter(same),
      autres: mine.filter((x) => !same(x)),
      sources: o.series.filter((s) => s[ind] !== null),
      datedBefore: datedBefore(o.f),
      maxAgeMonths: o.f.maxAgeMonths,
    });
  });
}
