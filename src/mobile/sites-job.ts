import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { fmtDay } from '../http/html.ts';
import { IsoDate } from '../http/schemas.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { communeCodes, communeOfArrondissement, padCommuneCode } from '../territories/codes.ts';
import { communeGeometry, communeOperators, sharedFlags } from './indicators.ts';
import { CommuneLocator, lambert93ToWgs84 } from './locate.ts';
import * as Q from './queries.ts';
import { OPERATEUR_OF_MCCMNC, type Operateur } from './vocab.ts';

type Format = 'national-2018' | 'trimestriel';

/** The two layouts ARCEP has published, told apart by their header (normalised: lowercase). */
function formatOf(header: string[]): Format | null {
  const has = (...k: string[]) => k.every((x) => header.includes(x));
  if (has('code_op', 'x', 'y', 'insee_com', 'site_2g', 'site_3g', 'site_4g')) return 'trimestriel';
  if (has('operateur', 'x', 'y', '2g', '3g', '4g')) return 'national-2018';
  return null;
}

/**
 * The date of a snapshot from ARCEP's file names: `2023_T4_sites_Metropole.csv` (end of the quarter),
 * `2018_01_Sites_mobiles_…` or `…-2018-01-…` (first day of the month).
 */
function dateFromName(name: string): string | null {
  const q = /(20\d\d)[_-]?t([1-4])(?![0-9])/i.exec(name);
  if (q) {
    const end = ['03-31', '06-30', '09-30', '12-31'][Number(q[2]) - 1];
    return `${q[1]}-${end}`;
  }
  const m = /(20\d\d)[_-](0[1-9]|1[0-2])(?![0-9])/.exec(name);
  return m ? `${m[1]}-${m[2]}-01` : null;
}

function flag(v: string | undefined): boolean | null {
  const s = (v ?? '').trim().toLowerCase();
  if (s === '1' || s === 'true' || s === 'oui') return true;
  if (s === '0' || s === 'false' || s === 'non' || s === '') return false;
  return null;
}

/** A number as ARCEP writes it: decimal point or decimal comma. */
function num(v: string | undefined): number | null {
  const s = (v ?? '').trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

// Metropolitan France with a margin: Lambert-93 metres and WGS84 degrees.
const inL93 = (x: number, y: number) => x > 0 && x < 1_400_000 && y > 6_000_000 && y < 7_200_000;
const inMetropole = (lon: number, lat: number) => lon > -6 && lon < 10.5 && lat > 41 && lat < 51.6;

const BANDS = [700, 800, 1800, 2100, 3500] as const;

export const sitesMobilesJob = defineJob({
  name: 'sites-mobiles',
  title: 'Sites mobiles (Arcep, Mon réseau mobile)',
  accepts:
    "Liste des sites mobiles de l'Arcep (CSV « ; », éventuellement .gz) : le fichier national 2018 (Operateur;x;y;2G;3G;4G, codes MCC-MNC, Lambert-93) ou le fichier trimestriel *_sites_Metropole.csv (29 colonnes). Le format est reconnu à l'en-tête. Chaque import est un relevé daté (option date=AAAA-MM-JJ, sinon déduite du nom du fichier) ; importer de nouveau la même date remplace ce relevé. Les sites sont placés dans les communes par leurs contours (importez d'abord le job contours), sinon par le code commune du fichier.",
  options: z.object({ date: IsoDate.optional() }).strict(),
  async run({ db, tally, config, runId }, source, options) {
    const fichier = path.basename(source.name);
    const limits = readLimits(config);
    const { header, delimiter } = await readHeader(source.path, limits);
    const format = formatOf(header);
    if (!format)
      throw new AppError(
        'IMPORT_ECHEC',
        `unknown mobile sites header: ${header.slice(0, 8).join(';')}`,
        `En-tête non reconnu dans ${fichier} : attendu « Operateur;x;y;2G;3G;4G » (fichier national 2018) ou les colonnes du fichier trimestriel *_sites_Metropole.csv (code_op, x, y, insee_com, site_2g…).`,
      );
    const date = options.date ?? dateFromName(fichier);
    if (!date)
      throw new AppError(
        'IMPORT_ECHEC',
        'no snapshot date',
        `La date du relevé ne se déduit pas du nom ${fichier} : précisez l'option date=AAAA-MM-JJ.`,
      );
    const locator = await CommuneLocator.build(db);
    const codes = await communeCodes(db);
    const col = new Map(header.map((h, i) => [h, i]));
    const at = (f: string[], k: string) => {
      const i = col.get(k);
      return i === undefined ? undefined : f[i]?.trim();
    };

    const rows: Q.SiteRow[] = [];
    let outside = 0;
    let byFile = 0;
    const operateurs = new Set<Operateur>();
    const onBad = (n: number, reason: string, raw: string) => {
      tally.read++;
      tally.reject(n, `ligne illisible : ${reason}`, raw);
    };
    let first = true;
    for await (const rec of readRecords(source.path, { limits, delimiter, onBad, expectedFields: header.length })) {
      if (first) {
        first = false;
        continue;
      }
      tally.read++;
      const f = rec.fields;
      if (f.length < header.length) {
        tally.reject(rec.n, `${f.length} champs au lieu de ${header.length}`, rec.raw);
        continue;
      }
      const code = at(f, format === 'trimestriel' ? 'code_op' : 'operateur') ?? '';
      const operateur = OPERATEUR_OF_MCCMNC[code];
      if (!operateur) {
        tally.reject(rec.n, `code opérateur inconnu « ${code} » (attendu 20801, 20810, 20815 ou 20820)`, rec.raw);
        continue;
      }
      const g = (k2018: string, kq: string) => flag(at(f, format === 'trimestriel' ? kq : k2018));
      const [s2, s3, s4] = [g('2g', 'site_2g'), g('3g', 'site_3g'), g('4g', 'site_4g')];
      const s5 = format === 'trimestriel' ? flag(at(f, 'site_5g')) : false;
      if (s2 === null || s3 === null || s4 === null || s5 === null) {
        tally.reject(rec.n, 'indicateur de technologie illisible (0 ou 1 attendu)', rec.raw);
        continue;
      }
      // Position: the file's WGS84 when it has one, else Lambert-93 reprojected.
      let pos: [number, number] | null = null;
      const lat = num(at(f, 'latitude'));
      const lon = num(at(f, 'longitude'));
      const x = num(at(f, 'x'));
      const y = num(at(f, 'y'));
      const l93 = x !== null && y !== null && inL93(x, y);
      if (lat !== null && lon !== null) pos = [lon, lat];
      else if (l93) pos = lambert93ToWgs84(x, y);
      if (!pos || !inMetropole(pos[0], pos[1])) {
        tally.reject(
          rec.n,
          `coordonnées absentes ou hors de la France métropolitaine (x=${at(f, 'x') ?? ''}, y=${at(f, 'y') ?? ''})`,
          rec.raw,
        );
        continue;
      }
      let commune = locator.locate(pos[0], pos[1]);
      let placement: 'contour' | 'fichier' = 'contour';
      if (!commune) {
        const raw = at(f, 'insee_com');
        const fromFile = raw ? codes.current(padCommuneCode(raw)) : null;
        if (!fromFile) {
          outside++;
          tally.reject(
            rec.n,
            `site hors de tous les contours de communes importés (lon ${pos[0].toFixed(5)}, lat ${pos[1].toFixed(5)})${raw ? ` et code commune ${raw} inconnu` : ''}`,
            rec.raw,
          );
          continue;
        }
        commune = communeOfArrondissement(fromFile) ?? fromFile;
        placement = 'fichier';
        byFile++;
      }
      const bandes =
        format === 'trimestriel' ? BANDS.filter((b) => flag(at(f, `site_5g_${b}_m_hz`)) === true) : ([] as number[]);
      operateurs.add(operateur);
      rows.push({
        date,
        ligne: rec.n,
        operateur,
        num_site: at(f, 'num_site') || null,
        commune,
        placement,
        lon: pos[0],
        lat: pos[1],
        x_l93: l93 ? x : null,
        y_l93: l93 ? y : null,
        site_2g: s2,
        site_3g: s3,
        site_4g: s4,
        site_5g: s5,
        bandes_5g: bandes.length ? bandes : null,
        id_site_partage: at(f, 'id_site_partage') || null,
        zone_blanche: format === 'trimestriel' ? flag(at(f, 'site_zb')) : null,
        couverture_ciblee: format === 'trimestriel' ? flag(at(f, 'site_dcc')) : null,
      });
    }
    if (!rows.length)
      throw new AppError(
        'IMPORT_ECHEC',
        'no site kept',
        `Aucun site retenu dans ${fichier} (${tally.rejected} ligne(s) rejetée(s))${locator.size ? '' : " : aucun contour de commune n'est importé (job contours)"}. Rien n'a été modifié.`,
      );
    // Indicators (indicators.ts): shared sites, commune areas and centres, nearest 4G site per operator.
    const shared = sharedFlags(rows);
    rows.forEach((r, i) => {
      r.partage = shared[i]!;
    });
    const communesGeo = communeGeometry(locator.outlineParts());
    const perOperator = communeOperators(communesGeo, rows, [...operateurs].sort());
    await db.transaction(async (tx) => {
      await Q.replaceSnapshot(tx, {
        date,
        format,
        fichier,
        run_id: runId,
        operateurs: [...operateurs].sort(),
        sites: rows.length,
      });
      await Q.insertSites(tx, rows);
      await Q.insertCommuneIndicators(tx, date, communesGeo, perOperator);
    });
    tally.accepted = rows.length;
    return `${rows.length} sites au ${fmtDay(date)} (${format === 'national-2018' ? 'fichier national 2018' : 'fichier trimestriel'}) : ${rows.length - byFile} placés par les contours des communes, ${byFile} par le code commune du fichier${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s), dont ${outside} hors des contours importés` : ''}.`;
  },
});
