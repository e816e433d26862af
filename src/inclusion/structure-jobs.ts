/**
 * Import jobs of the national lists of structures without coordinates (Aidants Connect, employers of conseillers
 * numériques): each structure is placed at its address through the platform's address index when its commune's
 * addresses are imported (precision `adresse`), otherwise at a point inside its commune's outline (`commune`).
 */
import path from 'node:path';
import { z } from 'zod';
import { geocodeInCommune } from '../addresses/service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import type { Source } from '../imports/source.ts';
import type { CommuneRef } from '../territories/service.ts';
import { LICENCE, noneValid, placeAtCommunes, recordsOf, resolverOf, Slug, uniqueIds } from './jobs.ts';
import { replaceSource } from './merge.ts';
import {
  aidantsConnectCommune,
  aidantsConnectRecord,
  type CommuneResolver,
  cnfsCommune,
  cnfsStructureRecord,
  type PlaceInput,
  platformCommune,
  platformRecord,
  tiersLieuCommune,
  tiersLieuRecord,
} from './parse.ts';

type Row = { line: number; p: PlaceInput; raw: string };

const Options = z
  .object({
    jeu: Slug.optional(),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ')
      .optional(),
    perimetre: z.enum(['region', 'france'], { error: 'perimetre attendu : region ou france' }).default('region'),
  })
  .strict();

/** `…-2024-02.csv.gz` → 2024-02-01, `…-20240801.csv` → 2024-08-01: the list's date, given in its file name. */
function monthInName(name: string): string | null {
  const m = /(20\d{2})-?(\d{2})(?:-?(\d{2}))?(?!\d)/.exec(name);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3] ?? '01'}`;
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day ? day : null;
}

/** Places each record at its address when the address index knows its commune, else leaves it for the commune. */
async function placeByAddress(db: Db, log: Parameters<typeof geocodeInCommune>[0]['log'], rows: Row[]) {
  let byAddress = 0;
  for (const { p } of rows) {
    if (p.precision !== 'commune' || !p.adresse || !p.code_insee) continue;
    const text = [p.adresse, p.code_postal, p.commune].filter(Boolean).join(' ');
    const hit = await geocodeInCommune({ db, log }, text, p.code_insee);
    if (hit) {
      p.lon = hit.lon;
      p.lat = hit.lat;
      p.precision = 'adresse';
      byAddress++;
    }
  }
  return byAddress;
}

type Spec = {
  name: string;
  title: string;
  accepts: string;
  source: string;
  format: string;
  header: string[];
  label: string;
  /** Whether the option jeu names the dataset (several partners' files side by side). */
  named?: boolean;
  /** What a row is, in the run's message: « structure(s) », « tiers-lieu(x) ». */
  unit: string;
  record: (c: (n: string) => string | undefined, resolve: CommuneResolver, date: string | null) => PlaceInput | string;
  communeOf: (c: (n: string) => string | undefined, resolve: CommuneResolver) => CommuneRef | null;
};

function structureJob(spec: Spec) {
  return defineJob({
    name: spec.name,
    title: spec.title,
    accepts: spec.accepts,
    options: Options,
    async run({ db, tally, config, runId, log }, source: Source, options) {
      const limits = readLimits(config);
      const fichier = path.basename(source.name);
      const resolve = await resolverOf(db);
      const date = options.date ?? monthInName(fichier);
      const parsed: Row[] = [];
      let outside = 0;
      let checked = false;
      if (options.jeu && !spec.named)
        throw new AppError(
          'IMPORT_ECHEC',
          'jeu not allowed',
          `L’option jeu ne s’applique qu’au format lieux-plateforme.`,
        );
      const sourceName = spec.named && options.jeu ? `plateforme-${options.jeu}` : spec.source;
      for await (const { line, rec, raw } of recordsOf(source, tally as RunTally, limits)) {
        if (!checked) {
          checked = true;
          // The CSV reader lowercases header names.
          const missing = spec.header.filter((h) => !(h.toLowerCase() in rec));
          if (missing.length)
            throw new AppError(
              'IMPORT_ECHEC',
              `unknown header, missing ${missing.join(',')}`,
              `En-tête non reconnu dans ${fichier} : colonnes absentes ${missing.map((m) => `« ${m} »`).join(', ')}. Attendu : ${spec.label}.`,
            );
        }
        const c = (n: string) => {
          // JSON values as their CSV text: a list joined by « | », a number or a boolean written out.
          const raw = n.toLowerCase() in rec ? rec[n.toLowerCase()] : rec[n];
          const v = Array.isArray(raw)
            ? raw.join('|')
            : typeof raw === 'number' || typeof raw === 'boolean'
              ? String(raw)
              : raw;
          return typeof v === 'string' && v.trim() ? v.trim() : undefined;
        };
        // A row of another région is left aside before it is checked (a row with no known commune is checked).
        const ref = options.perimetre === 'region' ? spec.communeOf(c, resolve) : null;
        if (ref && ref.region !== config.region) {
          outside++;
          continue;
        }
        const p = spec.record(c, resolve, date);
        tally.read++;
        if (typeof p === 'string') tally.reject(line, p, raw);
        else parsed.push({ line, p, raw });
      }
      if (!checked) throw noneValid(fichier, tally);
      const unique = uniqueIds(parsed, tally);
      const byAddress = await placeByAddress(db, log, unique);
      const rows = await placeAtCommunes(db, unique, tally);
      if (!rows.length) throw noneValid(fichier, tally);
      tally.accepted = rows.length;
      const res = await db.transaction((tx) =>
        replaceSource(
          tx,
          { source: sourceName, job: spec.name, fichier, format: spec.format, licence: LICENCE, runId },
          rows,
        ),
      );
      return `${rows.length} ${spec.unit} depuis ${fichier}${date ? ` (liste du ${date})` : ''} : ${byAddress} placé(s) par l’index d’adresses, ${rows.filter((r) => r.precision === 'commune').length} à leur commune ; ${res.merged} rapprochée(s) d’un lieu d’une autre source, ${res.created} nouvelle(s)${res.removed ? `, ${res.removed} retirée(s)` : ''}${outside ? ` ; ${outside} hors de la région ignorée(s)` : ''}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
    },
  });
}

const PLACEMENT =
  'Sans coordonnées dans le fichier : chaque structure est placée à son adresse par l’index d’adresses de la plateforme quand les adresses de sa commune ont été importées (précision « adresse »), sinon en un point intérieur au contour de sa commune (précision « commune ») ; sans contour importé, la ligne est rejetée. Option perimetre=region (par défaut : seules les structures de la région de l’instance) ou france ; date=AAAA-MM-JJ (sinon lue dans le nom du fichier). Un nouvel import remplace la liste précédente, et seulement elle ; les lieux d’autres sources au même endroit (même SIRET à moins de 200 m, ou même nom à moins de 100 m) sont fusionnés.';

export const aidantsConnectJob = structureJob({
  name: 'aidants-connect',
  title: 'Aidants Connect (structures habilitées)',
  accepts: `Liste CSV des structures habilitées Aidants Connect (colonnes Name, ID, Is Active, City Insee Code, Address, Zip Code, Siret, France Services Label, City…). Les structures désactivées sont rejetées avec ce motif. ${PLACEMENT}`,
  source: 'aidants-connect',
  format: 'aidants-connect-csv',
  header: ['Name', 'ID', 'Is Active', 'City Insee Code', 'Address', 'Zip Code', 'Siret', 'City'],
  label: 'la liste des structures Aidants Connect (Name, ID, Is Active, City Insee Code, Address, Zip Code, Siret…)',
  unit: 'structure(s)',
  record: aidantsConnectRecord,
  communeOf: aidantsConnectCommune,
});

export const cnfsStructuresJob = structureJob({
  name: 'cnfs-structures',
  title: 'Structures employant des conseillers numériques (liste nationale)',
  accepts: `Liste CSV (« ; ») des structures employeuses de conseillers numériques France Services (colonnes Raison sociale, Commune INSEE — qui porte le nom de la commune —, SIRET, Code département, Adresse, Code commune INSEE, Code postal, France services…). Le SIRET est l’identifiant de la structure ; une structure dont le code commune contredit le département est rattachée par son code postal et son nom. ${PLACEMENT}`,
  source: 'cnfs-structures',
  format: 'cnfs-structures-csv',
  header: [
    'Raison sociale',
    'Commune INSEE',
    'SIRET',
    'Code département',
    'Adresse',
    'Code commune INSEE',
    'Code postal',
  ],
  label:
    'la liste des structures employeuses de conseillers numériques (Raison sociale; SIRET; Adresse; Code commune INSEE…)',
  unit: 'structure(s)',
  record: cnfsStructureRecord,
  communeOf: cnfsCommune,
});

export const tiersLieuxJob = structureJob({
  name: 'tiers-lieux',
  title: 'Tiers-lieux (recensement national de France Tiers-Lieux)',
  accepts:
    'Fiche d’identité du recensement des tiers-lieux de France Tiers-Lieux (bdftl-AAAA-01-fiche-identite.csv, séparateur « ; », colonnes ID_UNIQUE, NOM, ADRESSE, CODPOST, VILLE, DEPARTEMENT_TL, REGION_TL, LATITUDE, LONGITUDE en virgule décimale, INTERNET, EMAIL, TELEPHONE, DESCRI_COU, DATE_OUV, NOM_STRC_GEST…). Catégorie « tiers-lieu ». Un tiers-lieu sans coordonnées est placé à son adresse par l’index d’adresses quand celles de sa commune sont importées, sinon dans sa commune. Option perimetre=region (par défaut) ou france ; date=AAAA-MM-JJ (sinon lue dans le nom du fichier). Un nouvel import remplace le recensement précédent, et seulement lui ; les lieux d’autres sources au même endroit (même SIRET à moins de 200 m, ou même nom à moins de 100 m) sont fusionnés.',
  source: 'tiers-lieux',
  format: 'bdftl-fiche-identite',
  header: ['ID_UNIQUE', 'NOM', 'ADRESSE', 'CODPOST', 'VILLE', 'LATITUDE', 'LONGITUDE'],
  label:
    'la fiche d’identité du recensement France Tiers-Lieux (ID_UNIQUE; NOM; ADRESSE; CODPOST; VILLE; …; LATITUDE; LONGITUDE…)',
  unit: 'tiers-lieu(x)',
  record: tiersLieuRecord,
  communeOf: tiersLieuCommune,
});

export const lieuxPlateformeJob = structureJob({
  name: 'lieux-plateforme',
  title: 'Lieux au format de la plateforme (CSV ou JSON, pour les partenaires sans fichier national)',
  accepts:
    'Fichier CSV (séparateur « , » ou « ; », en-tête obligatoire) ou JSON (tableau d’objets) au format décrit dans le README, section « Format lieux-plateforme » : id, nom, categories (mediation, france-services, aidants-connect, conseiller-numerique, tiers-lieu, séparées par « | »), adresse, code_postal, commune, code_insee, latitude, longitude (point ou virgule décimale), siret, services (séparés par « | », vocabulaire du schéma national), telephone, courriel, site_web, horaires (OSM opening_hours), itinerant (oui/non), date_maj (AAAA-MM-JJ). Sans coordonnées, le lieu est placé à son adresse par l’index d’adresses quand celles de sa commune sont importées, sinon dans sa commune. Option jeu=nom-du-partenaire (jeu « plateforme-nom ») : un nouvel import du même jeu remplace ses lieux, et seulement eux ; perimetre=region (par défaut) ou france.',
  source: 'lieux-plateforme',
  format: 'lieux-plateforme',
  header: ['id', 'nom', 'categories'],
  label: 'le format lieux-plateforme (id, nom, categories, adresse, code_postal, commune, latitude, longitude…)',
  unit: 'lieu(x)',
  named: true,
  record: platformRecord,
  communeOf: platformCommune,
});
