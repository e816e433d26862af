import { ownersOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { OWNED_TYPE } from './policy.ts';
import { PROVIDERS } from './providers.ts';
import * as Q from './queries.ts';
import type { IndicateurInput, StatutAction, StrategyFile, StrategyNodeInput } from './schema.ts';
import { evaluate } from './trajectory.ts';

type Author = { label: string; id: number | null };

/** One mistake of a strategy file: where (path in the file) and what, in French. */
export type FileError = { ou: string; message: string };

/** Key order does not count (jsonb does not keep it). */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * Checks what the schema cannot: levels and principles the strategy declares, each child one level
 * below its parent or deeper, unique codes, indicators pointing at existing nodes, known providers
 * and organisations. Returns every mistake, with its place in the file.
 */
function crossCheck(f: StrategyFile, organisations: Set<string>): FileError[] {
  const errors: FileError[] = [];
  const levels = f.niveaux.map((n) => n.code);
  const principles = new Set(f.principes.map((p) => p.code));
  const codes = new Set<string>();
  const walk = (nodes: StrategyNodeInput[], where: string, parentLevel: number) => {
    nodes.forEach((n, i) => {
      const at = `${where}[${i}] (${n.code})`;
      const lvl = levels.indexOf(n.niveau);
      if (codes.has(n.code)) errors.push({ ou: at, message: `code « ${n.code} » en double` });
      codes.add(n.code);
      if (lvl < 0) errors.push({ ou: at, message: `niveau « ${n.niveau} » absent des niveaux (${levels.join(', ')})` });
      else if (lvl <= parentLevel)
        errors.push({ ou: at, message: `le niveau « ${n.niveau} » doit être plus bas que celui de son parent` });
      for (const p of n.principes)
        if (!principles.has(p)) errors.push({ ou: at, message: `principe « ${p} » non déclaré` });
      if (n.porteur && !organisations.has(n.porteur))
        errors.push({ ou: at, message: `porteur « ${n.porteur} » : aucune organisation de ce nom sur la plateforme` });
      const years = new Set<string>();
      for (const b of n.budget ?? []) {
        const k = `${b.annee} ${b.financeur}`;
        if (years.has(k)) errors.push({ ou: at, message: `ligne de budget ${k} en double` });
        years.add(k);
      }
      walk(n.enfants, `${at}.enfants`, lvl);
    });
  };
  walk(f.noeuds, 'noeuds', -1);
  const indicators = new Set<string>();
  f.indicateurs.forEach((ind, i) => {
    const at = `indicateurs[${i}] (${ind.code})`;
    if (indicators.has(ind.code)) errors.push({ ou: at, message: `code « ${ind.code} » en double` });
    indicators.add(ind.code);
    if (ind.noeud && !codes.has(ind.noeud)) errors.push({ ou: at, message: `nœud « ${ind.noeud} » inconnu` });
    if (ind.fournisseur && !PROVIDERS.has(ind.fournisseur))
      errors.push({
        ou: at,
        message: `fournisseur « ${ind.fournisseur} » inconnu (connus : ${[...PROVIDERS.keys()].join(', ')})`,
      });
    if ((ind.valeur_initiale === undefined) !== (ind.date_initiale === undefined))
      errors.push({ ou: at, message: 'valeur initiale et date initiale vont ensemble' });
  });
  return errors;
}

type NodeState = Omit<Q.NodeRow, 'id'> & {
  porteur_id: number | null;
  budget?: Omit<Q.BudgetRow, 'id' | 'noeud_id'>[];
  jalons?: Omit<Q.JalonRow, 'id' | 'noeud_id'>[];
};

/**
 * Writes a strategy file into the database (inside the caller's transaction): the strategy by slug,
 * its nodes and indicators by code, removing those the file no longer has. Only what changed is
 * written and recorded in the history, so importing the same file again changes nothing.
 * Budget lines and milestones of a node are replaced only when the file gives them.
 */
export async function applyStrategyFile(
  tx: Queryable,
  f: StrategyFile,
  author: Author,
): Promise<{ strategieId: number; crees: number; modifies: number; supprimes: number }> {
  const orgs = new Map((await listOrganisations(tx)).map((o) => [o.nom, o.id]));
  const errors = crossCheck(f, new Set(orgs.keys()));
  if (errors.length) throw fileErrors(errors);
  const before = await Q.strategyBySlug(tx, f.slug);
  const values = {
    slug: f.slug,
    titre: f.titre,
    region: f.region,
    debut: f.debut,
    fin: f.fin,
    adoptee_le: f.adoptee_le ?? null,
    statut: f.statut,
    resume: f.resume ?? null,
    niveaux: f.niveaux,
    principes: f.principes,
    financements: f.financements,
    document: f.document ?? null,
  };
  const sid = await Q.upsertStrategy(tx, values);
  const hist = (h: Omit<Q.HistoryValues, 'strategie_id' | 'auteur' | 'utilisateur_id'>) =>
    Q.insertHistory(tx, { strategie_id: sid, auteur: author.label, utilisateur_id: author.id, ...h });
  const { id: _id, ...beforeValues } = before ?? { id: 0 };
  if (!before || !same(beforeValues, values))
    await hist({
      noeud_id: null,
      indicateur_id: null,
      objet: `stratégie ${f.slug}`,
      operation: before ? 'modification' : 'creation',
      avant: before ? beforeValues : null,
      apres: values,
    });

  const existing = new Map((await Q.nodesOf(tx, sid)).map((n) => [n.code, n]));
  const owners = await ownersOf(tx, OWNED_TYPE);
  const budgets = groupBy(await Q.budgetsOf(tx, sid), (b) => b.noeud_id);
  const jalons = groupBy(await Q.jalonsOf(tx, sid), (j) => j.noeud_id);
  const ids = new Map<string, number>();
  let crees = 0;
  let modifies = 0;

  const visit = async (nodes: StrategyNodeInput[], parentId: number | null) => {
    for (const [rang, n] of nodes.entries()) {
      const old = existing.get(n.code);
      const next: NodeState = {
        parent_id: parentId,
        niveau: n.niveau,
        code: n.code,
        titre: n.titre,
        description: n.description ?? null,
        rang,
        principes: n.principes,
        contact: n.contact ?? null,
        partenaires: n.partenaires,
        territoires: n.territoires,
        debut: n.debut ?? null,
        fin: n.fin ?? null,
        statut: n.statut ?? null,
        avancement: n.avancement ?? null,
        poids: n.poids,
        porteur_id: n.porteur ? orgs.get(n.porteur)! : old ? (owners.get(old.id)?.organisationId ?? null) : null,
        ...(n.budget
          ? {
              budget: [...n.budget]
                .sort((a, b) => a.annee - b.annee || a.financeur.localeCompare(b.financeur))
                .map((b) => ({
                  annee: b.annee,
                  financeur: b.financeur,
                  prevu: b.prevu,
                  engage: b.engage,
                  realise: b.realise,
                })),
            }
          : {}),
        ...(n.jalons
          ? {
              jalons: [...n.jalons]
                .sort((a, b) => a.date.localeCompare(b.date))
                .map((j) => ({ prevu_le: j.date, titre: j.titre, fait: j.fait, fait_le: j.fait_le ?? null })),
            }
          : {}),
      };
      let id: number;
      if (!old) {
        id = await Q.insertNode(tx, sid, next);
        crees++;
        await writeParts(tx, id, next, true);
        await hist({
          noeud_id: id,
          indicateur_id: null,
          objet: `${n.niveau} ${n.code}`,
          operation: 'creation',
          avant: null,
          apres: next,
        });
      } else {
        id = old.id;
        const prev: NodeState = {
          ...withoutId(old),
          porteur_id: owners.get(old.id)?.organisationId ?? null,
          ...(next.budget ? { budget: (budgets.get(id) ?? []).map(({ id: _i, noeud_id: _n, ...b }) => b) } : {}),
          ...(next.jalons ? { jalons: (jalons.get(id) ?? []).map(({ id: _i, noeud_id: _n, ...j }) => j) } : {}),
        };
        if (!same(prev, next)) {
          await Q.updateNode(tx, id, next);
          await writeParts(tx, id, next, false);
          modifies++;
          await hist({
            noeud_id: id,
            indicateur_id: null,
            objet: `${n.niveau} ${n.code}`,
            operation: 'modification',
            avant: prev,
            apres: next,
          });
        }
      }
      ids.set(n.code, id);
      await visit(n.enfants, id);
    }
  };
  await visit(f.noeuds, null);

  // Nodes entered through the platform are not the file's to remove (they go only with their parent).
  const entered = await Q.enteredNodeIds(tx, sid);
  for (const [code, old] of existing) if (entered.has(old.id)) ids.set(code, old.id);
  let supprimes = 0;
  for (const [code, old] of existing) {
    if (ids.has(code)) continue;
    await setOwner(tx, OWNED_TYPE, old.id, null);
    await hist({
      noeud_id: null,
      indicateur_id: null,
      objet: `${old.niveau} ${code}`,
      operation: 'suppression',
      avant: withoutId(old),
      apres: null,
    });
    supprimes++;
  }
  // Children go with their parent (ON DELETE CASCADE): delete the removed nodes deepest first.
  for (const old of [...existing.values()].filter((o) => !ids.has(o.code)).reverse()) await Q.deleteNode(tx, old.id);

  await applyIndicators(tx, sid, f.indicateurs, ids, hist, author);
  return { strategieId: sid, crees, modifies, supprimes };
}

function withoutId<T extends { id: number }>(r: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = r;
  return rest;
}

async function writeParts(tx: Queryable, id: number, n: NodeState, fresh: boolean) {
  await setOwner(tx, OWNED_TYPE, id, n.porteur_id);
  if (n.budget) {
    if (!fresh) await Q.deleteBudgetsOf(tx, id);
    for (const b of n.budget) await Q.insertBudget(tx, id, b);
  }
  if (n.jalons) {
    if (!fresh) await Q.deleteJalonsOf(tx, id);
    for (const j of n.jalons) await Q.insertJalon(tx, id, j);
  }
}

async function applyIndicators(
  tx: Queryable,
  sid: number,
  list: IndicateurInput[],
  nodeIds: Map<string, number>,
  hist: (h: Omit<Q.HistoryValues, 'strategie_id' | 'auteur' | 'utilisateur_id'>) => Promise<void>,
  author: Author,
) {
  const existing = new Map((await Q.indicatorsOf(tx, sid)).map((i) => [i.code, i]));
  const seen = new Set<string>();
  for (const [rang, ind] of list.entries()) {
    seen.add(ind.code);
    const next: Q.IndicatorValues = {
      noeud_id: ind.noeud ? nodeIds.get(ind.noeud)! : null,
      code: ind.code,
      libelle: ind.libelle,
      definition: ind.definition ?? null,
      unite: ind.unite,
      valeur_initiale: ind.valeur_initiale ?? null,
      date_initiale: ind.date_initiale ?? null,
      cible: ind.cible ?? null,
      date_cible: ind.date_cible ?? null,
      source_donnees: ind.source ?? null,
      frequence: ind.frequence ?? null,
      responsable: ind.responsable ?? null,
      fournisseur: ind.fournisseur ?? null,
      rang,
    };
    const old = existing.get(ind.code);
    let id: number;
    if (!old) {
      id = await Q.insertIndicator(tx, sid, next);
      await hist({
        noeud_id: null,
        indicateur_id: id,
        objet: `indicateur ${ind.code}`,
        operation: 'creation',
        avant: null,
        apres: next,
      });
    } else {
      id = old.id;
      const { id: _i, strategie_id: _s, ...prev } = old;
      if (!same(prev, next)) {
        await Q.updateIndicator(tx, id, next);
        await hist({
          noeud_id: null,
          indicateur_id: id,
          objet: `indicateur ${ind.code}`,
          operation: 'modification',
          avant: prev,
          apres: next,
        });
      }
    }
    // Measurements written in the file replace the file's previous ones; typed and computed ones stay.
    const fileMeasures = [...ind.mesures]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((m) => ({
        mesure_le: m.date,
        valeur: m.valeur,
        source_mesure: m.source,
        auteur: m.auteur ?? author.label,
        commentaire: m.commentaire ?? null,
      }));
    const current = (await Q.measuresOfIndicator(tx, id, 'import')).map(
      ({ id: _i, indicateur_id: _n, origine: _o, ...m }) => m,
    );
    if (!same(current.map(withoutAuthor), fileMeasures.map(withoutAuthor))) {
      await Q.deleteMeasures(tx, id, 'import');
      for (const m of fileMeasures) await Q.insertMeasure(tx, { ...m, indicateur_id: id, origine: 'import' });
      await hist({
        noeud_id: null,
        indicateur_id: id,
        objet: `mesures de ${ind.code}`,
        operation: 'import',
        avant: current,
        apres: fileMeasures,
      });
    }
  }
  for (const [code, old] of existing) {
    if (seen.has(code)) continue;
    await Q.deleteIndicator(tx, old.id);
    await hist({
      noeud_id: null,
      indicateur_id: null,
      objet: `indicateur ${code}`,
      operation: 'suppression',
      avant: old,
      apres: null,
    });
  }
}

const withoutAuthor = <T extends { auteur: string }>(m: T) => ({ ...m, auteur: undefined });

function groupBy<T>(rows: T[], key: (r: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const k = key(r);
    const l = m.get(k) ?? [];
    l.push(r);
    m.set(k, l);
  }
  return m;
}

export function fileErrors(errors: FileError[]): AppError {
  const shown = errors.slice(0, 20).map((e) => `${e.ou} : ${e.message}`);
  const more = errors.length > 20 ? ` ; et ${errors.length - 20} autres` : '';
  return new AppError(
    'SOURCE_ILLISIBLE',
    `${errors.length} errors in strategy file`,
    `Fichier de stratégie refusé (${errors.length} erreur${errors.length > 1 ? 's' : ''}, rien n’a été importé) : ${shown.join(' ; ')}${more}`,
  );
}

/** Recomputes the measurements of every indicator fed by a provider (all, or those a job feeds). */
export async function refreshProvidedMeasures(db: Db, job?: string): Promise<number> {
  let changed = 0;
  for (const ind of await Q.indicatorsWithProvider(db)) {
    const p = PROVIDERS.get(ind.fournisseur!);
    if (!p || (job !== undefined && !p.feeds.includes(job))) continue;
    const res = await p.measure(db, ind.region);
    const next = res.points.map((pt) => ({
      mesure_le: pt.date,
      valeur: pt.valeur,
      source_mesure: pt.source,
      auteur: `fournisseur ${p.name}`,
      commentaire: null,
    }));
    await db.transaction(async (tx) => {
      const current = (await Q.measuresOfIndicator(tx, ind.id, 'fournisseur')).map(
        ({ id: _i, indicateur_id: _n, origine: _o, ...m }) => m,
      );
      if (same(current, next)) return;
      await Q.deleteMeasures(tx, ind.id, 'fournisseur');
      for (const m of next) await Q.insertMeasure(tx, { ...m, indicateur_id: ind.id, origine: 'fournisseur' });
      await Q.insertHistory(tx, {
        strategie_id: ind.strategie_id,
        noeud_id: null,
        indicateur_id: ind.id,
        objet: `mesures de ${ind.code}`,
        operation: 'calcul',
        auteur: `fournisseur ${p.name}`,
        utilisateur_id: null,
        avant: { mesures: current.length, derniere: current.at(-1) ?? null },
        apres: { mesures: next.length, derniere: next.at(-1) ?? null },
      });
      changed++;
    });
  }
  return changed;
}

// ---------------------------------------------------------------- read side

export type Budget = { prevu: number; engage: number; realise: number };
const ZERO: Budget = { prevu: 0, engage: 0, realise: 0 };
const add = (a: Budget, b: Budget): Budget => ({
  prevu: a.prevu + b.prevu,
  engage: a.engage + b.engage,
  realise: a.realise + b.realise,
});

export type TreeNode = Q.NodeRow & {
  enfants: TreeNode[];
  statut_calcule: StatutAction;
  avancement_calcule: number;
  budget_total: Budget;
  porteur: string | null;
  porteur_id: number | null;
  jalons: Q.JalonRow[];
  budgets: Q.BudgetRow[];
  jalons_en_retard: number;
};

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Status of a node: its own, else rolled up from its children (all done → done, one late → late,
 * any started → in progress, all abandoned → abandoned), else « à lancer ».
 */
function rollStatus(own: string | null, kids: StatutAction[]): StatutAction {
  if (own) return own as StatutAction;
  const live = kids.filter((k) => k !== 'abandonnee');
  if (!kids.length) return 'a_lancer';
  if (!live.length) return 'abandonnee';
  if (live.every((k) => k === 'terminee')) return 'terminee';
  if (live.includes('en_retard')) return 'en_retard';
  if (live.some((k) => k === 'en_cours' || k === 'terminee')) return 'en_cours';
  return 'a_lancer';
}

/** The strategy's tree, with progress (entered, or the weighted mean of the children not abandoned), status and budget at every level. */
export async function strategyTree(q: Queryable, strategieId: number): Promise<TreeNode[]> {
  const [rows, budgets, jalons, owners] = await Promise.all([
    Q.nodesOf(q, strategieId),
    Q.budgetsOf(q, strategieId),
    Q.jalonsOf(q, strategieId),
    ownersOf(q, OWNED_TYPE),
  ]);
  const b = groupBy(budgets, (x) => x.noeud_id);
  const j = groupBy(jalons, (x) => x.noeud_id);
  const day = today();
  const nodes = new Map<number, TreeNode>(
    rows.map((r) => {
      const js = j.get(r.id) ?? [];
      return [
        r.id,
        {
          ...r,
          enfants: [],
          statut_calcule: 'a_lancer',
          avancement_calcule: 0,
          budget_total: ZERO,
          porteur: owners.get(r.id)?.nom ?? null,
          porteur_id: owners.get(r.id)?.organisationId ?? null,
          jalons: js,
          budgets: b.get(r.id) ?? [],
          jalons_en_retard: js.filter((x) => !x.fait && x.prevu_le < day).length,
        },
      ];
    }),
  );
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parent_id === null ? undefined : nodes.get(n.parent_id);
    (parent ? parent.enfants : roots).push(n);
  }
  const roll = (n: TreeNode) => {
    for (const c of n.enfants) roll(c);
    n.statut_calcule = rollStatus(
      n.statut,
      n.enfants.map((c) => c.statut_calcule),
    );
    const live = n.enfants.filter((c) => c.statut_calcule !== 'abandonnee');
    const w = live.reduce((s, c) => s + c.poids, 0);
    n.avancement_calcule =
      n.avancement ??
      (live.length && w > 0
        ? live.reduce((s, c) => s + c.poids * c.avancement_calcule, 0) / w
        : n.statut_calcule === 'terminee'
          ? 100
          : 0);
    n.budget_total = n.enfants.reduce(
      (s, c) => add(s, c.budget_total),
      n.budgets.reduce((s, x) => add(s, x), ZERO),
    );
  };
  for (const r of roots) roll(r);
  return roots;
}

export function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.enfants)]);
}

export type IndicatorView = Q.IndicatorRow & {
  mesures: Q.MeasureRow[];
  evaluation: ReturnType<typeof evaluate>;
  message_fournisseur: string | null;
};

/** Indicators with their measurements (all origins, by date) and their status against the trajectory. */
export async function indicatorViews(db: Db, s: Q.StrategyRow): Promise<IndicatorView[]> {
  const [inds, measures] = await Promise.all([Q.indicatorsOf(db, s.id), Q.measuresOf(db, s.id)]);
  const byInd = groupBy(measures, (m) => m.indicateur_id);
  const out: IndicatorView[] = [];
  for (const i of inds) {
    const ms = (byInd.get(i.id) ?? []).sort((a, b) => a.mesure_le.localeCompare(b.mesure_le) || a.id - b.id);
    const evaluation = evaluate(
      { valeur: i.valeur_initiale, date: i.date_initiale },
      { valeur: i.cible, date: i.date_cible },
      ms.map((m) => ({ date: m.mesure_le, valeur: m.valeur })),
    );
    let message: string | null = null;
    if (i.fournisseur && !ms.some((m) => m.origine === 'fournisseur')) {
      const p = PROVIDERS.get(i.fournisseur);
      message = p ? ((await p.measure(db, s.region)).message ?? null) : `fournisseur ${i.fournisseur} inconnu`;
    }
    out.push({ ...i, mesures: ms, evaluation, message_fournisseur: message });
  }
  return out;
}

export const getStrategy = Q.strategyBySlug;
export const listStrategies = Q.listStrategies;
export const strategyHistory = Q.historyOf;
export const actionLinks = Q.liensOf;
