import type { AppContext } from '../context.ts';
import { controleCached, memo, regionDepartements } from './cache.ts';
import * as Q from './queries.ts';
import {
  type Indicateur,
  indicatorTitle,
  PERIMETRE_LABEL,
  type PerimetreMci,
  rates,
  type Scope,
  type SeriesItem,
  SPEED_CLASSES,
  seriesFor,
  speedClasses,
} from './service.ts';
import { communeHref, departementHref, epciHref, type TableDef } from './tables.ts';
import { freshness, targetsFor } from './targets.ts';

export const LICENCE = 'Licence Ouverte 2.0 (Etalab)';

type Periods = { ftth?: string; mci?: string; perimetre: string };
/** The latest imported periods, or the FttH quarter asked for when it has been imported. */
export async function periodsOf(
  ctx: AppContext,
  perimetre: string,
  trimestre?: string,
): Promise<Periods & { ftthDate?: string; mciDate?: string }> {
  const [f, m, all] = await Promise.all([
    Q.latestPeriode(ctx.db, 'arcep-deploiements', 'ftth'),
    Q.latestPeriode(ctx.db, 'mci-communes', perimetre),
    Q.ftthPeriods(ctx.db),
  ]);
  const chosen = trimestre ? all.find((x) => x.periode === trimestre) : undefined;
  const ftth = chosen ?? f;
  return { ftth: ftth?.periode, mci: m?.periode, perimetre, ftthDate: ftth?.date_fin, mciDate: m?.date_fin };
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

function latestRows(rows: Q.LatestRow[]) {
  return rows.map((r) => ({ ...r, ...rates(r) }));
}

/** The technology scope of Ma connexion internet figures, said in every table title built on them. */
const mciScopeText = (p: Periods) =>
  `Ma connexion internet ${p.mci ?? '—'}, ${PERIMETRE_LABEL[p.perimetre as PerimetreMci] ?? p.perimetre}`;

function sourceText(p: Periods): string {
  const parts: string[] = [];
  if (p.ftth) parts.push(`Arcep, observatoire trimestriel des déploiements FttH (${p.ftth})`);
  if (p.mci) parts.push(`Arcep, Ma connexion internet (${p.mci})`);
  return parts.join(' ; ') || 'aucune donnée importée';
}

export function seriesTable(scope: Scope, p: Periods, series: SeriesItem[]): TableDef {
  return {
    key: 'series',
    titre: `Évolution — ${scope.nom} (débits : ${PERIMETRE_LABEL[p.perimetre as PerimetreMci] ?? p.perimetre})`,
    source: sourceText(p),
    licence: LICENCE,
    columns: [
      { key: 'periode', label: 'Période', kind: 'text' },
      { key: 'date', label: 'Date des données', kind: 'date' },
      { key: 'jeu', label: 'Jeu de données', kind: 'text' },
      { key: 'locaux_raccordables', label: 'Locaux raccordables FttH', kind: 'int' },
      { key: 'locaux', label: 'Locaux (dénominateur FttH)', kind: 'int' },
      { key: 'taux_ftth', label: 'Taux FttH', kind: 'pct' },
      { key: 'origine_libelle', label: 'Totaux FttH', kind: 'text' },
      { key: 'nbr', label: 'Locaux (Ma connexion internet)', kind: 'int' },
      { key: 'part_bhd8', label: '≥ 8 Mbit/s', kind: 'pct' },
      { key: 'part_thd30', label: '≥ 30 Mbit/s', kind: 'pct' },
      { key: 'part_thd100', label: '≥ 100 Mbit/s', kind: 'pct' },
      { key: 'part_thd1g', label: '≥ 1 Gbit/s', kind: 'pct' },
      { key: 'fichiers', label: 'Fichiers sources', kind: 'text' },
    ],
    rows: series.map((s) => ({
      ...s,
      jeu:
        s.jeu === 'mci-communes'
          ? `Ma connexion internet (${PERIMETRE_LABEL[s.perimetre as PerimetreMci] ?? s.perimetre})`
          : 'Observatoire trimestriel FttH',
      origine_libelle:
        s.jeu === 'mci-communes' ? null : s.origine === 'arcep' ? 'publiés par l’Arcep' : 'somme des communes',
      fichiers: [...new Set(s.sources.map((x) => x.fichier))].join(', '),
    })),
  };
}

/** Periods, series and every table of a scope, cached until the next import or target change. */
export function scopeData(ctx: AppContext, scope: Scope, perimetre: string, trimestre?: string) {
  return memo(ctx, `${scope.niveau}:${scope.code}:${perimetre}:${trimestre ?? ''}`, async () => {
    const p = await periodsOf(ctx, perimetre, trimestre);
    const series = await seriesFor(ctx.db, scope, perimetre);
    return { p, series, tables: await buildTables(ctx, scope, p, series) };
  });
}

/** All the tables of a scope, for the page and the downloads. */
async function buildTables(
  ctx: AppContext,
  scope: Scope,
  p: Periods,
  series: SeriesItem[],
): Promise<Record<string, TableDef>> {
  const src = sourceText(p);
  const tables: Record<string, TableDef> = {};
  tables.series = seriesTable(scope, p, series);
  if (scope.niveau !== 'commune') {
    const communes = latestRows(
      await Q.communesLatest(ctx.db, { niveau: scope.niveau as 'region', code: scope.code }, p),
    );
    tables.communes = {
      key: 'communes',
      titre: `Communes — ${scope.nom} (dernières valeurs : FttH ${p.ftth ?? '—'} ; débits ${mciScopeText(p)})`,
      source: src,
      licence: LICENCE,
      columns: latestCols({ key: 'nom', label: 'Commune', href: communeHref }),
      rows: communes,
    };
    const worst = (k: 'taux_ftth' | 'part_thd30' | 'part_thd100') =>
      communes
        .filter((c) => c[k] !== null)
        .sort((a, b) => a[k]! - b[k]! || (b.nbr ?? b.locaux ?? 0) - (a.nbr ?? a.locaux ?? 0))
        .slice(0, 20);
    // When more communes share the lowest values than the list shows, the choice among them is by size: say so.
    const tie = (k: 'taux_ftth' | 'part_thd100', rows: Record<string, unknown>[]) => {
      const last = rows.at(-1)?.[k] as number | undefined;
      if (last === undefined) return '';
      const n = communes.filter((c) => c[k] === last).length;
      return n > rows.filter((r) => r[k] === last).length
        ? ` ; ${n} communes ex æquo à ${(last * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %, les plus grandes sont listées`
        : '';
    };
    const wf = worst('taux_ftth');
    const wt = worst('part_thd100');
    // On the page these short lists show the figure they rank by; every column stays in their downloads.
    const only = (keep: string[]) =>
      tables.communes!.columns.map((c) => (keep.includes(c.key) ? c : { ...c, exportOnly: true }));
    tables['moins-couvertes-ftth'] = {
      ...tables.communes,
      columns: only(['nom', 'code', 'locaux', 'locaux_raccordables', 'taux_ftth']),
      key: 'moins-couvertes-ftth',
      titre: `Les ${wf.length} communes les moins couvertes en fibre (FttH, ${p.ftth ?? '—'}${tie('taux_ftth', wf)}) — ${scope.nom}`,
      rows: wf,
    };
    tables['moins-couvertes-thd'] = {
      ...tables.communes,
      columns: only(['nom', 'code', 'nbr', 'part_thd30', 'part_thd100']),
      key: 'moins-couvertes-thd',
      titre: `Les ${wt.length} communes les moins couvertes à 100 Mbit/s (${mciScopeText(p)}${tie('part_thd100', wt)}) — ${scope.nom}`,
      rows: wt,
    };
    let children: Q.LatestRow[] = [];
    let childLabel = 'Territoire';
    let href = communeHref;
    if (scope.niveau === 'region') {
      children = await Q.departementsLatest(ctx.db, scope.code, p);
      childLabel = 'Département';
      href = departementHref;
    } else if (scope.niveau === 'france') {
      children = await Q.departementsLatest(ctx.db, null, p);
      childLabel = 'Département';
      href = departementHref;
    } else if (scope.niveau === 'departement') {
      children = await Q.epcisLatest(ctx.db, { niveau: 'departement', code: scope.code }, p);
      childLabel = 'EPCI';
      href = epciHref;
    } else {
      children = await Q.communesLatest(ctx.db, { niveau: 'epci', code: scope.code }, p);
      childLabel = 'Commune';
    }
    const total =
      scope.niveau === 'france'
        ? []
        : (await Q.seriesOf(ctx.db, scope.niveau, scope.code, p.perimetre)).filter(
            (s) => s.jeu === 'mci-communes' && s.periode === p.mci,
          );
    const debitRows = [...children, ...total.map((s) => ({ ...s, nom: `Total ${scope.nom}`, code: scope.code }))].map(
      (r) => {
        const cl = speedClasses(r) ?? {};
        const out: Record<string, unknown> = { nom: r.nom, code: r.code, nbr: r.nbr };
        for (const c of SPEED_CLASSES) {
          const v = (cl as Record<string, number | null>)[c.key] ?? null;
          out[c.key] = v;
          out[`${c.key}_part`] = v === null || !r.nbr ? null : v / r.nbr;
        }
        Object.assign(out, rates(r));
        return out;
      },
    );
    tables.debits = {
      key: 'debits',
      titre: `Locaux par classe de débit, par ${childLabel.toLowerCase()} — ${scope.nom} (${mciScopeText(p)})`,
      source: src,
      licence: LICENCE,
      columns: [
        {
          key: 'nom',
          label: childLabel,
          kind: 'link',
          href: (r) => ((r.nom as string).startsWith('Total ') ? '#' : href(r)),
        },
        { key: 'code', label: 'Code', kind: 'text' },
        { key: 'nbr', label: 'Locaux', kind: 'int' },
        ...SPEED_CLASSES.map((c) => ({ key: `${c.key}_part`, label: c.label, kind: 'pct' as const })),
        { key: 'part_bhd8', label: 'Bon haut débit (≥ 8)', kind: 'pct' },
        { key: 'part_thd30', label: 'THD (≥ 30)', kind: 'pct' },
        ...SPEED_CLASSES.map((c) => ({
          key: c.key,
          label: `${c.label} (locaux)`,
          kind: 'int' as const,
          exportOnly: true,
        })),
      ],
      rows: debitRows,
    };
    if (scope.niveau === 'region') {
      // Figures of an EPCI are those of the whole EPCI: one straddling the regional boundary says so.
      const counts = new Map((await Q.epciCommuneCounts(ctx.db, scope.code)).map((c) => [c.code, c]));
      const epcis = latestRows(await Q.epcisLatest(ctx.db, { niveau: 'region', code: scope.code }, p)).map((r) => {
        const c = counts.get(r.code);
        const whole = !c || c.dans_region === c.total;
        return {
          ...r,
          perimetre_chiffres: whole
            ? 'EPCI entier (toutes ses communes dans la région)'
            : `EPCI entier, à cheval : ${c.dans_region} de ses ${c.total} communes dans la région`,
        };
      });
      const cols = latestCols({ key: 'nom', label: 'EPCI', href: epciHref });
      tables.epci = {
        key: 'epci',
        titre: `EPCI ayant des communes en ${scope.nom} — chiffres de l’EPCI entier (FttH ${p.ftth ?? '—'} ; débits ${mciScopeText(p)})`,
        source: src,
        licence: LICENCE,
        columns: [
          cols[0]!,
          cols[1]!,
          { key: 'perimetre_chiffres', label: 'Périmètre des chiffres', kind: 'text' },
          ...cols.slice(2),
        ],
        rows: epcis,
      };
    }
  }
  const targets = await targetsFor(ctx.db, scope, freshness(ctx.config.obsMaxAgeMonths));
  tables.objectifs = {
    key: 'objectifs',
    titre: `Objectifs applicables — ${scope.nom}`,
    source: `${src} ; objectifs des stratégies régionales et européenne`,
    licence: LICENCE,
    columns: [
      { key: 'libelle', label: 'Objectif', kind: 'text' },
      { key: 'strategie', label: 'Stratégie', kind: 'text' },
      { key: 'indicateur', label: 'Indicateur', kind: 'text' },
      { key: 'cible', label: 'Cible', kind: 'pct' },
      { key: 'echeance', label: 'Échéance', kind: 'text' },
      { key: 'actuel', label: 'Valeur actuelle', kind: 'pct' },
      { key: 'periode_actuelle', label: 'Mesure', kind: 'text' },
      { key: 'date_mesure', label: 'Date des données', kind: 'text' },
      { key: 'ecart', label: 'Écart', kind: 'pct' },
      { key: 'statut', label: 'Statut', kind: 'text' },
      { key: 'date_projetee', label: 'Date projetée (tendance)', kind: 'text' },
      { key: 'methode', label: 'Méthode', kind: 'text' },
      { key: 'message', label: 'Évaluation', kind: 'text' },
    ],
    rows: targets.map((x) => ({
      ...x.objectif,
      indicateur: indicatorTitle(x.objectif.indicateur as Indicateur, x.objectif.perimetre),
      ...x.projection,
    })),
  };
  if (scope.niveau === 'region' || scope.niveau === 'departement' || scope.niveau === 'france') {
    const inRegion = scope.niveau === 'region' ? await regionDepartements(ctx, scope.code) : undefined;
    const deps = (await controleCached(ctx, 'departement')).filter(
      (l) =>
        scope.niveau === 'france' ||
        (scope.niveau === 'departement' ? l.code === scope.code : scope.niveau === 'region' && inRegion?.has(l.code)),
    );
    const regs =
      scope.niveau === 'departement'
        ? []
        : (await controleCached(ctx, 'region')).filter((l) => scope.niveau === 'france' || l.code === scope.code);
    tables.controle = {
      key: 'controle',
      titre: `Contrôle : totaux publiés par l’Arcep et recalculés depuis les communes — ${scope.nom}`,
      source: 'Arcep, observatoire trimestriel (feuilles communes, départements, régions)',
      licence: LICENCE,
      columns: [
        { key: 'nom', label: 'Territoire', kind: 'text' },
        { key: 'code', label: 'Code', kind: 'text' },
        { key: 'periode', label: 'Trimestre', kind: 'text' },
        { key: 'publie', label: 'Publié par l’Arcep', kind: 'int' },
        { key: 'somme_communes_publiees', label: 'Somme des communes (géographie du fichier)', kind: 'int' },
        { key: 'recalcule', label: 'Recalculé (communes actuelles)', kind: 'int' },
        { key: 'ecart', label: 'Écart', kind: 'int' },
        { key: 'explication', label: 'Explication', kind: 'text' },
      ],
      rows: [...regs, ...deps],
    };
  }
  return tables;
}
