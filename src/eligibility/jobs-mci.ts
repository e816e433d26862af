import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { insertJson, type Queryable, type Row } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { type ReadLimits, readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import {
  boolOf,
  communeResolver,
  FILE_STRIDE,
  hasAny,
  intOrNull,
  pick,
  positionOf,
  sourceFiles,
  textOrNull,
} from './common.ts';
import { toLonLat } from './coords.ts';
import { matchTable } from './match-db.ts';
import { summaryText } from './matching.ts';
import { CLASSES, type ClasseDebit, TECHNOS, type Techno } from './reference.ts';

const BATCH = 5000;
const SridSchema = z
  .enum(['auto', '4326', '3857', '2154'])
  .default('auto')
  .describe(
    'Système des coordonnées : auto (degrés WGS84 ou mètres EPSG:3857 reconnus à leur plage), 4326, 3857 ou 2154 (Lambert-93)',
  );

const IMB_COLS = {
  n: 'bigint',
  imb_id: 'text',
  imb_code: 'text',
  code_insee: 'text',
  code_insee_source: 'text',
  lon: 'double precision',
  lat: 'double precision',
  nb_locaux: 'integer',
  imb_source: 'text',
  imb_type: 'text',
  addr_code: 'text',
  imb_num: 'text',
  addr_numero: 'integer',
  addr_rep: 'text',
  addr_nom_voie: 'text',
  addr_nom_ld: 'text',
  addr_code_insee: 'text',
  addr_nom_commune: 'text',
  addr_id_fantoir: 'text',
  addr_source: 'text',
} as const;
const STORED_IMB = Object.keys(IMB_COLS).filter((c) => c !== 'n');

/** Removes later duplicates of a key from a staging table, each one a reject with its line number. */
export async function dropDuplicates(
  tx: Queryable,
  table: string,
  key: string,
  tally: RunTally,
  label: string,
  files: string[],
): Promise<number> {
  const keys = key.split(',').map((k) => k.trim());
  const dup = await tx.query<{ n: number; k: string }>(
    `DELETE FROM ${table} a USING ${table} b WHERE ${keys.map((k) => `a.${k} = b.${k}`).join(' AND ')} AND a.n > b.n
     RETURNING a.n::float8 AS n, concat_ws(' / ', ${keys.map((k) => `a.${k}`).join(', ')}) AS k`,
  );
  const seen = new Set<number>();
  for (const r of dup.rows.sort((x, y) => x.n - y.n)) {
    if (seen.has(r.n)) continue;
    seen.add(r.n);
    const p = positionOf(files, r.n);
    tally.reject(p.line, `${p.prefix}${label} en double (${r.k}) : seule la première ligne est gardée`);
  }
  return seen.size;
}

export const mciImmeublesJob = defineJob({
  name: 'mci-immeubles',
  title: 'Ma connexion internet — base immeubles (base_imb)',
  accepts:
    'Fichier base_imb.csv ou base_imb_XX.csv(.gz) de Ma connexion internet (ARCEP), séparateur « ; » ou « , », ou dossier de tels fichiers. Colonnes imb_id, imb_longitude/imb_latitude (ou imb_x/imb_y), imb_code, imb_code_insee, imb_nbr_logloc, imb_source, imb_type, addr_code, addr_numero, addr_rep, addr_nom_voie, addr_nom_ld… Remplace les immeubles (et leur éligibilité) des communes présentes dans le fichier.',
  options: z.object({ srid: SridSchema }).strict(),
  async run({ db, tally, log, config }, source, options) {
    const limits = readLimits(config);
    const files = sourceFiles(source, /^base_imb.*\.csv(\.gz)?$/i, 'base_imb*.csv');
    const t0 = Date.now();
    const communes = await communeResolver(db);
    let replacedElsewhere = 0;
    const summary = await db.transaction(async (tx) => {
      await tx.query(
        `CREATE TEMP TABLE stg_mci_imb (${Object.entries(IMB_COLS)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}) ON COMMIT DROP`,
      );
      let batch: Row[] = [];
      for (const [fi, file] of files.entries()) {
        const { header } = await readHeader(file, limits);
        if (
          !hasAny(header, 'imb_id') ||
          !hasAny(header, 'imb_longitude', 'imb_x', 'x') ||
          !hasAny(header, 'imb_code_insee')
        ) {
          throw new AppError(
            'SOURCE_ILLISIBLE',
            `bad header ${header.join(',')}`,
            `${file.split('/').pop()} n'a pas les colonnes d'une base immeubles MCI (imb_id, imb_longitude/imb_x, imb_latitude/imb_y, imb_code_insee). En-tête lu : ${header.slice(0, 12).join(', ')}.`,
          );
        }
        for await (const { n, row, raw } of readCsv(file, tally, { limits })) {
          tally.read++;
          const line = fi * FILE_STRIDE + n;
          const reject = (reason: string) => tally.reject(n, `${positionOf(files, line).prefix}${reason}`, raw);
          const imbId = textOrNull(row.imb_id, 40);
          if (!imbId) {
            reject('imb_id manquant');
            continue;
          }
          const p = toLonLat(
            pick(row, 'imb_longitude', 'imb_x', 'x'),
            pick(row, 'imb_latitude', 'imb_y', 'y'),
            options.srid,
          );
          if ('error' in p) {
            reject(p.error);
            continue;
          }
          const src = textOrNull(row.imb_code_insee, 10);
          const code = communes.resolve(src);
          if (!code) {
            reject(src ? `code commune inconnu : ${src}` : 'imb_code_insee manquant');
            continue;
          }
          const nb = intOrNull(row.imb_nbr_logloc);
          if (nb === 'invalide' || (nb !== null && nb < 0)) {
            reject(`imb_nbr_logloc invalide : ${row.imb_nbr_logloc}`);
            continue;
          }
          const num = intOrNull(row.addr_numero);
          const type = (row.imb_type ?? '').trim().toLowerCase();
          batch.push({
            n: line,
            imb_id: imbId,
            imb_code: textOrNull(row.imb_code, 60),
            code_insee: code,
            code_insee_source: src,
            lon: p.lon,
            lat: p.lat,
            nb_locaux: nb,
            imb_source: textOrNull(row.imb_source, 10)?.toLowerCase() ?? null,
            imb_type:
              type === 'im' || type === 'imm' ? 'imm' : type === 'pa' || type === 'pav' ? 'pav' : textOrNull(type, 25),
            addr_code: textOrNull(row.addr_code, 60),
            imb_num: textOrNull(row.imb_num, 60),
            addr_numero: num === 'invalide' ? null : num,
            addr_rep: textOrNull(row.addr_rep, 20),
            addr_nom_voie: textOrNull(row.addr_nom_voie),
            addr_nom_ld: textOrNull(row.addr_nom_ld),
            addr_code_insee: textOrNull(row.addr_code_insee, 10),
            addr_nom_commune: textOrNull(row.addr_nom_commune),
            addr_id_fantoir: textOrNull(row.addr_id_fantoir, 20),
            addr_source: textOrNull(row.addr_source, 10)?.toLowerCase() ?? null,
          });
          if (batch.length >= BATCH) {
            await insertJson(tx, 'stg_mci_imb', IMB_COLS, batch);
            batch = [];
          }
        }
      }
      await insertJson(tx, 'stg_mci_imb', IMB_COLS, batch);
      await dropDuplicates(tx, 'stg_mci_imb', 'imb_id', tally, 'imb_id', files);
      const t1 = Date.now();
      const covered = (await tx.query<{ code_insee: string }>('SELECT DISTINCT code_insee FROM stg_mci_imb')).rows.map(
        (r) => r.code_insee,
      );
      if (!covered.length)
        throw new AppError(
          'IMPORT_ECHEC',
          'no valid building',
          'Aucun immeuble valide dans le fichier : rien n’a été remplacé.',
        );
      await tx.query(
        "ALTER TABLE stg_mci_imb ADD COLUMN adresse_id text, ADD COLUMN appariement text NOT NULL DEFAULT 'aucun', ADD COLUMN distance_m double precision",
      );
      const timings = { load_ms: 0, match_ms: 0, write_ms: 0 };
      const s = await matchTable(tx, { table: 'stg_mci_imb', kind: 'mci' }, undefined, timings);
      const t2 = Date.now();
      // imb_id is only unique within one quarter: a same id left by an older import elsewhere goes.
      replacedElsewhere = (
        await tx.query(
          `DELETE FROM mci_immeuble WHERE imb_id IN (SELECT imb_id FROM stg_mci_imb) AND NOT (code_insee = ANY($1::text[]))`,
          [covered],
        )
      ).rowCount;
      await tx.query('DELETE FROM mci_immeuble WHERE code_insee = ANY($1::text[])', [covered]);
      const cols = [...STORED_IMB, 'adresse_id', 'appariement', 'distance_m'].join(', ');
      const ins = await tx.query(`INSERT INTO mci_immeuble (${cols}) SELECT ${cols} FROM stg_mci_imb`);
      tally.accepted = ins.rowCount;
      // Cartefibre buildings of these communes may now be matched through the MCI building code.
      const fibre = (
        await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM fibre_immeuble WHERE code_insee = ANY($1::text[])',
          [covered],
        )
      ).rows[0]!.n;
      if (fibre) await matchTable(tx, { table: 'fibre_immeuble', kind: 'fibre' }, covered);
      log.info(
        { read_ms: t1 - t0, match_total_ms: t2 - t1, ...timings, store_ms: Date.now() - t2, buildings: tally.accepted },
        'mci-immeubles phases',
      );
      return { s, communes: covered.length };
    });
    return `${tally.accepted} immeubles dans ${summary.communes} commune${summary.communes > 1 ? 's' : ''} ; ${summaryText(summary.s)}.${replacedElsewhere ? ` ${replacedElsewhere} immeubles d'un import antérieur portant les mêmes identifiants ont été retirés.` : ''} L'éligibilité (actuel.csv) de ces communes est à importer de nouveau (job mci-eligibilite) : les identifiants changent à chaque trimestre.`;
  },
});

const ELIG_COLS = {
  n: 'bigint',
  imb_id: 'text',
  code_operateur: 'text',
  code_techno: 'text',
  classe_descendant: 'text',
  classe_montant: 'text',
  limitation_go: 'integer',
  saturation: 'boolean',
} as const;

/** The dictionary lists both BHD/THD and BHD8/THD30 for the same classes. */
function classeOf(s: string | undefined): ClasseDebit | null | 'invalide' {
  const t = (s ?? '').trim().toUpperCase();
  if (!t) return null;
  const alias: Record<string, ClasseDebit> = { BHD: 'BHD8', THD: 'THD30', HD: 'HD05' };
  const c = (alias[t] ?? t) as ClasseDebit;
  return CLASSES.includes(c) ? c : 'invalide';
}

async function loadOperators(tx: Queryable, file: string, tally: RunTally, limits: ReadLimits): Promise<number> {
  const rows: Row[] = [];
  const seen = new Set<string>();
  for await (const { n, row, raw } of readCsv(file, tally, { limits })) {
    tally.read++;
    const code = textOrNull(row.code, 10);
    const nom = textOrNull(row.nom, 150);
    if (!code || !nom) {
      tally.reject(n, 'operateur.csv : code ou nom manquant', raw);
      continue;
    }
    if (seen.has(code)) {
      tally.reject(n, `operateur.csv : code ${code} en double`, raw);
      continue;
    }
    seen.add(code);
    rows.push({ code, code_interop: textOrNull(row.code_interop, 10), nom });
  }
  if (!rows.length)
    throw new AppError('IMPORT_ECHEC', 'empty operateur.csv', 'operateur.csv ne contient aucun opérateur valide.');
  await tx.query('DELETE FROM mci_operateur');
  await insertJson(tx, 'mci_operateur', { code: 'text', code_interop: 'text', nom: 'text' }, rows);
  return rows.length;
}

export const mciOperateursJob = defineJob({
  name: 'mci-operateurs',
  title: 'Ma connexion internet — liste des opérateurs (operateur.csv)',
  accepts: 'Fichier operateur.csv de Ma connexion internet (ARCEP) : code, code_interop, nom. Remplace la liste.',
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const [file] = sourceFiles(source, /^operateur.*\.csv(\.gz)?$/i, 'operateur*.csv');
    const n = await db.transaction((tx) => loadOperators(tx, file!, tally, readLimits(config)));
    tally.accepted = n;
    return `${n} opérateurs.`;
  },
});

export const mciEligibiliteJob = defineJob({
  name: 'mci-eligibilite',
  title: 'Ma connexion internet — éligibilité des immeubles (actuel)',
  accepts:
    'Fichier actuel.csv ou actuel_XX.csv(.gz) de Ma connexion internet (ARCEP) : imb_id, addr_code, imb_code, code_operateur, code_techno, classe_debit_montant, classe_debit_descendant, limitation, saturation ; ou dossier contenant actuel*.csv et, facultativement, operateur.csv. Les immeubles doivent avoir été importés avant (job mci-immeubles, même trimestre). Remplace l’éligibilité des communes présentes.',
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const limits = readLimits(config);
    const files = sourceFiles(source, /^actuel.*\.csv(\.gz)?$/i, 'actuel*.csv');
    const opFile = fs.statSync(source.path).isDirectory()
      ? fs
          .readdirSync(source.path)
          .filter((f) => /^operateur.*\.csv(\.gz)?$/i.test(f))
          .map((f) => path.join(source.path, f))[0]
      : undefined;
    const res = await db.transaction(async (tx) => {
      const ops = opFile ? await loadOperators(tx, opFile, tally, limits) : 0;
      await tx.query(
        `CREATE TEMP TABLE stg_mci_elig (${Object.entries(ELIG_COLS)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}) ON COMMIT DROP`,
      );
      let batch: Row[] = [];
      let read = 0;
      for (const [fi, file] of files.entries()) {
        const { header } = await readHeader(file, limits);
        if (!hasAny(header, 'imb_id') || !hasAny(header, 'code_techno') || !hasAny(header, 'code_operateur')) {
          throw new AppError(
            'SOURCE_ILLISIBLE',
            `bad header ${header.join(',')}`,
            `${file.split('/').pop()} n'a pas les colonnes d'une table d'éligibilité MCI (imb_id, code_operateur, code_techno, classe_debit_descendant…). En-tête lu : ${header.slice(0, 12).join(', ')}.`,
          );
        }
        for await (const { n, row, raw } of readCsv(file, tally, { limits })) {
          tally.read++;
          read++;
          const line = fi * FILE_STRIDE + n;
          const reject = (reason: string) => tally.reject(n, `${positionOf(files, line).prefix}${reason}`, raw);
          const imbId = textOrNull(row.imb_id, 40);
          if (!imbId) {
            reject('imb_id manquant');
            continue;
          }
          const techno = (row.code_techno ?? '').trim().toUpperCase() as Techno;
          if (!TECHNOS.includes(techno)) {
            reject(`code_techno inconnu : ${row.code_techno ?? ''} (attendu ${TECHNOS.join(', ')})`);
            continue;
          }
          const op = textOrNull(row.code_operateur, 10);
          if (!op) {
            reject('code_operateur manquant');
            continue;
          }
          const down = classeOf(row.classe_debit_descendant);
          const up = classeOf(row.classe_debit_montant);
          if (down === 'invalide' || up === 'invalide') {
            reject(
              `classe de débit inconnue : ${row.classe_debit_descendant ?? ''} / ${row.classe_debit_montant ?? ''}`,
            );
            continue;
          }
          const lim = intOrNull(row.limitation);
          if (lim === 'invalide') {
            reject(`limitation invalide : ${row.limitation}`);
            continue;
          }
          const sat = boolOf(row.saturation);
          if (sat === null) {
            reject(`saturation invalide : ${row.saturation}`);
            continue;
          }
          batch.push({
            n: line,
            imb_id: imbId,
            code_operateur: op,
            code_techno: techno,
            classe_descendant: down,
            classe_montant: up,
            limitation_go: lim,
            saturation: sat,
          });
          if (batch.length >= BATCH) {
            await insertJson(tx, 'stg_mci_elig', ELIG_COLS, batch);
            batch = [];
          }
        }
      }
      await insertJson(tx, 'stg_mci_elig', ELIG_COLS, batch);
      await dropDuplicates(
        tx,
        'stg_mci_elig',
        'imb_id, code_operateur, code_techno',
        tally,
        'immeuble / opérateur / technologie',
        files,
      );
      const orphans = await tx.query<{ n: number; imb_id: string }>(
        `DELETE FROM stg_mci_elig s WHERE NOT EXISTS (SELECT 1 FROM mci_immeuble i WHERE i.imb_id = s.imb_id) RETURNING s.n::float8 AS n, s.imb_id`,
      );
      for (const o of orphans.rows.sort((a, b) => a.n - b.n)) {
        const p = positionOf(files, o.n);
        tally.reject(
          p.line,
          `${p.prefix}immeuble ${o.imb_id} absent de la base immeubles importée (importez base_imb du même trimestre avec mci-immeubles)`,
        );
      }
      const covered = (
        await tx.query<{ code_insee: string }>(
          'SELECT DISTINCT i.code_insee FROM stg_mci_elig s JOIN mci_immeuble i ON i.imb_id = s.imb_id',
        )
      ).rows.map((r) => r.code_insee);
      if (!covered.length) {
        throw new AppError(
          'IMPORT_ECHEC',
          `no usable row of ${read}`,
          'Aucune ligne d’éligibilité ne se rattache à un immeuble importé : rien n’a été remplacé. Importez d’abord la base immeubles du même trimestre (mci-immeubles).',
        );
      }
      await tx.query(
        'DELETE FROM mci_eligibilite e USING mci_immeuble i WHERE e.imb_id = i.imb_id AND i.code_insee = ANY($1::text[])',
        [covered],
      );
      const cols = Object.keys(ELIG_COLS)
        .filter((c) => c !== 'n')
        .join(', ');
      const ins = await tx.query(`INSERT INTO mci_eligibilite (${cols}) SELECT ${cols} FROM stg_mci_elig`);
      const byTech = (
        await tx.query<{ code_techno: string; n: number }>(
          'SELECT code_techno, count(*)::int AS n FROM stg_mci_elig GROUP BY 1 ORDER BY 2 DESC',
        )
      ).rows;
      const unknownOps = (
        await tx.query<{ code_operateur: string }>(
          'SELECT DISTINCT code_operateur FROM stg_mci_elig s WHERE NOT EXISTS (SELECT 1 FROM mci_operateur o WHERE o.code = s.code_operateur) ORDER BY 1 LIMIT 20',
        )
      ).rows.map((r) => r.code_operateur);
      return { inserted: ins.rowCount, communes: covered.length, byTech, ops, unknownOps };
    });
    tally.accepted = res.inserted;
    return `${res.inserted} lignes d'éligibilité dans ${res.communes} commune${res.communes > 1 ? 's' : ''} (${res.byTech.map((t) => `${t.code_techno} ${t.n}`).join(', ')}).${res.ops ? ` ${res.ops} opérateurs (operateur.csv).` : ''}${res.unknownOps.length ? ` Codes opérateurs sans nom connu : ${res.unknownOps.join(', ')} (importez operateur.csv).` : ''}`;
  },
});
