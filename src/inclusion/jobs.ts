import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { shapeOf } from '../geo/service.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { jsonElements } from '../imports/json.ts';
import { readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import type { Source } from '../imports/source.ts';
import { communeCodes } from '../territories/codes.ts';
import { allCurrentCommunes } from '../territories/service.ts';
import { safeText } from '../text/safe.ts';
import { pointInside } from './geometry.ts';
import { replaceSource } from './merge.ts';
import {
  type CommuneResolver,
  communeResolver,
  detectLayout,
  franceServicesRecord,
  LAYOUT_LABEL,
  type Layout,
  mediationRecord,
  type PlaceInput,
} from './parse.ts';

/** Licence of the national files read here (ANCT, data·inclusion, local producers publishing in the schema). */
export const LICENCE = 'licence-ouverte-2.0';

export const Slug = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9.-]{0,59}$/, 'jeu : lettres minuscules, chiffres, points et tirets');

/** Default dataset name of a layout: a re-import under the same name replaces that dataset's records only. */
const DEFAULT_SOURCE: Record<Layout, string> = {
  'v0-2022': 'cnfs-cartographie',
  'data-inclusion-2022': 'data-inclusion',
  'v1-2023': 'lieux-mediation',
  'schema-2024': 'lieux-mediation',
};

export async function resolverOf(db: Db): Promise<CommuneResolver> {
  return communeResolver(await allCurrentCommunes(db), (await communeCodes(db)).current);
}

type Read = { line: number; rec: Record<string, unknown>; raw: string };

/** Elements of a JSON array, or CSV rows keyed by their header: the same records either way. */
export async function* recordsOf(source: Source, tally: RunTally, limits: ReturnType<typeof readLimits>) {
  if (/\.json(\.gz)?$/i.test(source.name) || /\.geojson(\.gz)?$/i.test(source.name)) {
    let i = 0;
    for await (const el of jsonElements(source.path, limits, {})) {
      i++;
      const raw = JSON.stringify(el).slice(0, 300);
      if (!el || typeof el !== 'object' || Array.isArray(el)) {
        tally.read++;
        tally.reject(i, 'élément qui n’est pas un objet JSON', raw);
        continue;
      }
      yield { line: i, rec: el as Record<string, unknown>, raw } satisfies Read;
    }
    return;
  }
  const { header, delimiter } = await readHeader(source.path, limits);
  const onBad = (n: number, reason: string, raw: string) => {
    tally.read++;
    tally.reject(n, `ligne illisible : ${reason}`, raw);
  };
  let first = true;
  for await (const r of readRecords(source.path, { limits, delimiter, onBad, expectedFields: header.length })) {
    if (first) {
      first = false;
      continue;
    }
    const rec: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const v = r.fields[k];
      // Every column of the header is a field (empty ones too): the layout is told from the header.
      rec[h] = v === undefined ? '' : safeText(v.trim());
    });
    yield { line: r.n, rec, raw: r.raw } satisfies Read;
  }
}

/** Records placed at their commune: a point inside its outline, or a reject when no outline was imported. */
export async function placeAtCommunes(db: Db, rows: { line: number; p: PlaceInput; raw: string }[], tally: RunTally) {
  const cache = new Map<string, { lon: number; lat: number } | null>();
  const out: PlaceInput[] = [];
  for (const { line, p, raw } of rows) {
    if (p.precision === 'commune' && p.code_insee) {
      if (!cache.has(p.code_insee)) {
        const s = await shapeOf(db, 'commune', p.code_insee);
        cache.set(p.code_insee, s ? pointInside(s.geometrie) : null);
      }
      const pt = cache.get(p.code_insee);
      if (!pt) {
        tally.reject(
          line,
          `pas de coordonnées, et la commune ${p.code_insee} n’a pas de contour importé (placement à la commune impossible)`,
          raw,
        );
        continue;
      }
      p.lon = pt.lon;
      p.lat = pt.lat;
    }
    out.push(p);
  }
  return out;
}

export function noneValid(fichier: string, tally: RunTally): AppError {
  return new AppError(
    'IMPORT_ECHEC',
    `no valid place in ${fichier}`,
    `Aucun lieu valide dans ${fichier} (${tally.rejected} ligne(s) rejetée(s) : voir les motifs). Les lieux déjà importés de cette source sont conservés.`,
  );
}

/** Keeps the first record of each id; later ones are rejects. */
export function uniqueIds(rows: { line: number; p: PlaceInput; raw: string }[], tally: RunTally) {
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (seen.has(r.p.source_id)) {
      tally.reject(r.line, `identifiant en double dans le fichier : « ${r.p.source_id} »`, r.raw);
      return false;
    }
    seen.add(r.p.source_id);
    return true;
  });
}

export const lieuxMediationJob = defineJob({
  name: 'lieux-mediation',
  title: 'Lieux de médiation numérique (schéma national LieuxDeMediationNumerique, export data·inclusion)',
  accepts:
    'Fichier JSON (tableau d’objets) ou CSV du schéma national des lieux de médiation numérique, dans l’une de ses générations : « v0 » de la cartographie des conseillers numériques (2022, services séparés par des virgules), export data·inclusion (2022, « ; »), schéma 1.x (2023, « | »), schéma 2024 (« / »). Le format est reconnu à ses champs. Un lieu sans coordonnées est placé dans sa commune (précision « commune ») si le contour de celle-ci a été importé. Les doublons avec les autres sources (même SIRET à moins de 200 m, ou même nom à moins de 100 m) sont fusionnés. Option : jeu=nom-du-jeu (par défaut selon le format : cnfs-cartographie, data-inclusion, lieux-mediation) ; un nouvel import du même jeu remplace ses lieux, et seulement eux.',
  options: z.object({ jeu: Slug.optional() }).strict(),
  async run({ db, tally, config, runId }, source, options) {
    const limits = readLimits(config);
    const fichier = path.basename(source.name);
    const resolve = await resolverOf(db);
    let layout: Layout | null = null;
    const parsed: { line: number; p: PlaceInput; raw: string }[] = [];
    for await (const { line, rec, raw } of recordsOf(source, tally, limits)) {
      if (!layout) {
        layout = detectLayout(rec);
        if (!layout)
          throw new AppError(
            'IMPORT_ECHEC',
            `unknown layout ${Object.keys(rec).join(',')}`,
            `Format non reconnu dans ${fichier} : champs ${Object.keys(rec).slice(0, 12).join(', ')}. Attendu : le schéma des lieux de médiation numérique (champs id, nom, services, adresse, latitude, longitude…).`,
          );
      }
      tally.read++;
      const p = mediationRecord(rec, layout, resolve);
      if (typeof p === 'string') tally.reject(line, p, raw);
      else parsed.push({ line, p, raw });
    }
    if (!layout) throw noneValid(fichier, tally);
    const rows = await placeAtCommunes(db, uniqueIds(parsed, tally), tally);
    if (!rows.length) throw noneValid(fichier, tally);
    tally.accepted = rows.length;
    const jeu = options.jeu ?? DEFAULT_SOURCE[layout];
    const res = await db.transaction((tx) =>
      replaceSource(
        tx,
        { source: jeu, job: 'lieux-mediation', fichier, format: layout!, licence: LICENCE, runId },
        rows,
      ),
    );
    return `${rows.length} lieu(x) du jeu « ${jeu} » (${LAYOUT_LABEL[layout]}) depuis ${fichier} : ${res.merged} rapproché(s) d’un lieu d’une autre source, ${res.created} nouveau(x)${res.removed ? `, ${res.removed} lieu(x) retiré(s)` : ''}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});

/** `liste-fs-20240801.csv` → 2024-08-01: the list's date, given in its file name. */
function dateInName(name: string): string | null {
  const m = /(20\d{2})(\d{2})(\d{2})/.exec(name);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day ? day : null;
}

export const franceServicesJob = defineJob({
  name: 'france-services',
  title: 'France Services (liste des structures, ANCT)',
  accepts:
    'Liste CSV des France Services publiée par l’ANCT (colonnes id_fs, lib_fs, adresse, insee_com, latitude, longitude, mail, telephone, h_lundi … h_samedi, type_fs, format_fs…), séparateur « , » ou « ; », champs entre guillemets sur plusieurs lignes acceptés. La date de la liste est lue dans le nom du fichier (liste-fs-20240801.csv) ou donnée par l’option date=AAAA-MM-JJ. Un nouvel import remplace la liste précédente ; les lieux d’autres sources au même endroit (même nom à moins de 100 m) sont fusionnés.',
  options: z
    .object({
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ')
        .optional(),
    })
    .strict(),
  async run({ db, tally, config, runId }, source, options) {
    const limits = readLimits(config);
    const fichier = path.basename(source.name);
    const resolve = await resolverOf(db);
    const date = options.date ?? dateInName(fichier);
    const { header, delimiter } = await readHeader(source.path, limits);
    if (!header.includes('id_fs') || !header.includes('lib_fs'))
      throw new AppError(
        'IMPORT_ECHEC',
        `unknown header ${header.join(',')}`,
        `En-tête non reconnu dans ${fichier} (ligne 1) : ${header.slice(0, 10).join(' | ')}. Attendu : la liste des France Services de l’ANCT (id_fs, lib_fs, adresse, latitude, longitude, h_lundi…).`,
      );
    const parsed: { line: number; p: PlaceInput; raw: string }[] = [];
    const onBad = (n: number, reason: string, raw: string) => {
      tally.read++;
      tally.reject(n, `ligne illisible : ${reason}`, raw);
    };
    let first = true;
    for await (const r of readRecords(source.path, { limits, delimiter, onBad, expectedFields: header.length })) {
      if (first) {
        first = false;
        continue;
      }
      tally.read++;
      const c = (name: string) => {
        const j = header.indexOf(name);
        const v = j < 0 ? undefined : r.fields[j]?.trim();
        return v ? safeText(v) : undefined;
      };
      const p = franceServicesRecord(c, resolve, date);
      if (typeof p === 'string') tally.reject(r.n, p, r.raw);
      else parsed.push({ line: r.n, p, raw: r.raw });
    }
    const rows = uniqueIds(parsed, tally).map((r) => r.p);
    if (!rows.length) throw noneValid(fichier, tally);
    tally.accepted = rows.length;
    const res = await db.transaction((tx) =>
      replaceSource(
        tx,
        { source: 'france-services', job: 'france-services', fichier, format: 'anct-csv', licence: LICENCE, runId },
        rows,
      ),
    );
    return `${rows.length} France Services depuis ${fichier}${date ? ` (liste du ${date})` : ''} : ${res.merged} rapprochée(s) d’un lieu d’une autre source, ${res.created} nouvelle(s)${res.removed ? `, ${res.removed} retirée(s)` : ''}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});
