import { fmtDay, type Html, html, raw } from '../http/html.ts';
import { sourcesBlock } from '../http/sources.ts';
import type { StrategyRow } from './queries.ts';
import { FINANCEUR_LABEL, type Financeur, STATUT_ACTION_LABEL, type StatutAction } from './schema.ts';
import type { IndicatorView, TreeNode } from './service.ts';
import { baselineOf, STATUT_INDICATEUR_LABEL } from './trajectory.ts';

const nf = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
export const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : nf.format(v));
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
export const eur = (v: number) => euros.format(v);

const BADGE: Record<StatutAction, string> = {
  a_lancer: 'fr-badge--info',
  en_cours: 'fr-badge--new',
  en_retard: 'fr-badge--warning',
  terminee: 'fr-badge--success',
  abandonnee: 'fr-badge--error',
};
export const statusBadge = (s: StatutAction) =>
  html`<span class="fr-badge fr-badge--sm fr-badge--no-icon ${BADGE[s]}">${STATUT_ACTION_LABEL[s]}</span>`;

export const levelLabel = (s: StrategyRow, code: string) => s.niveaux.find((l) => l.code === code)?.libelle ?? code;

/** The tree as nested lists: each node with its level, status, progress and (for actions) a link. */
export function treeList(s: StrategyRow, nodes: TreeNode[], actionLevels: Set<string>): Html {
  if (!nodes.length) return html``;
  return html`<ul class="pan-arbre">${nodes.map(
    (n) =>
      html`<li><span class="fr-text--sm">${levelLabel(s, n.niveau)} ${n.code}</span> — ${
        actionLevels.has(n.niveau)
          ? html`<a href="/strategie/${s.slug}/actions/${n.id}">${n.titre}</a>`
          : html`<strong>${n.titre}</strong>`
      } ${statusBadge(n.statut_calcule)} <span class="fr-text--sm">avancement ${num(Math.round(n.avancement_calcule))} %${
        n.porteur ? ` · porté par ${n.porteur}` : ''
      }${n.jalons_en_retard ? ` · ${n.jalons_en_retard} jalon(s) en retard` : ''}</span>${treeList(s, n.enfants, actionLevels)}</li>`,
  )}</ul>`;
}

export function budgetTable(lines: TreeNode['budgets'], caption: string): Html {
  if (!lines.length) return html`<p>Aucune ligne de budget saisie.</p>`;
  return html`<div class="fr-table fr-table--sm"><table><caption>${caption}</caption>
  <thead><tr><th scope="col">Année</th><th scope="col">Financeur</th><th scope="col" class="pan-num">Prévu</th><th scope="col" class="pan-num">Engagé</th><th scope="col" class="pan-num">Réalisé</th></tr></thead>
  <tbody>${lines.map((b) => html`<tr><td>${b.annee}</td><td>${FINANCEUR_LABEL[b.financeur as Financeur] ?? b.financeur}</td><td class="pan-num">${eur(b.prevu)}</td><td class="pan-num">${eur(b.engage)}</td><td class="pan-num">${eur(b.realise)}</td></tr>`)}</tbody></table></div>`;
}

export function indicatorStatus(i: IndicatorView): string {
  return i.evaluation.statut ? STATUT_INDICATEUR_LABEL[i.evaluation.statut] : `sans statut (${i.evaluation.motif})`;
}

/**
 * Measurements, the straight trajectory from baseline to target and the target, as a server-rendered
 * SVG; the table below it holds the same values.
 */
export function indicatorChart(i: IndicatorView): Html {
  const pts = i.mesures.map((m) => ({ date: m.mesure_le, valeur: m.valeur }));
  const base = baselineOf({ valeur: i.valeur_initiale, date: i.date_initiale }, pts);
  const target = i.cible !== null && i.date_cible ? { date: i.date_cible, valeur: i.cible } : null;
  const all = [...pts, ...(base ? [base] : []), ...(target ? [target] : [])];
  if (!all.length) return html``;
  const t = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const W = 640;
  const H = 260;
  const L = 56;
  const R = 16;
  const T = 16;
  const B = 36;
  const x0 = Math.min(...all.map((p) => t(p.date)));
  const x1 = Math.max(...all.map((p) => t(p.date)), x0 + 86_400_000);
  const vmax = Math.max(...all.map((p) => p.valeur), 0);
  const vmin = Math.min(...all.map((p) => p.valeur), 0);
  const y1 = vmax === vmin ? vmin + 1 : vmax;
  const X = (d: string) => L + ((t(d) - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v: number) => T + (1 - (v - vmin) / (y1 - vmin)) * (H - T - B);
  const path = pts.map((p, k) => `${k ? 'L' : 'M'}${X(p.date).toFixed(1)},${Y(p.valeur).toFixed(1)}`).join(' ');
  const y0 = new Date(x0).getUTCFullYear();
  const yN = new Date(x1).getUTCFullYear();
  const step = Math.max(1, Math.ceil((yN - y0 + 1) / 8));
  const years: number[] = [];
  for (let y = y0; y <= yN; y += step) years.push(y);
  const title = `${i.libelle} (${i.unite}) : mesures${target ? ', trajectoire et cible' : ''}`;
  return html`<svg class="pan-graphique" role="img" aria-labelledby="ind-${i.id}-t" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px">
<title id="ind-${i.id}-t">${title}</title>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#666"/>
<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#666"/>
<text x="${L - 6}" y="${Y(y1) + 4}" text-anchor="end" font-size="11">${num(y1)}</text>
<text x="${L - 6}" y="${Y(vmin) + 4}" text-anchor="end" font-size="11">${num(vmin)}</text>
${years.map((y) => html`<text x="${X(`${y}-07-01`).toFixed(1)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${y}</text>`)}
${base && target ? html`<line x1="${X(base.date).toFixed(1)}" y1="${Y(base.valeur).toFixed(1)}" x2="${X(target.date).toFixed(1)}" y2="${Y(target.valeur).toFixed(1)}" stroke="#b34000" stroke-width="1.5" stroke-dasharray="6 4"><title>Trajectoire de la valeur initiale à la cible</title></line>` : ''}
${target ? html`<circle cx="${X(target.date).toFixed(1)}" cy="${Y(target.valeur).toFixed(1)}" r="5" fill="none" stroke="#b34000" stroke-width="2"><title>Cible : ${num(target.valeur)} au ${fmtDay(target.date)}</title></circle>` : ''}
${pts.length ? html`<path d="${raw(path)}" fill="none" stroke="#000091" stroke-width="2"/>` : ''}
${pts.map((p) => html`<circle cx="${X(p.date).toFixed(1)}" cy="${Y(p.valeur).toFixed(1)}" r="3.5" fill="#000091"><title>${fmtDay(p.date)} : ${num(p.valeur)}</title></circle>`)}
</svg>`;
}

export function measuresTable(i: IndicatorView): Html {
  if (!i.mesures.length)
    return html`<p>Aucune mesure${i.message_fournisseur ? html` : ${i.message_fournisseur}` : ''}.</p>`;
  return html`<div class="fr-table fr-table--sm"><table><caption>${i.libelle} : valeurs du graphique</caption>
  <thead><tr><th scope="col">Date</th><th scope="col" class="pan-num">Valeur (${i.unite})</th><th scope="col">Origine</th><th scope="col">Source</th><th scope="col">Auteur</th><th scope="col">Commentaire</th></tr></thead>
  <tbody>${i.mesures.map((m) => html`<tr><td>${fmtDay(m.mesure_le)}</td><td class="pan-num">${num(m.valeur)}</td><td>${m.origine === 'fournisseur' ? 'calculée' : m.origine === 'import' ? 'importée' : 'saisie'}</td><td>${m.source_mesure}</td><td>${m.auteur}</td><td>${m.commentaire ?? ''}</td></tr>`)}</tbody></table></div>`;
}

/** Sources of an indicator: the strategy's document for the definition and target, each measurement's source. */
export function indicatorSources(s: StrategyRow, i: IndicatorView): Html {
  const doc = s.document;
  return sourcesBlock([
    ...(doc
      ? [
          {
            producteur: doc.editeur,
            jeu: `${doc.titre} (définition, cible et échéance de l’indicateur)`,
            donneesAu: doc.date,
            licence: 'Document public de la collectivité',
          },
        ]
      : []),
    ...[...new Set(i.mesures.map((m) => m.source_mesure))].map((src) => ({
      producteur: src,
      jeu: 'mesures de l’indicateur',
      licence: i.mesures.some((m) => m.origine === 'fournisseur' && m.source_mesure === src)
        ? 'Licence Ouverte 2.0'
        : 'voir la source',
    })),
  ]);
}
