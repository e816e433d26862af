import { z } from 'zod';
import { insertJson, type Row } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { fold } from '../text/normalize.ts';
import {
  boolOf,
  communeResolver,
  dateOrNull,
  FILE_STRIDE,
  hasAny,
  intOrNull,
  pick,
  positionOf,
  sourceFiles,
  textOrNull,
} from './common.ts';
import { toLonLat } from './coords.ts';
import { dropDuplicates } from './jobs-mci.ts';
import { matchTable } from './match-db.ts';
import { summaryText } from './matching.ts';
import { FIBRE_ETATS, type FibreEtat } from './reference.ts';

const BATCH = 5000;

const FIBRE_COLS = {
  n: 'bigint',
  imb_id: 'text',
  code_insee: 'text',
  code_insee_source: 'text',
  lon: 'double precision',
  lat: 'double precision',
  num_voie: 'integer',
  cp_no_voie: 'text',
  type_voie: 'text',
  nom_voie: 'text',
  batiment: 'text',
  code_poste: 'text',
  nom_com: 'text',
  catg_loc_imb: 'text',
  nb_locaux: 'integer',
  imb_etat: 'text',
  pm_ref: 'text',
  pm_etat: 'text',
  code_l331: 'text',
  type_imb: 'text',
  date_completude: 'date',
  pm_date_mad: 'date',
} as const;

/** imb_etat as published ("en cours de deploiement", "raccordable demande"…) → stored value. */
function fibreEtatOf(s: string | undefined): FibreEtat | null {
  const f = fold(s ?? '').replace(/ /g, '_');
  const alias: Record<string, FibreEtat> = {
    raccordable_demande: 'raccordable_demande',
    raccordable_sur_demande: 'raccordable_demande',
    en_cours_de_deploiement: 'en_cours_deploiement',
    en_cours_deploiement: 'en_cours_deploiement',
    en_cours: 'en_cours_deploiement',
  };
  const v = (alias[f] ?? f) as FibreEtat;
  return FIBRE_ETATS.includes(v) ? v : null;
}

/** Premises in the building: the exact count when given, else 1 for "individuel" (the bracket is kept too). */
function locauxOf(row: Record<string, string>): number | null | 'invalide' {
  const exact = pick(row, 'nb_locaux', 'nb_loc', 'nb_log', 'nb_logements', 'nbr_logloc', 'imb_nbr_logloc', 'nb_logloc');
  if (exact !== undefined) return intOrNull(exact);
  return fold(row.catg_loc_imb ?? '') === 'individuel' ? 1 : null;
}

export const fibreImmeublesJob = defineJob({
  name: 'fibre-immeubles',
  title: 'Carte fibre — immeubles (IPE, ARCEP)',
  accepts:
    'Fichier des immeubles de la carte fibre de l’ARCEP (données trimestrielles issues des IPE), séparateur « , » ou « ; », ou dossier de tels fichiers. Colonnes x, y, imb_id, num_voie, cp_no_voie, type_voie, nom_voie, batiment, code_insee (ou code_poste + nom_com), catg_loc_imb, imb_etat, pm_ref, pm_etat, code_l331, type_imb, date_completude, pm_date_mad. Remplace les immeubles des communes présentes.',
  options: z.object({ srid: z.enum(['auto', '4326', '3857', '2154']).default('auto') }).strict(),
  async run({ db, tally, config }, source, options) {
    const limits = readLimits(config);
    const files = sourceFiles(source, /\.csv(\.gz)?$/i, '.csv');
    const communes = await communeResolver(db);
    let badDates = 0;
    const res = await db.transaction(async (tx) => {
      await tx.query(
        `CREATE TEMP TABLE stg_fibre (${Object.entries(FIBRE_COLS)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}) ON COMMIT DROP`,
      );
      let batch: Row[] = [];
      for (const [fi, file] of files.entries()) {
        const { header } = await readHeader(file, limits);
        if (!hasAny(header, 'imb_id') || !hasAny(header, 'imb_etat') || !hasAny(header, 'x')) {
          throw new AppError(
            'SOURCE_ILLISIBLE',
            `bad header ${header.join(',')}`,
            `${file.split('/').pop()} n'a pas les colonnes du fichier immeubles de la carte fibre (x, y, imb_id, imb_etat…). En-tête lu : ${header.slice(0, 12).join(', ')}.`,
          );
        }
        for await (const { n, row, raw } of readCsv(file, tally, { limits })) {
          tally.read++;
          const line = fi * FILE_STRIDE + n;
          const reject = (reason: string) => tally.reject(n, `${positionOf(files, line).prefix}${reason}`, raw);
          const imbId = textOrNull(row.imb_id, 60);
          if (!imbId) {
            reject('imb_id manquant');
            continue;
          }
          const etat = fibreEtatOf(row.imb_etat);
          if (!etat) {
            reject(
              `imb_etat inconnu : « ${row.imb_etat ?? ''} » (attendu cible, signe, en cours de deploiement, raccordable demande, deploye ou abandonne)`,
            );
            continue;
          }
          const p = toLonLat(row.x, row.y, options.srid);
          if ('error' in p) {
            reject(p.error);
            continue;
          }
          const src = textOrNull(row.code_insee, 10);
          const code = src
            ? communes.resolve(src)
            : row.code_poste && row.nom_com
              ? communes.byPostcodeAndName(row.code_poste, row.nom_com)
              : null;
          if (!code) {
            reject(
              src
                ? `code commune inconnu : ${src}`
                : `commune introuvable (code postal ${row.code_poste ?? '—'}, ${row.nom_com ?? '—'})`,
            );
            continue;
          }
          const num = intOrNull(row.num_voie);
          const nb = locauxOf(row);
          if (nb === 'invalide') {
            reject('nombre de locaux invalide');
            continue;
          }
          let dc = dateOrNull(row.date_completude);
          let mad = dateOrNull(row.pm_date_mad);
          if (dc === 'invalide') {
            badDates++;
            dc = null;
          }
          if (mad === 'invalide') {
            badDates++;
            mad = null;
          }
          if (boolOf(row.date_completude_manquante) === true) dc = null;
          batch.push({
            n: line,
            imb_id: imbId,
            code_insee: code,
            code_insee_source: src,
            lon: p.lon,
            lat: p.lat,
            num_voie: num === 'invalide' ? null : num,
            cp_no_voie: textOrNull(row.cp_no_voie, 20),
            type_voie: textOrNull(row.type_voie, 60),
            nom_voie: textOrNull(row.nom_voie),
            batiment: textOrNull(row.batiment, 100),
            code_poste: textOrNull(row.code_poste, 10),
            nom_com: textOrNull(row.nom_com),
            catg_loc_imb: textOrNull(row.catg_loc_imb, 40),
            nb_locaux: nb,
            imb_etat: etat,
            pm_ref: textOrNull(row.pm_ref, 80),
            pm_etat: textOrNull(row.pm_etat, 40),
            code_l331: textOrNull(row.code_l331, 20),
            type_imb: textOrNull(row.type_imb, 40),
            date_completude: dc,
            pm_date_mad: mad,
          });
          if (batch.length >= BATCH) {
            await insertJson(tx, 'stg_fibre', FIBRE_COLS, batch);
            batch = [];
          }
        }
      }
      await insertJson(tx, 'stg_fibre', FIBRE_COLS, batch);
      await dropDuplicates(tx, 'stg_fibre', 'imb_id', tally, 'imb_id', files);
      const covered = (await tx.query<{ code_insee: string }>('SELECT DISTINCT code_insee FROM stg_fibre')).rows.map(
        (r) => r.code_insee,
      );
      if (!covered.length)
        throw new AppError(
          'IMPORT_ECHEC',
          'no valid building',
          'Aucun immeuble valide dans le fichier : rien n’a été remplacé.',
        );
      await tx.query(
        "ALTER TABLE stg_fibre ADD COLUMN adresse_id text, ADD COLUMN appariement text NOT NULL DEFAULT 'aucun', ADD COLUMN distance_m double precision",
      );
      const s = await matchTable(tx, { table: 'stg_fibre', kind: 'fibre' });
      await tx.query(
        'DELETE FROM fibre_immeuble WHERE code_insee = ANY($1::text[]) OR imb_id IN (SELECT imb_id FROM stg_fibre)',
        [covered],
      );
      const cols = [
        ...Object.keys(FIBRE_COLS).filter((c) => c !== 'n'),
        'adresse_id',
        'appariement',
        'distance_m',
      ].join(', ');
      const ins = await tx.query(`INSERT INTO fibre_immeuble (${cols}) SELECT ${cols} FROM stg_fibre`);
      const byEtat = (
        await tx.query<{ imb_etat: string; n: number }>(
          'SELECT imb_etat, count(*)::int AS n FROM stg_fibre GROUP BY 1 ORDER BY 2 DESC',
        )
      ).rows;
      return { inserted: ins.rowCount, communes: covered.length, s, byEtat };
    });
    tally.accepted = res.inserted;
    return `${res.inserted} immeubles dans ${res.communes} commune${res.communes > 1 ? 's' : ''} (${res.byEtat.map((e) => `${e.imb_etat} ${e.n}`).join(', ')}) ; ${summaryText(res.s)}.${badDates ? ` ${badDates} dates illisibles laissées vides.` : ''}`;
  },
});
