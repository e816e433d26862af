import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { actionLevels } from './api.ts';
import * as Q from './queries.ts';
import { flatten, type IndicatorView, indicatorViews, strategyTree, type TreeNode } from './service.ts';

export const DECISIONS = ['maintenir', 'etendre', 'reorienter', 'abandonner'] as const;
type Decision = (typeof DECISIONS)[number];
export const DECISION_LABEL: Record<Decision, string> = {
  maintenir: 'Maintenir',
  etendre: 'Étendre à une échelle plus large',
  reorienter: 'Réorienter',
  abandonner: 'Abandonner',
};
export const decisionLabel = (d: string) => DECISION_LABEL[d as Decision] ?? d;

export type Line = {
  n: TreeNode;
  depuis: number | null;
  retard: number;
  consommation: number | null;
  priorite: number;
};

/**
 * Per action: progress since the previous session, late milestones, spending against plan; what
 * needs a decision first (late, late milestones, overspent, no progress since the previous session).
 */
function reviewLines(actions: TreeNode[], previous: Q.ReviewRow | undefined): Line[] {
  return actions
    .map((n) => {
      const before = previous?.dossier[String(n.id)];
      const depuis = before ? n.avancement_calcule - before.avancement : null;
      const b = n.budget_total;
      const consommation = b.prevu > 0 ? b.realise / b.prevu : null;
      const priorite =
        (n.statut_calcule === 'en_retard' ? 4 : 0) +
        (n.jalons_en_retard ? 2 : 0) +
        (b.engage > b.prevu || b.realise > b.prevu ? 2 : 0) +
        (depuis === 0 && n.statut_calcule !== 'terminee' && n.statut_calcule !== 'a_lancer' ? 1 : 0);
      return { n, depuis, retard: n.jalons_en_retard, consommation, priorite };
    })
    .sort((a, b) => b.priorite - a.priorite || a.n.code.localeCompare(b.n.code, 'fr', { numeric: true }));
}

/** Everything a review shows, on its page and in its CSV and PDF exports. */
export type ReviewFile = {
  strategy: Q.StrategyRow;
  review: Q.ReviewRow;
  previous: Q.ReviewRow | undefined;
  lines: Line[];
  decisions: Awaited<ReturnType<typeof Q.decisionsOf>>;
  indicators: IndicatorView[];
  byNode: Map<number, TreeNode>;
};

export async function reviewFile(db: Db, s: Q.StrategyRow, reviewId: number): Promise<ReviewFile> {
  const list = await Q.reviewsOf(db, s.id);
  const k = list.findIndex((v) => v.id === reviewId);
  const review = list[k];
  if (!review) throw new AppError('INTROUVABLE', `revue ${reviewId}`, 'Cette revue n’existe pas (ou plus).');
  const levels = actionLevels(s);
  const [tree, decisions, indicators] = await Promise.all([
    strategyTree(db, s.id),
    Q.decisionsOf(db, review.id),
    indicatorViews(db, s),
  ]);
  const actions = flatten(tree).filter((n) => levels.has(n.niveau));
  const previous = list[k + 1];
  return {
    strategy: s,
    review,
    previous,
    lines: reviewLines(actions, previous),
    decisions,
    indicators,
    byNode: new Map(actions.map((n) => [n.id, n])),
  };
}
