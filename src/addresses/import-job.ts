import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { withStagingInParts } from '../db/staging.ts';
import { AppError } from '../errors.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { communeCodes } from '../territories/codes.ts';
import { type AddressFormat, type Detected, detectFormat, parseFields } from './formats.ts';
import { newIndexBuild } from './index-thread.ts';
import * as Q from './queries.ts';
import { noteImported } from './service.ts';

const OptionsSchema = z.object({
  /**
   * What one import replaces: every address of each département present in the file (BAN and BANO
   * files are département files), or of each commune present (a BAL covers one commune).
   * `auto`: département for BAN and BANO, commune for BAL.
   */
  perimetre: z.enum(['auto', 'departement', 'commune']).default('auto'),
});

const FORMAT_LABEL: Record<AddressFormat, string> = { ban: 'BAN', bal: 'BAL', bano: 'BANO' };
const BATCH = 10_000;
/** Rows one swap transaction changes, at most (unless one commune alone has more): 0.1–0.3 s on PGlite. */
const PART_ROWS = 5_000;
type Part = { communes: string[]; gone: string[] };

async function filesOf(p: string): Promise<string[]> {
  const st = await fsp.stat(p);
  if (!st.isDirectory()) return [p];
  return (await fsp.readdir(p))
    .filter((f) => /\.csv(\.gz)?$/i.test(f))
    .sort()
    .map((f) => path.join(p, f));
}

export const addressesJob = defineJob({
  name: 'adresses',
  title: 'Adresses (BAN, BAL ou BANO)',
  accepts:
    'Un fichier d’adresses au format BAN (adresses-XX.csv[.gz], 23 colonnes « ; »), BAL 1.3/1.4 (Base Adresse Locale, « ; ») ou BANO (sans en-tête, « , »), ou un dossier de tels fichiers ; le format est reconnu d’après le contenu. Chaque import remplace toutes les adresses des départements (BAN, BANO) ou des communes (BAL) présents dans le fichier.',
  options: OptionsSchema,
  async run(ctx, source, options) {
    const { db, tally } = ctx;
    const limits = readLimits(ctx.config);
    const communes = new Map((await Q.communeRefs(db)).map((c) => [c.code, c]));
    if (!communes.size)
      throw new AppError(
        'IMPORT_ECHEC',
        'commune table empty',
        'Le découpage administratif (import cog) doit être chargé avant les adresses.',
      );
    const codes = await communeCodes(db);
    const { runId } = ctx;
    const files = await filesOf(source.path);

    const perimeters = new Map<string, { replaced: number; loaded: number }>();
    const formats = new Set<AddressFormat>();
    const seen = new Set<string>();
    let mapped = 0;
    // The rows written, indexed as they go by, so that the search index need not read them back.
    const fresh = newIndexBuild();
    let perimeterKindUsed = 'departement' as 'departement' | 'commune';

    // Rows go to a staging table in short batches (reads get through between them); the swap — the
    // replaced rows deleted, the staged ones copied in — runs commune by commune (withStagingInParts).
    let seenState = '';
    let perimeter = { kind: perimeterKindUsed, keys: [] as string[] };
    let swapped = 0;
    let committed = 0;
    const touched = () => ({
      departements: new Set(perimeterKindUsed === 'departement' ? perimeters.keys() : []),
      communes: new Set(perimeterKindUsed === 'commune' ? perimeters.keys() : []),
    });
    try {
      await withStagingInParts<Part>(
        db,
        { like: 'adresse', columns: Q.ADDRESS_COLUMNS, runId, skipUnchanged: { key: 'id', ignore: ['import_run'] } },
        async (stage) => {
          let batch: Q.AddressInsert[] = [];
          const flush = async () => {
            if (!batch.length) return;
            await Promise.all([stage.insert(batch), fresh.addAll(batch)]);
            batch = [];
          };
          for (const file of files) {
            const fileLabel = files.length > 1 ? `${path.basename(file)} : ` : '';
            const { first } = await readHeader(file, limits);
            if (first === undefined)
              throw new AppError('SOURCE_ILLISIBLE', `empty file ${file}`, `${fileLabel}fichier vide.`);
            const detected: Detected | null = detectFormat(first);
            if (!detected) {
              throw new AppError(
                'SOURCE_ILLISIBLE',
                `unrecognised address format in ${file}: ${first.slice(0, 120)}`,
                `${fileLabel}format non reconnu : la première ligne n’est ni un en-tête BAN (id;id_fantoir;numero;rep;nom_voie;…), ni un en-tête BAL (…cle_interop…voie_nom…numero…), ni une ligne BANO (id,numero,voie,cp,ville,source,lat,lon).`,
              );
            }
            formats.add(detected.format);
            const perimeterKind =
              options.perimetre === 'auto'
                ? detected.format === 'bal'
                  ? 'commune'
                  : 'departement'
                : options.perimetre;
            if (perimeters.size && perimeterKind !== perimeterKindUsed) {
              throw new AppError(
                'IMPORT_ECHEC',
                'mixed perimeters',
                'Un même import ne peut pas mêler des fichiers BAL (remplacés par commune) et BAN/BANO (remplacés par département) ; importez-les séparément ou précisez l’option perimetre.',
              );
            }
            perimeterKindUsed = perimeterKind;
            const onBad = (n: number, reason: string, raw: string) => {
              tally.read++;
              tally.reject(n, `${fileLabel}${reason}`, raw);
            };
            let header = detected.hasHeader;
            for await (const { fields, n, raw: line } of readRecords(file, {
              limits,
              delimiter: detected.sep,
              onBad,
            })) {
              if (header) {
                header = false;
                continue;
              }
              tally.read++;
              const r = parseFields(detected!, fields);
              if (!r.ok) {
                tally.reject(n, fileLabel + r.reason, line);
                continue;
              }
              const a = r.value;
              let code = a.code_insee;
              if (!communes.has(code)) {
                const now = codes.current(code);
                if (!now) {
                  tally.reject(
                    n,
                    `${fileLabel}commune inconnue du Code officiel géographique (code INSEE ${code})`,
                    line,
                  );
                  continue;
                }
                code = now;
                mapped++;
              }
              if (seen.has(a.id)) {
                tally.reject(n, `${fileLabel}identifiant ${a.id} déjà présent plus haut dans le fichier`, line);
                continue;
              }
              seen.add(a.id);
              const c = communes.get(code)!;
              const key = perimeterKind === 'departement' ? c.departement : code;
              let p = perimeters.get(key);
              if (!p) {
                // Its stored addresses are replaced at the swap.
                p = { replaced: 0, loaded: 0 };
                perimeters.set(key, p);
              }
              p.loaded++;
              tally.accepted++;
              const row: Q.AddressInsert = {
                id: a.id,
                numero: a.numero,
                suffixe: a.suffixe,
                voie: a.voie,
                lieu_dit: a.lieu_dit,
                code_postal: a.code_postal ?? (c.codes_postaux.length === 1 ? c.codes_postaux[0]! : null),
                code_insee: code,
                commune: c.nom,
                departement: c.departement,
                lon: a.lon,
                lat: a.lat,
                source: detected!.format,
                import_run: runId,
              };
              batch.push(row);
              if (batch.length >= BATCH) await flush();
            }
          }
          if (!tally.accepted) {
            throw new AppError(
              'IMPORT_ECHEC',
              'no valid address',
              `Aucune adresse valide dans le fichier (${tally.rejected} lignes rejetées).`,
            );
          }
          await flush();
          // Outside the swap, in short reads: what is stored now, and which stored ids the file no longer has.
          perimeter = { kind: perimeterKindUsed, keys: [...perimeters.keys()] };
          const state = await Q.perimeterState(db, perimeter);
          for (const [key, p] of perimeters) p.replaced = state.counts.get(key) ?? 0;
          seenState = state.fingerprint;
          const staged = await Q.stagedPerCommune(db, stage.table);
          const inPerimeter =
            perimeterKindUsed === 'commune'
              ? perimeter.keys
              : [...communes.values()].filter((c) => perimeters.has(c.departement)).map((c) => c.code);
          const out: Part[] = [];
          let part: Part = { communes: [], gone: [] };
          let rows = 0;
          for (const code of inPerimeter.sort()) {
            const gone = (await Q.addressIdsOfCommune(db, code)).filter((id) => !seen.has(id));
            const n = gone.length + (staged.get(code) ?? 0);
            if (!n) continue;
            if (rows && rows + n > PART_ROWS) {
              out.push(part);
              part = { communes: [], gone: [] };
              rows = 0;
            }
            part.communes.push(code);
            part.gone.push(...gone);
            rows += n;
          }
          if (rows) out.push(part);
          return out;
        },
        async (tx, staging, part) => {
          if (!swapped++) {
            // Computed outside the swap: valid only if nothing wrote these addresses meanwhile (imports
            // are serialised, so only a write outside the import runner would).
            const now = await Q.perimeterState(tx, perimeter);
            if (now.fingerprint !== seenState) {
              throw new AppError(
                'IMPORT_ECHEC',
                'addresses changed during the import',
                'Un autre import a modifié ces adresses pendant le chargement ; relancez l’import.',
              );
            }
          }
          await Q.deleteAddressesReplaced(tx, staging, perimeter, part.communes, part.gone);
          await Q.insertAddressesFromStaging(tx, staging, part.communes);
        },
        { beforeParts: () => ctx.changing(), done: (n) => (committed = n) },
      );
    } catch (e) {
      fresh.abandon();
      if (!committed) throw e;
      // Some communes have their new addresses: the index re-reads the perimeter from the table.
      noteImported(db, touched());
      throw new AppError(
        'IMPORT_ECHEC',
        `address swap failed after ${committed} parts: ${(e as Error).message}`,
        `Le remplacement s’est arrêté en cours de route : ${committed} lot(s) de communes ont reçu leurs nouvelles adresses, les autres ont gardé les précédentes (chaque commune est entière). Relancez l’import pour terminer.`,
      );
    }

    noteImported(db, touched(), await fresh.finishAsync());
    const kind =
      options.perimetre === 'auto'
        ? formats.has('bal') && formats.size === 1
          ? 'commune'
          : 'département'
        : options.perimetre === 'commune'
          ? 'commune'
          : 'département';
    const parts = [...perimeters].map(
      ([k, p]) =>
        `${kind} ${k} : ${p.loaded.toLocaleString('fr-FR')} adresses (${p.replaced.toLocaleString('fr-FR')} remplacées)`,
    );
    return `${tally.accepted.toLocaleString('fr-FR')} adresses chargées (${[...formats].map((f) => FORMAT_LABEL[f]).join(', ')}) ; ${parts.slice(0, 20).join(' ; ')}${parts.length > 20 ? ' …' : ''}${mapped ? ` ; ${mapped} adresses rattachées à leur commune actuelle via un ancien code INSEE` : ''}.`;
  },
});
