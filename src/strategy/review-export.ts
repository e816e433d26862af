import PDFDocument from 'pdfkit';
import { csvDocument } from '../http/csv.ts';
import { decisionLabel, type ReviewFile } from './review-file.ts';
import { STATUT_ACTION_LABEL, STATUTS_ACTION } from './schema.ts';
import { indicatorStatus, num } from './views.ts';

const pct = (v: number | null) => (v === null ? '' : Math.round(v * 1000) / 10);

/** The review file as CSV: one row per action, in the order the committee reads it, with its decisions. */
export function reviewCsv(f: ReviewFile): string {
  const decided = new Map<number, string[]>();
  for (const d of f.decisions)
    decided.set(d.noeud_id, [...(decided.get(d.noeud_id) ?? []), `${decisionLabel(d.decision)} : ${d.motif}`]);
  return csvDocument(
    [
      'revue',
      'comite',
      'code',
      'titre',
      'porteur',
      'statut',
      'avancement',
      'progres_depuis_revue_precedente',
      'jalons_en_retard',
      'budget_prevu',
      'budget_engage',
      'budget_realise',
      'part_realisee_pct',
      'decisions',
    ],
    f.lines.map((l) => [
      f.review.tenue_le,
      f.review.comite,
      l.n.code,
      l.n.titre,
      l.n.porteur,
      l.n.statut_calcule,
      Math.round(l.n.avancement_calcule * 10) / 10,
      l.depuis === null ? '' : Math.round(l.depuis * 10) / 10,
      l.retard,
      l.n.budget_total.prevu,
      l.n.budget_total.engage,
      l.n.budget_total.realise,
      pct(l.consommation),
      (decided.get(l.n.id) ?? []).join(' | '),
    ]),
  );
}

// The PDF's standard fonts are WinAnsi-encoded: French text fits, other characters become « ? ».
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const pdfText = (s: string) =>
  s
    .replace(/[\u00A0\u202F]/g, ' ')
    .replace(/[^\n\x20-\x7E\u00A1-\u00FF]/g, (c) => (WIN_ANSI_EXTRA.includes(c) ? c : '?'));
const eur = (v: number) => `${pdfText(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(v))} €`;
const BAR_COLORS: Record<string, string> = {
  a_lancer: '#0063cb',
  en_cours: '#6a6af4',
  en_retard: '#b34000',
  terminee: '#18753c',
  abandonnee: '#ce0500',
};

/**
 * The review report as a PDF, built in process (pdfkit, standard fonts): regional header, the
 * session, its decisions, a chart of actions by status, the review table, indicators, minutes.
 * Returned as the document stream; the caller pipes it to the reply.
 */
export function reviewPdf(f: ReviewFile, site: { name: string; regionNom: string }, generatedAt: Date) {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 40,
    info: { Title: pdfText(`Revue du ${f.review.tenue_le} - ${f.strategy.titre}`), Author: pdfText(site.name) },
  });
  const s = f.strategy;
  const width = doc.page.width - 80;
  doc
    .font('Helvetica-Bold')
    .fontSize(9)
    .fillColor('#000091')
    .text(pdfText(`${site.name} — Région ${site.regionNom}`));
  doc.moveDown(0.3).fontSize(16).fillColor('black').text(pdfText(s.titre));
  doc.fontSize(12).text(pdfText(`${f.review.comite} — revue du ${f.review.tenue_le.split('-').reverse().join('/')}`));
  doc.font('Helvetica').fontSize(9);
  if (f.review.participants) doc.text(pdfText(`Participants : ${f.review.participants}`));
  if (f.review.ordre_du_jour) doc.text(pdfText(`Ordre du jour : ${f.review.ordre_du_jour}`));
  doc.text(
    pdfText(
      f.previous
        ? `Progrès mesurés depuis la revue du ${f.previous.tenue_le.split('-').reverse().join('/')}.`
        : 'Aucune revue précédente : pas de progrès mesuré depuis.',
    ),
  );

  doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Décisions');
  doc.font('Helvetica').fontSize(9);
  if (!f.decisions.length) doc.text('Aucune décision enregistrée.');
  for (const d of f.decisions) {
    const n = f.byNode.get(d.noeud_id);
    doc.text(
      pdfText(`• ${n?.code ?? d.noeud_id} ${n?.titre ?? ''} — ${decisionLabel(d.decision)} : ${d.motif} (${d.auteur})`),
    );
  }

  // Chart: actions by status, one bar each, the count written beside it (the table below holds the same data).
  doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Actions par statut');
  doc.font('Helvetica').fontSize(9);
  const counts = STATUTS_ACTION.map((st) => ({ st, n: f.lines.filter((l) => l.n.statut_calcule === st).length }));
  const max = Math.max(1, ...counts.map((c) => c.n));
  for (const c of counts) {
    const y = doc.y;
    doc.fillColor('black').text(pdfText(STATUT_ACTION_LABEL[c.st]), 40, y, { width: 110 });
    doc.rect(155, y, ((width - 200) * c.n) / max, 9).fill(BAR_COLORS[c.st] ?? '#666');
    doc.fillColor('black').text(String(c.n), 160 + ((width - 200) * c.n) / max, y);
    doc.x = 40;
    doc.y = y + 13;
  }

  doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Dossier de revue (ce qui demande une décision en premier)');
  doc.font('Helvetica').fontSize(8).moveDown(0.3);
  doc.table({
    columnStyles: [50, '*', 70, 55, 60, 45, 70, 60],
    data: [
      [
        'Code',
        'Action',
        'Statut',
        'Avancement',
        'Depuis la revue précédente',
        'Jalons en retard',
        'Budget prévu',
        'Réalisé / prévu',
      ].map((t) => ({ text: pdfText(t), type: 'TH' as const, font: { src: 'Helvetica-Bold' } })),
      ...f.lines.map((l) => [
        pdfText(l.n.code),
        pdfText(l.n.titre + (l.n.porteur ? ` (${l.n.porteur})` : '')),
        pdfText(STATUT_ACTION_LABEL[l.n.statut_calcule]),
        `${Math.round(l.n.avancement_calcule)} %`,
        l.depuis === null ? '—' : `${l.depuis >= 0 ? '+' : ''}${Math.round(l.depuis)} pts`,
        String(l.retard),
        eur(l.n.budget_total.prevu),
        l.consommation === null ? '—' : `${Math.round(l.consommation * 100)} %`,
      ]),
    ],
  });

  doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Indicateurs', 40);
  doc.font('Helvetica').fontSize(8).moveDown(0.3);
  doc.table({
    columnStyles: [60, '*', 110, 90, 130],
    data: [
      ['Code', 'Indicateur', 'Dernière mesure', 'Cible', 'Statut'].map((t) => ({
        text: pdfText(t),
        type: 'TH' as const,
        font: { src: 'Helvetica-Bold' },
      })),
      ...f.indicators.map((i) => {
        const last = i.mesures.at(-1);
        return [
          pdfText(i.code),
          pdfText(i.libelle),
          last ? pdfText(`${num(last.valeur)} ${i.unite} (${last.mesure_le})`) : '—',
          i.cible === null ? '—' : pdfText(`${num(i.cible)} ${i.unite}${i.date_cible ? ` en ${i.date_cible}` : ''}`),
          pdfText(indicatorStatus(i)),
        ];
      }),
    ],
  });

  if (f.review.compte_rendu) {
    doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Compte rendu', 40);
    doc.font('Helvetica').fontSize(9).text(pdfText(f.review.compte_rendu));
  }
  doc
    .moveDown()
    .fontSize(7)
    .fillColor('#666')
    .text(
      pdfText(
        `Document produit par ${site.name} le ${generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC à partir des données de suivi de la stratégie (avancement saisi par les porteurs, sinon calculé à partir des actions qui la composent).`,
      ),
      40,
    );
  doc.end();
  return doc;
}
