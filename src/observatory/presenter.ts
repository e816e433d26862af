import type { AppContext } from '../context.ts';
import { controleCached, memo, regionDepartements } from './cache.ts';
import * as Q from './queries.ts';
import {
  INDICATEUR_LABEL, rates, seriesFor, SPEED_CLASSES, speedClasses, targetsFor,
  type Indicateur, type Scope, type SeriesItem,
} from './service.ts';
import { communeHref, departementHref, epciHref, type TableDef } from './tables.ts';

export const LICENCE = 'Licence Ouverte 2.0 (Etalab)';

export type Periods = { ftth?: string; mci?: string; perimetre: string };
export async function periodsOf(ctx: AppContext, perimetre: string): Promise<Periods & { ftthDate?: string; mciDate?: string }> {
  const [f, m] = await Promise.all([Q.latestPeriode(ctx.db, 'arcep-deploiements', 'ftth'), Q.latestPeriode(ctx.db, 'mci-communes', perimetre)]);
  return { ftth: f?.periode, mci: m?.periode, perimetre, ftthDate: f?.date_fin, mciDate: m?.date_fin };
}

const latestCols = (first: { key: string; label: string; href?: (r: Record<string, unknown>) => string }) => [
  { key: first.key, label: first.label, kind: 'link' as const, ...(first.href ? { href: first.href } : {}) },
  { key: 'code', label: 'Code', kind: 'text' as const },
  { key: 'locaux', label: 'Locaux (Arcep)', kind: 'int' as const },
  { key: 'locaux_raccordables', label: 'Locaux raccordables FttH', kind: 'int' as const },
  { key: 'taux_ftth', label: 'Taux FttH', kind: 'pct' as const },
  { key: 'nbr', label: 'Locaux (Ma connexion internet)', kind: 'int' as const },
  { key: 'part_bhd8', label: 'Bon haut débit (≥ 8 Mbit/s)', kind: 'pct' as const },
  { key: 'part_thd30', label: 'Très haut débit (≥ 30 Mbit/s)', kind: 'pct' as const },
  { key: 'part_thd100', label: '≥ 100 Mbit/s', kind: 'pct' as const },
  { key: 'part_thd1g', label: '≥ 1 Gbit/s', kind: 'pct' as const },
];

export function latestRows(rows: Q.LatestRow[]) {
  return rows.map((r) => ({ ...r, ...rates(r) }));
}

export function sourceText(p: Periods): string {
  const parts: string[] = [];
  if (p.ftth) parts.push(`Arcep, observatoire trimestriel des déploiements FttH (${p.ftth})`);
  if (p.mci) parts.push(`Arcep, Ma connexion internet (${p.mci})`);
  return parts.join(' ; ') || 'aucune donnée importée';
}

export function seriesTable(scope: Scope, p: Periods, series: SeriesItem[]): TableDef {
  return {
    key: 'series', titre: `Évolution — ${scope.nom}`, source: sourceText(p), licence: LICENCE,
    columns: [
      { key: 'periode', label: 'Période', kind: 'text' }, { key: 'jeu', label: 'Jeu de données', kind: 'text' },
      { key: 'locaux_raccordables', label: 'Locaux raccordables FttH', kind: 'int' }, { key: 'locaux', label: 'Locaux (Arcep)', kind: 'int' },
      { key: 'taux_ftth', label: 'Taux FttH', kind: 'pct' }, { key: 'nbr', label: 'Locaux (Ma connexion internet)', kind: 'int' },
      { key: 'part_bhd8', label: '≥ 8 Mbit/s', kind: 'pct' }, { key: 'part_thd30', label: '≥ 30 Mbit/s', kind: 'pct' },
      { key: 'part_thd100', label: '≥ 100 Mbit/s', kind: 'pct' }, { key: 'part_thd1g', label: '≥ 1 Gbit/s', kind: 'pct' },
      { key: 'fichiers', label: 'Fichiers sources', kind: 'text' },
    ],
    rows: series.map((s) => ({ ...s, jeu: s.jeu === 'mci-communes' ? 'Ma connexion internet' : 'Observatoire trimestriel', fichiers: [...new Set(s.sources.map((x) => x.fichier))].join(', ') })),
  };
}

/** Periods, series and every table of a scope, cached until the next import or target change. */
export function scopeData(ctx: AppContext, scope: Scope, perimetre: string) {
  return memo(ctx, `${scope.niveau}:${scope.code}:${perimetre}`, async () => {
    const p = await periodsOf(ctx, perimetre);
    const series = await seriesFor(ctx.db, scope, perimetre);
    return { p, series, tables: await buildTables(ctx, scope, p, series) };
  });
}

/** All the tables of a scope, for the page and the downloads. */
export async function buildTables(ctx: AppContext, scope: Scope, p: Periods, series: SeriesItem[]): Promise<Record<string, TableDef>> {
  const src = sourceText(p);
  const tables: Record<string, TableDef> = {};
  tables.series = seriesTable(scope, p, series);
  if (scope.niveau !== 'commune') {
    const communes = latestRows(await Q.communesLatest(ctx.db, { niveau: scope.niveau as 'region', code: scope.code }, p));
    tables.communes = { key: 'communes', titre: `Communes — ${scope.nom} (dernières valeurs)`, source: src, licence: LICENCE, columns: latestCols({ key: 'nom', label: 'Commune', href: communeHref }), rows: communes };
    const worst = (k: 'taux_ftth' | 'part_thd30' | 'part_thd100') => communes.filter((c) => c[k] !== null).sort((a, b) => (a[k]! - b[k]!) || ((b.nbr ?? b.locaux ?? 0) - (a.nbr ?? a.locaux ?? 0))).slice(0, 20);
    tables['moins-couvertes-ftth'] = { ...tables.communes, key: 'moins-couvertes-ftth', titre: `Les 20 communes les moins couvertes en fibre (FttH, ${p.ftth ?? '—'}) — ${scope.nom}`, rows: worst('taux_ftth') };
    tables['moins-couvertes-thd'] = { ...tables.communes, key: 'moins-couvertes-thd', titre: `Les 20 communes les moins couvertes à 100 Mbit/s (Ma connexion internet, ${p.mci ?? '—'}) — ${scope.nom}`, rows: worst('part_thd100') };
    let children: Q.LatestRow[] = [];
    let childLabel = 'Territoire';
    let href = communeHref;
    if (scope.niveau === 'region') { children = await Q.departementsLatest(ctx.db, scope.code, p); childLabel = 'Département'; href = departementHref; }
    else if (scope.niveau === 'france') { children = await Q.departementsLatest(ctx.db, null, p); childLabel = 'Département'; href = departementHref; }
    else if (scope.niveau === 'departement') { children = await Q.epcisLatest(ctx.db, { niveau: 'departement', code: scope.code }, p); childLabel = 'EPCI'; href = epciHref; }
    else { children = await Q.communesLatest(ctx.db, { niveau: 'epci', code: scope.code }, p); childLabel = 'Commune'; }
    const total = scope.niveau === 'france' ? [] : (await Q.seriesOf(ctx.db, scope.niveau, scope.code, p.perimetre)).filter((s) => s.jeu === 'mci-communes' && s.periode === p.mci);
    const debitRows = [...children, ...total.map((s) => ({ ...s, nom: `Total ${scope.nom}`, code: scope.code }))].map((r) => {
      const cl = speedClasses(r) ?? {};
      const out: Record<string, unknown> = { nom: r.nom, code: r.code, nbr: r.nbr };
      for (const c of SPEED_CLASSES) {
        const v = (cl as Record<string, number | null>)[c.key] ?? null;
        out[c.key] = v;
        out[`${c.key}_part`] = v === null || !r.nbr ? null : v / r.nbr;
      }
      Object.assign(out, rates(r));
      return out;
    });
    tables.debits = {
      key: 'debits', titre: `Locaux par classe de débit, par ${childLabel.toLowerCase()} — ${scope.nom} (Ma connexion internet, ${p.mci ?? '—'}, ${p.perimetre === 'toutes' ? 'toutes technologies' : `technologies ${p.perimetre}`})`, source: src, licence: LICENCE,
      columns: [
        { key: 'nom', label: childLabel, kind: 'link', href: (r) => (r.nom as string).startsWith('Total ') ? '#' : href(r) }, { key: 'code', label: 'Code', kind: 'text' },
        { key: 'nbr', label: 'Locaux', kind: 'int' },
        ...SPEED_CLASSES.map((c) => ({ key: `${c.key}_part`, label: c.label, kind: 'pct' as const })),
        { key: 'part_bhd8', label: 'Bon haut débit (≥ 8)', kind: 'pct' }, { key: 'part_thd30', label: 'THD (≥ 30)', kind: 'pct' },
        ...SPEED_CLASSES.map((c) => ({ key: c.key, label: `${c.label} (locaux)`, kind: 'int' as const })),
      ],
      rows: debitRows,
    };
    if (scope.niveau === 'region') {
      const epcis = latestRows(await Q.epcisLatest(ctx.db, { niveau: 'region', code: scope.code }, p));
      tables.epci = { key: 'epci', titre: `EPCI — ${scope.nom} (dernières valeurs)`, source: src, licence: LICENCE, columns: latestCols({ key: 'nom', label: 'EPCI', href: epciHref }), rows: epcis };
    }
  }
  const targets = await targetsFor(ctx.db, scope, series);
  tables.objectifs = {
    key: 'objectifs', titre: `Objectifs applicables — ${scope.nom}`, source: `${src} ; objectifs des stratégies régionales et européenne`, licence: LICENCE,
    columns: [
      { key: 'libelle', label: 'Objectif', kind: 'text' }, { key: 'strategie', label: 'Stratégie', kind: 'text' }, { key: 'indicateur', label: 'Indicateur', kind: 'text' },
      { key: 'cible', label: 'Cible', kind: 'pct' }, { key: 'echeance', label: 'Échéance', kind: 'text' }, { key: 'actuel', label: 'Valeur actuelle', kind: 'pct' },
      { key: 'periode_actuelle', label: 'Mesure', kind: 'text' }, { key: 'ecart', label: 'Écart', kind: 'pct' }, { key: 'date_projetee', label: 'Date projetée', kind: 'text' },
      { key: 'message', label: 'Projection', kind: 'text' },
    ],
    rows: targets.map((x) => ({ ...x.objectif, indicateur: INDICATEUR_LABEL[x.objectif.indicateur as Indicateur], ...x.projection })),
  };
  if (scope.niveau === 'region' || scope.niveau === 'departement' || scope.niveau === 'france') {
    const inRegion = scope.niveau === 'region' ? await regionDepartements(ctx, scope.code) : undefined;
    const deps = (await controleCached(ctx, 'departement')).filter((l) => scope.niveau === 'france' || (scope.niveau === 'departement' ? l.code === scope.code : scope.niveau === 'region' && inRegion?.has(l.code)));
    const regs = scope.niveau === 'departement' ? [] : (await controleCached(ctx, 'region')).filter((l) => scope.niveau === 'france' || l.code === scope.code);
    tables.controle = {
      key: 'controle', titre: `Contrôle : totaux publiés par l’Arcep et recalculés depuis les communes — ${scope.nom}`, source: 'Arcep, observatoire trimestriel (feuilles communes, départements, régions)', licence: LICENCE,
      columns: [
        { key: 'nom', label: 'Territoire', kind: 'text' }, { key: 'code', label: 'Code', kind: 'text' }, { key: 'periode', label: 'Trimestre', kind: 'text' },
        { key: 'publie', label: 'Publié par l’Arcep', kind: 'int' }, { key: 'somme_communes_publiees', label: 'Somme des communes (géographie du fichier)', kind: 'int' },
        { key: 'recalcule', label: 'Recalculé (communes actuelles)', kind: 'int' }, { key: 'ecart', label: 'Écart', kind: 'int' }, { key: 'explication', label: 'Explication', kind: 'text' },
      ],
      rows: [...regs, ...deps],
    };
  }
  return tables;
}
