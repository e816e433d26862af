import { z } from 'zod';
import { IsoDate, optText, text } from '../http/schemas.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { checkColumns, refuseBadRows } from './csv-checks.ts';
import * as Q from './queries.ts';

/** Measurements of indicators from a spreadsheet: one row per measurement, `;`, UTF-8 (BOM allowed). */
const COLUMNS = ['strategie', 'indicateur', 'date', 'valeur', 'source', 'commentaire'] as const;
const REQUIRED = COLUMNS.filter((c) => c !== 'commentaire');

const Row = z.object({
  date: IsoDate,
  valeur: z
    .string()
    .trim()
    .transform((s) => s.replace(/\s/g, '').replace(',', '.'))
    .refine((s) => /^-?\d+(\.\d+)?$/.test(s), 'valeur : nombre attendu')
    .transform(Number),
  source: text(300, 1, 'la source de la mesure est requise'),
  commentaire: optText(2000).optional(),
});

export const strategieMesuresJob = defineJob({
  name: 'strategie-mesures',
  title: 'Mesures des indicateurs d’une stratégie (CSV)',
  accepts:
    'CSV « ; » en UTF-8, colonnes strategie;indicateur;date;valeur;source[;commentaire] (indicateur = code de l’indicateur, date AAAA-MM-JJ) ; toute erreur refuse le fichier entier ; une mesure déjà enregistrée (même indicateur, date, valeur et source) n’est pas dupliquée.',
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const limits = readLimits(config);
    const { header } = await readHeader(source.path, limits);
    checkColumns(header, COLUMNS, REQUIRED);
    const indicators = new Map<string, Map<string, Q.IndicatorRow> | null>();
    const rows: { i: Q.IndicatorRow; m: z.infer<typeof Row> }[] = [];
    const errors: string[] = [];
    for await (const { n: line, row, raw } of readCsv(source.path, tally, { limits, delimiter: ';' })) {
      tally.read++;
      const bad = (reason: string) => {
        tally.reject(line, reason, raw);
        errors.push(`ligne ${line} : ${reason}`);
      };
      const slug = row.strategie ?? '';
      if (!indicators.has(slug)) {
        const s = /^[a-z0-9-]{1,63}$/.test(slug) ? await Q.strategyBySlug(db, slug) : null;
        indicators.set(slug, s ? new Map((await Q.indicatorsOf(db, s.id)).map((i) => [i.code, i])) : null);
      }
      const byCode = indicators.get(slug);
      if (!byCode) {
        bad(`stratégie « ${slug} » inconnue`);
        continue;
      }
      const i = byCode.get(row.indicateur ?? '');
      if (!i) {
        bad(`indicateur « ${row.indicateur ?? ''} » inconnu dans ${slug}`);
        continue;
      }
      const p = Row.safeParse({ ...row, commentaire: row.commentaire || undefined });
      if (!p.success) {
        bad(p.error.issues.map((x) => `${x.path.join('.')} : ${x.message}`).join(', '));
        continue;
      }
      tally.accepted++;
      rows.push({ i, m: p.data });
    }
    if (errors.length) {
      tally.accepted = 0;
      throw refuseBadRows('Mesures refusées', errors);
    }
    let added = 0;
    await db.transaction(async (tx) => {
      for (const { i, m } of rows) {
        const row = {
          indicateur_id: i.id,
          mesure_le: m.date,
          valeur: m.valeur,
          source_mesure: m.source,
          auteur: `import ${source.name}`,
          commentaire: m.commentaire ?? null,
          origine: 'import' as const,
        };
        if (await Q.measureExists(tx, row)) continue;
        await Q.insertMeasure(tx, row);
        await Q.insertHistory(tx, {
          strategie_id: i.strategie_id,
          noeud_id: null,
          indicateur_id: i.id,
          objet: `mesure de ${i.code}`,
          operation: 'import',
          auteur: row.auteur,
          utilisateur_id: null,
          avant: null,
          apres: row,
        });
        added++;
      }
    });
    return `Mesures : ${tally.read} lignes lues, ${added} ajoutée${added > 1 ? 's' : ''}, ${rows.length - added} déjà enregistrée${rows.length - added > 1 ? 's' : ''}.`;
  },
});
