import type { AppContext } from '../context.ts';
import { fmtInt, fmtPct, html, type Html } from '../http/html.ts';
import { keyFigures } from '../territories/views.ts';
import { LICENCE } from './presenter.ts';
import * as Q from './queries.ts';
import { INDICATEUR_COURT, INDICATEUR_LABEL, INDICATEURS, type Indicateur, type Scope, type SeriesItem, type SourceRef } from './service.ts';
import { communeHref, departementHref, epciHref, renderTable, type TableDef } from './tables.ts';
import { choropleth, sourcesLine } from './views.ts';

export type FilterQuery = { perimetre: string };

export function keyFiguresOf(series: SeriesItem[], scope: Scope): Html {
  const f = [...series].reverse().find((s) => s.jeu === 'arcep-deploiements');
  const m = [...series].reverse().find((s) => s.jeu === 'mci-communes');
  const items: { label: string; value: string; hint?: string }[] = [];
  if (f) {
    items.push({ label: 'locaux raccordables à la fibre (FttH)', value: fmtInt(f.locaux_raccordables), hint: `${f.periode}, observatoire Arcep` });
    items.push({ label: 'taux de couverture FttH', value: fmtPct(f.taux_ftth), hint: f.denominateur_taux_ftth === 'logements_insee' ? 'rapporté aux logements Insee' : `rapporté à ${fmtInt(f.locaux)} locaux (logements + établissements)` });
    if (scope.niveau !== 'commune') items.push({ label: 'communes entièrement / pas du tout couvertes en FttH', value: `${fmtInt(f.communes_ftth_completes)} / ${fmtInt(f.communes_ftth_nulles)}`, hint: `sur ${fmtInt(f.communes)} communes, ${f.periode}` });
  }
  if (m) {
    items.push({ label: 'des locaux en bon haut débit (≥ 8 Mbit/s)', value: fmtPct(m.part_bhd8), hint: `${m.periode}, Ma connexion internet` });
    items.push({ label: 'des locaux en très haut débit (≥ 30 Mbit/s)', value: fmtPct(m.part_thd30), hint: `toutes technologies, ${m.periode}` });
    items.push({ label: 'des locaux à 100 Mbit/s ou plus', value: fmtPct(m.part_thd100), hint: `${fmtInt(m.elig_thd100)} sur ${fmtInt(m.nbr)} locaux, ${m.periode}` });
    items.push({ label: 'des locaux à 1 Gbit/s ou plus', value: fmtPct(m.part_thd1g), hint: m.periode });
    if (scope.niveau !== 'commune') items.push({ label: 'communes entièrement / pas du tout en THD (≥ 30 Mbit/s)', value: `${fmtInt(m.communes_thd_completes)} / ${fmtInt(m.communes_thd_nulles)}`, hint: `sur ${fmtInt(m.communes)} communes, ${m.periode}` });
  }
  if (!items.length) return html`<p>Aucune donnée du haut et très haut débit fixe n’a encore été importée pour ce territoire.</p>`;
  const sources: SourceRef[] = [...(f?.sources ?? []), ...(m?.sources ?? [])];
  return html`${keyFigures(items)}${sourcesLine(sources, null)}`;
}

export function filterForm(scope: Scope, depts: { code: string; nom: string }[], epcis: { code: string; nom: string }[], q: FilterQuery, indicateur: Indicateur): Html {
  const dSel = scope.niveau === 'departement' ? scope.code : (scope.parents.find((p) => p.niveau === 'departement')?.code ?? '');
  const eSel = scope.niveau === 'epci' ? scope.code : '';
  return html`<form method="get" action="/observatoire" class="fr-mb-4w pan-filtres">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer</legend>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-dep">Département</label>
    <select class="fr-select" id="f-dep" name="departement"><option value="">Toute la région</option>${depts.map((d) => html`<option value="${d.code}"${d.code === dSel ? html` selected` : ''}>${d.nom} (${d.code})</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-epci">EPCI (prioritaire sur le département)</label>
    <select class="fr-select" id="f-epci" name="epci"><option value="">—</option>${epcis.map((e) => html`<option value="${e.code}"${e.code === eSel ? html` selected` : ''}>${e.nom}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-ind">Indicateur de la carte</label>
    <select class="fr-select" id="f-ind" name="indicateur">${INDICATEURS.map((i) => html`<option value="${i}"${i === indicateur ? html` selected` : ''}>${INDICATEUR_LABEL[i]}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-select-group"><label class="fr-label" for="f-per">Technologies (Ma connexion internet)</label>
    <select class="fr-select" id="f-per" name="perimetre">${(['toutes', 'terrestre', 'filaire', 'dsl'] as const).map((x) => html`<option value="${x}"${x === q.perimetre ? html` selected` : ''}>${x}</option>`)}</select></div></div>
  <div class="fr-fieldset__element fr-fieldset__element--inline"><button class="fr-btn" type="submit">Afficher</button></div>
  </fieldset></form>`;
}

/** Map of the scope: EPCI (or départements) for a région, communes below. */
export async function mapOf(ctx: AppContext, scope: Scope, tables: Record<string, TableDef>, indicateur: Indicateur): Promise<{ map: Html; table: Html }> {
  let level = 'commune';
  let rows = tables.communes?.rows ?? [];
  let label = 'Commune';
  let href = communeHref;
  if (scope.niveau === 'region' || scope.niveau === 'france') {
    const epciRows = tables.epci?.rows ?? [];
    const epciShapes = scope.niveau === 'region' ? await Q.shapesOf(ctx.db, 'epci', epciRows.map((r) => String(r.code))) : [];
    if (epciShapes.length) { level = 'epci'; rows = epciRows; label = 'EPCI'; href = epciHref; }
    else { level = 'departement'; rows = (tables.debits?.rows ?? []).filter((r) => !String(r.nom).startsWith('Total ')); label = 'Département'; href = departementHref; }
  }
  const shapes = await Q.shapesOf(ctx.db, level, rows.map((r) => String(r.code)));
  const byCode = new Map(rows.map((r) => [String(r.code), r]));
  const mapShapes = shapes.map((s) => {
    const r = byCode.get(s.code);
    const v = (r?.[indicateur] ?? null) as number | null;
    return { code: s.code, nom: String(r?.nom ?? s.code), geometrie: s.geometrie as never, value: v };
  });
  const title = `${INDICATEUR_LABEL[indicateur]} par ${label.toLowerCase()} — ${scope.nom}`;
  const map = choropleth(mapShapes, { id: 'carte-observatoire', title, description: `Carte choroplèthe : ${mapShapes.length} territoires colorés selon l’indicateur, du plus clair (0 %) au plus foncé (100 %).`, indicateur: INDICATEUR_LABEL[indicateur] });
  const tdef: TableDef = {
    key: 'carte', titre: `${title} : données de la carte`, source: '', licence: LICENCE,
    columns: [{ key: 'nom', label, kind: 'link', href }, { key: 'code', label: 'Code', kind: 'text' }, { key: indicateur, label: INDICATEUR_COURT[indicateur], kind: 'pct' }],
    rows: [...rows].sort((a, b) => String(a.nom).localeCompare(String(b.nom), 'fr')),
  };
  return { map, table: html`<details class="fr-mb-4w"><summary>Tableau des données de la carte (${fmtInt(rows.length)} lignes)</summary>${renderTable(tdef)}</details>` };
}
