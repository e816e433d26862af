import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { readCsv, readHeader } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { collectiviteSirens, listDepartements, listRegions } from '../territories/service.ts';
import { normalizeName } from '../text/normalize.ts';
import { snapshotRates } from './collectivites.ts';
import { deleteOrganisations, type OrganisationRow, upsertOrganisations } from './queries.ts';

/**
 * Job `opendata-collectivites`: who publishes open data. Two CSV layouts, told apart by their header:
 * - the OpenDataFrance observatory's list of publishing organisations (`siren,nom,url_platform,id_datagouv,
 *   techno_platform`, or `nom_odf` for the name): the whole list, which replaces the stored one; an
 *   organisation that is no collectivité (agency, SDIS, port…) is kept as an associated actor;
 * - a status file (`siren,nom,url_plateforme,jeux,derniere_publication`, optional `id_datagouv`): counts and
 *   dates entered by the région for collectivités, merged into the stored rows; its SIREN must be a collectivité's.
 * Each SIREN is resolved to its territory: a commune or an EPCI by the SIREN the COG gives them; a
 * département by the SIREN series of départements (22 + its code) or its name; a région by its name.
 */

const HEADER_NAMES = ['nom', 'nom_odf'];
const URL_NAMES = ['url_platform', 'url_plateforme', 'url_portail'];

const first = (row: Record<string, string>, names: string[]) => {
  for (const n of names) if (row[n]) return row[n]!;
  return null;
};

/** `2024-03-01` or `01/03/2024`, checked to exist. */
function isoDay(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) ?? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (!m) return null;
  const iso = m[0].includes('/') ? `${m[3]}-${m[2]}-${m[1]}` : m[0];
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

const stripPrefix = (n: string) =>
  n.replace(
    /^(conseil departemental|departement|conseil regional|region|collectivite)( de la| du| des| de l| de| d)? /,
    '',
  );

export const opendataCollectivitesJob = defineJob({
  name: 'opendata-collectivites',
  title: 'Publication de données ouvertes par les collectivités (observatoire OpenDataFrance)',
  accepts:
    'CSV de l’observatoire open data des territoires (OpenDataFrance) : siren, nom (ou nom_odf), url_platform, id_datagouv, techno_platform — la liste complète des organisations qui publient, qui remplace la précédente. Ou CSV de statut : siren, nom, url_plateforme, jeux (nombre de jeux publiés), derniere_publication (AAAA-MM-JJ ou JJ/MM/AAAA), id_datagouv — fusionné avec la liste ; un SIREN qui n’est pas celui d’une collectivité est rejeté. Option date=AAAA-MM-JJ : la date que décrit la liste (2022-12-31 pour la liste 2022), qui date le taux enregistré (par défaut, le jour de l’import).',
  options: z
    .object({
      /** The date the list describes (the ODF 2022 list: 2022-12-31); the import day otherwise. */
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'date attendue au format AAAA-MM-JJ')
        .refine((d) => isoDay(d) === d, 'date inexistante')
        .optional(),
    })
    .strict(),
  async run({ db, tally, config, runId }, source, options) {
    const limits = readLimits(config);
    const { header } = await readHeader(source.path, limits);
    if (!header.includes('siren') || !HEADER_NAMES.some((h) => header.includes(h)))
      throw new AppError(
        'IMPORT_ECHEC',
        `header: ${header.join(',')}`,
        `En-tête non reconnu : les colonnes « siren » et « nom » (ou « nom_odf ») sont attendues ; trouvé « ${header.slice(0, 8).join(', ')} ».`,
      );
    const status = header.includes('jeux') || header.includes('derniere_publication');
    const fichier = path.basename(source.name);

    const bySiren = new Map((await collectiviteSirens(db)).map((s) => [s.siren, s]));
    const deps = await listDepartements(db);
    const depBySeries = new Map(deps.filter((d) => /^\d{2}$/.test(d.code)).map((d) => [`22${d.code}`, d.code]));
    const depByName = new Map(deps.map((d) => [normalizeName(d.nom), d.code]));
    const regByName = new Map((await listRegions(db)).map((r) => [normalizeName(r.nom), r.code]));
    const resolve = (siren: string, nom: string): Pick<OrganisationRow, 'niveau' | 'code'> => {
      const t = bySiren.get(siren);
      if (t) return { niveau: t.niveau, code: t.code };
      const n = stripPrefix(normalizeName(nom));
      if (siren.startsWith('22')) {
        const d = depBySeries.get(siren.slice(0, 4)) ?? depByName.get(n);
        if (d) return { niveau: 'departement', code: d };
      }
      if (/^2[03]/.test(siren)) {
        const r = regByName.get(n);
        if (r) return { niveau: 'region', code: r };
      }
      return { niveau: null, code: null };
    };

    const rows: OrganisationRow[] = [];
    const seen = new Map<string, number>();
    for await (const { n, row, raw } of readCsv(source.path, tally, { limits })) {
      tally.read++;
      // Spaces and invisible marks (the 2022 file has a SIREN behind a left-to-right mark) are not part of it.
      const siren = (row.siren ?? '').replace(/[\s\u200B-\u200F\u2060\uFEFF]/g, '');
      const nom = first(row, HEADER_NAMES);
      if (!/^\d{9}$/.test(siren)) {
        tally.reject(n, `SIREN invalide « ${siren.slice(0, 20)} » : 9 chiffres attendus`, raw);
        continue;
      }
      if (!nom) {
        tally.reject(n, 'nom manquant', raw);
        continue;
      }
      if (seen.has(siren)) {
        tally.reject(n, `SIREN ${siren} déjà donné ligne ${seen.get(siren)}`, raw);
        continue;
      }
      const url = first(row, URL_NAMES);
      if (url && !/^https?:\/\/[^\s]+$/i.test(url)) {
        tally.reject(n, `adresse de plateforme invalide « ${url.slice(0, 60)} » : http(s) attendu`, raw);
        continue;
      }
      let jeux: number | null = null;
      if (row.jeux) {
        if (!/^\d{1,7}$/.test(row.jeux)) {
          tally.reject(n, `nombre de jeux invalide « ${row.jeux.slice(0, 20)} » : entier positif attendu`, raw);
          continue;
        }
        jeux = Number(row.jeux);
      }
      let date: string | null = null;
      if (row.derniere_publication) {
        date = isoDay(row.derniere_publication);
        if (!date) {
          tally.reject(n, `date de dernière publication invalide « ${row.derniere_publication.slice(0, 20)} »`, raw);
          continue;
        }
      }
      const where = resolve(siren, nom);
      if (status && !where.niveau) {
        tally.reject(n, `SIREN ${siren} inconnu : aucune commune, aucun EPCI, département ou région ne le porte`, raw);
        continue;
      }
      seen.set(siren, n);
      rows.push({
        siren,
        nom,
        ...where,
        url_plateforme: url,
        id_datagouv: row.id_datagouv || null,
        technologie: row.techno_platform || row.technologie || null,
        jeux,
        derniere_publication: date,
        fichier,
      });
      tally.accepted++;
    }
    if (!rows.length) throw new AppError('IMPORT_ECHEC', 'no valid row', 'Aucune ligne valide : rien n’a été modifié.');
    await db.transaction(async (tx) => {
      if (!status) await deleteOrganisations(tx);
      await upsertOrganisations(
        tx,
        rows.map((r) => ({ ...r, run_id: runId })),
      );
      await snapshotRates(tx, config.region, options.date ?? new Date().toISOString().slice(0, 10), runId, fichier);
    });
    const known = rows.filter((r) => r.niveau).length;
    return `${rows.length} organisations (${known} collectivités reconnues, ${rows.length - known} acteurs associés)${status ? ', fusionnées avec la liste' : ', liste remplacée'}`;
  },
});
