import path from 'node:path';
import { z } from 'zod';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type CsvRecord, readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { jsonElements } from '../imports/json.ts';
import { readLimits } from '../imports/read.ts';
import type { RunTally } from '../imports/rejects.ts';
import type { Source } from '../imports/source.ts';
import { getTerritory, searchTerritories } from '../territories/service.ts';
import { normalizeName } from '../text/normalize.ts';
import { safeText } from '../text/safe.ts';
import * as Q from './queries.ts';
import { indexDoc } from './search.ts';
import { beneficiaireOf, typeOf, uniq } from './vocab.ts';

const AidsOptions = z
  .object({
    /** Territory of rows that name none: `departement:50`, `region:27`, `commune:21231`, `epci:…` or `france`. */
    territoire: z
      .string()
      .trim()
      .regex(
        /^(france|(region|departement|epci|commune):[0-9A-Za-z]{1,12})$/i,
        'territoire attendu sous la forme departement:50 ou france',
      )
      .optional(),
    /** Namespace of the source ids (ids of a data provider are not Aides-territoires ids). */
    source: z
      .string()
      .trim()
      .regex(/^[a-z0-9.-]{1,60}$/, 'source : lettres minuscules, chiffres, points et tirets')
      .optional(),
  })
  .strict();

type Parsed = Q.AideInput & { territoireTexte: string | null };

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  laquo: '«',
  raquo: '»',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  agrave: 'à',
  acirc: 'â',
  ccedil: 'ç',
  ocirc: 'ô',
  ucirc: 'û',
  icirc: 'î',
  euro: '€',
  oelig: 'œ',
  Eacute: 'É',
};

/** Text of a field that may hold HTML (the API's descriptions, names with entities): tags dropped, entities decoded. */
function plainText(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  const t = s
    .replace(/<\s*(br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const n = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
      }
      return ENTITIES[e] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n\n')
    .trim();
  return t ? safeText(t) : null;
}

/** Multi-valued cells: split on the separator, but not inside parentheses (« écoles, bibliothèques… »). */
function splitMulti(s: string | undefined, sep: string): string[] {
  if (!s) return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === sep || ch === '\n')) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** `dd/mm/yyyy`, `yyyy-mm-dd` or an ISO instant → calendar day; undefined when unreadable. */
function dayOf(s: unknown): string | null | undefined {
  if (s === null || s === undefined) return null;
  const v = String(s).trim();
  if (!v) return null;
  let y: string;
  let m: string;
  let d: string;
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(v);
  if (fr) [, d, m, y] = fr as unknown as [string, string, string, string];
  else if (iso) [, y, m, d] = iso as unknown as [string, string, string, string];
  else return undefined;
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const t = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === day ? day : undefined;
}

const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => plainText(x)).filter((x): x is string => !!x) : [];

function withVocab(p: Omit<Parsed, 'beneficiaires' | 'types'>): Parsed {
  const types = uniq(p.types_libelles.map(typeOf));
  if (p.appel_a_projets && !types.includes('appel-a-projets')) types.push('appel-a-projets');
  return { ...p, beneficiaires: uniq(p.beneficiaires_libelles.map(beneficiaireOf)), types };
}

/** One element of the API payload (`aides` of a data provider, `results` of Aides-territoires' API). */
function fromJson(o: Record<string, unknown>, fichier: string, prefix: string): Parsed | string {
  const nom = plainText(o.name);
  if (!nom) return 'nom (name) vide';
  const open = dayOf(o.start_date);
  const close = dayOf(o.submission_deadline);
  if (open === undefined) return `date d’ouverture illisible « ${String(o.start_date)} »`;
  if (close === undefined) return `date de clôture illisible « ${String(o.submission_deadline)} »`;
  const id = o.id === null || o.id === undefined ? null : String(o.id).trim();
  const url = typeof o.url === 'string' && o.url ? new URL(o.url, 'https://aides-territoires.beta.gouv.fr').href : null;
  const financers = strList(o.financers).length ? strList(o.financers) : strList(o.financers_full);
  return withVocab({
    source_id: id ? `${prefix}:${id}` : null,
    lien: url ?? plainText(o.origin_url),
    nom,
    porteurs: financers,
    beneficiaires_libelles: strList(o.targeted_audiences),
    types_libelles: strList(o.aid_types),
    themes: strList(o.categories).map((c) => c.split('|').pop()!.trim()),
    appel_a_projets: o.is_call_for_project === true,
    recurrence: plainText(o.recurrence),
    date_ouverture: open,
    date_echeance: close,
    taux: plainText(o.subvention_comment),
    description: plainText(o.description),
    eligibilite: plainText(o.eligibility),
    contact: [plainText(o.contact), plainText(o.contact_phone)].filter(Boolean).join('\n') || null,
    perimetre: plainText(o.perimeter),
    territoireTexte: plainText(o.perimeter_code) ?? plainText(o.perimeter),
    fichier,
    format: 'api-json',
  });
}

type Cols = (name: string) => string | undefined;

function fromSchemaCsv(c: Cols, fichier: string): Parsed | string {
  const nom = c('Nom');
  if (!nom) return 'colonne « Nom » vide';
  const open = dayOf(c("Date d'ouverture"));
  const close = dayOf(c('Date de clôture'));
  if (open === undefined) return `date d’ouverture illisible « ${c("Date d'ouverture")} »`;
  if (close === undefined) return `date de clôture illisible « ${c('Date de clôture')} » (JJ/MM/AAAA ou AAAA-MM-JJ)`;
  const rate = [
    c('Taux de subvention, min. et max. (en %, nombre entier)'),
    c('Taux de subvention, commentaire optionnel'),
  ]
    .filter(Boolean)
    .join(' — ');
  return withVocab({
    source_id: null,
    lien: c("URL d'origine") || c('Lien vers une démarche en ligne') || null,
    nom,
    porteurs: splitMulti(c("Porteurs d'aides"), ','),
    beneficiaires_libelles: splitMulti(c("Bénéficiaires de l'aide"), ','),
    types_libelles: splitMulti(c("Types d'aide"), ','),
    themes: splitMulti(c('Sous-thématiques'), ','),
    appel_a_projets: /^oui$/i.test(c("Appel à projet / Manifestation d'intérêt") ?? ''),
    recurrence: c('Récurrence') || null,
    date_ouverture: open,
    date_echeance: close,
    taux: rate || null,
    description: c("Description complète de l'aide et de ses objectifs") || null,
    eligibilite: c('Éligibilité') || null,
    contact: c('Contact') || null,
    perimetre: c('Périmètre') || null,
    territoireTexte: c('Périmètre') || null,
    fichier,
    format: 'schema-csv',
  });
}

function fromExportCsv(c: Cols, fichier: string): Parsed | string {
  const nom = c('Nom');
  if (!nom) return 'colonne « Nom » vide';
  const close = dayOf(c('Date Clôture'));
  if (close === undefined) return `date de clôture illisible « ${c('Date Clôture')} » (JJ/MM/AAAA attendu)`;
  return withVocab({
    source_id: null,
    lien: c('Lien') || null,
    nom,
    porteurs: splitMulti(c('Financeurs'), ';'),
    beneficiaires_libelles: splitMulti(c('Bénéficiaire'), ';'),
    types_libelles: splitMulti(c("Types d'aides"), ';'),
    themes: [],
    appel_a_projets: /^oui$/i.test(c('AAP/AMI') ?? ''),
    recurrence: c('Récurrence') || null,
    date_ouverture: null,
    date_echeance: close,
    taux: null,
    description: c('Descriptif') || null,
    eligibilite: null,
    contact: null,
    perimetre: c('Périmètre') || null,
    territoireTexte: c('Périmètre') || c('Code territoire') || null,
    fichier,
    format: 'export-csv',
  });
}

const NATIONAL = /^(france|national|nationale|france entiere|france metropolitaine|france et outre mer)$/;
const PREFIXES: [RegExp, string][] = [
  [/^departement (du |de la |de l |des |d |de )?/, 'departement'],
  [/^region (du |de la |de l |des |d |de )?/, 'region'],
  [/^commune (du |de la |de l |des |d |de )?/, 'commune'],
];

type Resolved = { ok: Q.AideTerritoire } | { error: string };

/** A perimeter as the files write it (code `niveau:code`, bare code, « France », « Département du Rhône »…). */
async function resolveTerritory(q: Queryable, text: string, cache: Map<string, Resolved>): Promise<Resolved> {
  const hit = cache.get(text);
  if (hit) return hit;
  const out = await resolveUncached(q, text);
  cache.set(text, out);
  return out;
}

async function resolveUncached(q: Queryable, text: string): Promise<Resolved> {
  const norm = normalizeName(text);
  if (NATIONAL.test(norm)) return { ok: { niveau: 'pays', code: 'FR', libelle: 'France' } };
  const coded = /^(region|departement|epci|commune):([0-9A-Za-z]{1,12})$/i.exec(text.trim());
  const bare = /^(\d{5}|2[AB]\d{3}|\d{9}|\d{2,3}|2[AB])$/i.exec(text.trim());
  if (coded || bare) {
    const code = (coded ? coded[2]! : bare![1]!).toUpperCase();
    const niveau = coded
      ? (coded[1]!.toLowerCase() as 'commune')
      : code.length === 9
        ? 'epci'
        : code.length === 5
          ? 'commune'
          : 'departement';
    try {
      const t = await getTerritory(q, niveau, code);
      return { ok: { niveau, code: t.code, libelle: t.nom } };
    } catch (e) {
      if (e instanceof AppError && e.code === 'TERRITOIRE_INCONNU')
        return { error: `code de territoire inconnu « ${text} » (niveau ${niveau}, code ${code})` };
      throw e;
    }
  }
  let niveau: string | null = null;
  let name = norm;
  for (const [re, n] of PREFIXES)
    if (re.test(norm)) {
      niveau = n;
      name = norm.replace(re, '');
      break;
    }
  const found = (await searchTerritories(q, name, 20)).filter(
    (t) => normalizeName(t.nom) === name && (!niveau || t.niveau === niveau),
  );
  if (found.length === 1 || (found.length > 1 && found[0]!.niveau !== 'commune'))
    return { ok: { niveau: found[0]!.niveau, code: found[0]!.code, libelle: found[0]!.nom } };
  if (found.length > 1)
    return { error: `périmètre ambigu « ${text} » : ${found.length} communes portent ce nom ; donnez son code INSEE` };
  return { error: `périmètre inconnu « ${text} » : aucun territoire de ce nom (ni code connu)` };
}

async function* csvRows(source: Source, tally: RunTally, limits: ReturnType<typeof readLimits>) {
  const { header, delimiter } = await readHeader(source.path, limits);
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
    yield { header, rec };
  }
}

/** JSON or CSV: by the file name, else by its first byte. */
function isJson(source: Source): boolean {
  return /\.json(\.gz)?$/i.test(source.name);
}

export const aidesTerritoiresJob = defineJob({
  name: 'aides-territoires',
  title: 'Aides financières (Aides-territoires : API, schéma d’import, export du site)',
  accepts:
    'Réponse JSON de l’API Aides-territoires ou d’un de ses fournisseurs ({ "aides": […] } ou { "results": […] }), fichier CSV du schéma d’import d’Aides-territoires (colonnes Nom, Porteurs d’aides, Bénéficiaires de l’aide, Types d’aide, Date de clôture, Périmètre…) ou export CSV du site (Nom, Lien, Financeurs, Bénéficiaire, Types d’aides, AAP/AMI, Récurrence, Descriptif, Date Clôture). Un nouvel import met à jour les aides de même identifiant source ou de même lien. Options : territoire=departement:50 (périmètre des lignes qui n’en donnent pas ; « france » pour une aide nationale), source=aides-territoires (espace des identifiants).',
  options: AidsOptions,
  async run({ db, tally, config, runId }, source, options) {
    const limits = readLimits(config);
    const parsed: { line: number | null; p: Parsed; raw: string }[] = [];
    const fichier = path.basename(source.name);
    if (isJson(source)) {
      let rest: unknown = null;
      const take = (el: unknown, i: number) => {
        tally.read++;
        const raw = JSON.stringify(el).slice(0, 300);
        if (!el || typeof el !== 'object' || Array.isArray(el)) {
          tally.reject(i, 'élément qui n’est pas un objet JSON', raw);
          return;
        }
        const p = fromJson(el as Record<string, unknown>, fichier, options.source ?? 'aides-territoires');
        if (typeof p === 'string') tally.reject(i, p, raw);
        else parsed.push({ line: i, p, raw });
      };
      let i = 0;
      for await (const el of jsonElements(source.path, limits, { member: 'aides', done: (d) => (rest = d.rest) }))
        take(el, ++i);
      const results = (rest as { results?: unknown } | null)?.results;
      if (!i && Array.isArray(results)) for (const el of results) take(el, ++i);
      if (!i && tally.read === 0)
        throw new AppError(
          'IMPORT_ECHEC',
          `no aids in ${fichier}`,
          `${fichier} ne contient aucune aide : tableau « aides » (fournisseur) ou « results » (API Aides-territoires) attendu.`,
        );
    } else {
      let kind: 'schema' | 'export' | null = null;
      for await (const { header, rec } of csvRows(source, tally, limits)) {
        if (!kind) {
          const has = (n: string) => header.includes(n.toLowerCase());
          if (has('Nom') && has("Porteurs d'aides")) kind = 'schema';
          else if (has('Nom') && has('Lien') && has('Financeurs')) kind = 'export';
          else
            throw new AppError(
              'IMPORT_ECHEC',
              `unknown header ${header.join(',')}`,
              `En-tête non reconnu dans ${fichier} (ligne 1) : ${header.slice(0, 12).join(' | ')}. Attendu : le schéma d’import d’Aides-territoires (Nom, Porteurs d’aides, …) ou l’export du site (Nom, Lien, Financeurs, …).`,
            );
        }
        tally.read++;
        const r: CsvRecord = rec;
        const c: Cols = (name) => {
          const j = header.indexOf(name.toLowerCase());
          const v = j < 0 ? undefined : r.fields[j]?.trim();
          return v ? safeText(v) : undefined;
        };
        const p = kind === 'schema' ? fromSchemaCsv(c, fichier) : fromExportCsv(c, fichier);
        if (typeof p === 'string') tally.reject(r.n, p, r.raw);
        else parsed.push({ line: r.n, p, raw: r.raw });
      }
    }
    // Territories: the row's own perimeter, else the option's; an unknown one rejects the row.
    const cache = new Map<string, Resolved>();
    const fallback = options.territoire ? await resolveTerritory(db, options.territoire, cache) : null;
    if (fallback && 'error' in fallback)
      throw new AppError('IMPORT_ECHEC', fallback.error, `Option territoire : ${fallback.error}.`);
    const ready: { p: Parsed; territoires: Q.AideTerritoire[] }[] = [];
    for (const { line, p, raw } of parsed) {
      let territoires: Q.AideTerritoire[] = [];
      if (p.territoireTexte) {
        const rs = [];
        for (const part of splitMulti(p.territoireTexte, ';')) rs.push(await resolveTerritory(db, part, cache));
        const bad = rs.find((x) => 'error' in x);
        if (bad && 'error' in bad) {
          tally.reject(line, bad.error, raw);
          continue;
        }
        territoires = rs.map((x) => (x as { ok: Q.AideTerritoire }).ok);
      } else if (fallback && 'ok' in fallback) territoires = [fallback.ok];
      if (!p.perimetre && territoires.length) p.perimetre = territoires.map((t) => t.libelle).join(', ');
      ready.push({ p, territoires });
    }
    if (!ready.length)
      throw new AppError(
        'IMPORT_ECHEC',
        `no valid aid in ${fichier}`,
        `Aucune aide valide dans ${fichier} (${tally.rejected} ligne(s) rejetée(s) : voir les motifs).`,
      );
    let created = 0;
    let updated = 0;
    await db.transaction(async (tx) => {
      const seen = new Set<number>();
      for (const { p, territoires } of ready) {
        const { territoireTexte: _t, ...input } = p;
        let id = await Q.aideIdByKey(tx, input.source_id, input.lien);
        if (id === null && !input.source_id && !input.lien) id = await Q.aideIdByName(tx, input.nom, input.porteurs);
        if (id !== null && seen.has(id)) {
          tally.reject(null, `aide en double dans le fichier : « ${input.nom} » (même identifiant ou même lien)`);
          continue;
        }
        if (id === null) {
          id = await Q.insertAide(tx, input, runId);
          created++;
        } else {
          await Q.updateAide(tx, id, input, runId);
          updated++;
        }
        seen.add(id);
        tally.accepted++;
        await Q.setAideTerritoires(tx, id, territoires);
        await indexDoc(tx, {
          type: 'aide',
          id,
          titre: input.nom,
          corps: [input.description, input.porteurs.join(', '), input.eligibilite].filter(Boolean).join('\n'),
          themes: input.themes,
          territoires: territoires.map((t) => `${t.niveau}:${t.code}`),
          url: `/ressources/aides/${id}`,
        });
      }
    });
    return `${created} aide(s) créée(s), ${updated} mise(s) à jour depuis ${fichier}${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});
