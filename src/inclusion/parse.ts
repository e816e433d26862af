/**
 * One record of a source file → the normalised contribution of that source to a place, or the reason it is
 * rejected. Pure functions; the jobs read the files and the merge writes the rows.
 */
import { luhnOk } from '../resources/schema.ts';
import { padCommuneCode } from '../territories/codes.ts';
import type { CommuneRef } from '../territories/service.ts';
import { normalizeName } from '../text/normalize.ts';
import { safeText } from '../text/safe.ts';
import { CATEGORY_SLUGS, type Categorie, dayRanges, osmOfWeek, serviceOf } from './vocab.ts';

export type PlaceInput = {
  source_id: string;
  nom: string;
  nom_norm: string;
  siret: string | null;
  code_insee: string | null;
  commune: string | null;
  code_postal: string | null;
  adresse: string | null;
  lon: number;
  lat: number;
  precision: 'adresse' | 'commune';
  categories: Categorie[];
  services: string[];
  publics: string[];
  /** OSM `opening_hours`. */
  horaires: string | null;
  /** Hours as the source writes them per weekday (France Services), Monday first. */
  horaires_jours: (string | null)[] | null;
  telephone: string | null;
  courriel: string | null;
  site_web: string | null;
  acces: string | null;
  commentaire: string | null;
  itinerant: boolean;
  date_maj: string | null;
  /** The record's own `source` field (the producer inside an aggregated file: dora, siao, conseiller-numerique…). */
  origine: string | null;
};

/** Layouts of the LieuxDeMediationNumerique files this platform reads. */
export type Layout = 'v0-2022' | 'data-inclusion-2022' | 'v1-2023' | 'schema-2024';
export const LAYOUT_LABEL: Record<Layout, string> = {
  'v0-2022': 'schéma « v0 » de la cartographie des conseillers numériques (2022)',
  'data-inclusion-2022': 'export data·inclusion (schéma 1.0, services séparés par « ; »)',
  'v1-2023': 'schéma LieuxDeMediationNumerique 1.x (2023, services séparés par « | »)',
  'schema-2024': 'schéma LieuxDeMediationNumerique (2024, services séparés par « / »)',
};
const SEPARATOR: Record<Layout, RegExp> = {
  'v0-2022': /,|\n/,
  'data-inclusion-2022': /;|\n/,
  'v1-2023': /\||\n/,
  'schema-2024': /\/|\n/,
};

type Rec = Record<string, unknown>;

const str = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = safeText(String(v)).trim();
  return s ? s : null;
};

/** The layout of a file, from its first record's fields and how it joins services. */
export function detectLayout(first: Rec): Layout | null {
  if (!('nom' in first) || !('services' in first)) return null;
  const services = str(first.services) ?? '';
  if ('conditions_access' in first) return 'v0-2022';
  if (services.includes('|')) return 'v1-2023';
  if ('structure_parente' in first || 'labels_autres' in first || services.includes(' / ')) return 'schema-2024';
  if ('frais_a_charge' in first) return 'v1-2023';
  if (services.includes(';') || 'presentation_resume' in first || 'conditions_acces' in first)
    return 'data-inclusion-2022';
  if (!('typologie' in first) && !('code_insee' in first)) return 'v0-2022';
  return 'data-inclusion-2022';
}

/** `pivot` / `siret`: a SIRET (Luhn key); placeholder zeros and spreadsheet-rounded numbers are none. */
export function siretOf(v: unknown): { siret: string | null } | { error: string } {
  const s = (str(v) ?? '').replace(/\s/g, '');
  if (!s || /^0+$/.test(s)) return { siret: null };
  // A SIRET a spreadsheet wrote as a number keeps 6 to 8 significant digits (2.27605E+13 → 22760500000000): the
  // place is real, its SIRET is lost; kept without one.
  if (/^\d{9,14}$/.test(s) && /000000$/.test(s) && !luhnOk(s)) return { siret: null };
  if (!/^\d{14}$/.test(s)) return { error: `SIRET invalide « ${s} » : 14 chiffres attendus` };
  if (luhnOk(s)) return { siret: s };
  return { error: `SIRET invalide « ${s} » : la clé de contrôle (Luhn) ne correspond pas` };
}

function coordOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = str(v);
  if (!s) return null;
  const n = Number(s.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/** Position of a record; a reason when it has none or one outside WGS84 / France. */
function positionOf(lonRaw: unknown, latRaw: unknown): { lon: number; lat: number } | { error: string } | null {
  const lon = coordOf(lonRaw);
  const lat = coordOf(latRaw);
  if (lon === null || lat === null) return null;
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
    return { error: `coordonnées hors du système WGS84 (longitude ${lon}, latitude ${lat}) — Lambert-93 ?` };
  // Metropolitan France and the overseas départements; (0, 0) is a placeholder.
  if (lon === 0 && lat === 0) return { error: 'coordonnées (0, 0) : position absente' };
  return { lon, lat };
}

/** `date_maj` as a calendar day; the 1970-01-01 placeholders count as none. */
function dayOf(v: unknown): string | null {
  const s = str(v);
  const m = s ? /^(\d{4})-(\d{2})-(\d{2})/.exec(s) : null;
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day || day < '1990-01-01') return null;
  return day;
}

/** Finds today's commune of a record: its INSEE code (old codes mapped), else its postcode and name. */
export type CommuneResolver = (r: {
  code_insee?: string | null;
  code_postal?: string | null;
  commune?: string | null;
}) => CommuneRef | null;

export function communeResolver(communes: CommuneRef[], current: (code: string) => string | null): CommuneResolver {
  const byCode = new Map(communes.map((c) => [c.code, c]));
  const byPostcode = new Map<string, CommuneRef[]>();
  for (const c of communes)
    for (const cp of c.codes_postaux) {
      const l = byPostcode.get(cp);
      if (l) l.push(c);
      else byPostcode.set(cp, [c]);
    }
  const cleanName = (s: string) =>
    normalizeName(s)
      .replace(/\b(cedex|bp|cs)\b.*$/, '')
      .trim();
  return (r) => {
    const code = r.code_insee ? padCommuneCode(r.code_insee) : null;
    if (code) {
      const cur = current(code);
      const hit = cur ? byCode.get(cur) : undefined;
      if (hit) return hit;
    }
    const cp = r.code_postal ? r.code_postal.padStart(5, '0') : null;
    const cands = cp ? (byPostcode.get(cp) ?? []) : [];
    if (!cands.length) return null;
    if (r.commune) {
      const n = cleanName(r.commune);
      const exact = cands.find((c) => normalizeName(c.nom) === n);
      if (exact) return exact;
      const within = cands.filter((c) => n.includes(normalizeName(c.nom)) || normalizeName(c.nom).includes(n));
      if (within.length === 1) return within[0]!;
    }
    return cands.length === 1 ? cands[0]! : null;
  };
}

function categoriesOf(o: Rec, layout: Layout): Categorie[] {
  const cats = new Set<Categorie>(['mediation']);
  const labels = normalizeName(`${str(o.labels_nationaux) ?? ''}`);
  const source = normalizeName(str(o.source) ?? '');
  if (/\bcnfs\b|conseillers? numeriques?/.test(labels) || source === 'conseiller numerique' || layout === 'v0-2022')
    cats.add('conseiller-numerique');
  if (/france services?/.test(labels) || source === 'france services') cats.add('france-services');
  if (/aidants? connect/.test(labels) || source === 'aidants connect') cats.add('aidants-connect');
  if (
    /france tiers lieux/.test(labels) ||
    source === 'france tiers lieux' ||
    /tiers lieu/.test(normalizeName(str(o.typologie) ?? ''))
  )
    cats.add('tiers-lieu');
  return [...cats];
}

/** One record of a LieuxDeMediationNumerique file (JSON element or CSV row keyed by its header). */
export function mediationRecord(o: Rec, layout: Layout, resolve: CommuneResolver): PlaceInput | string {
  const id = str(o.id);
  if (!id) return 'identifiant (id) vide';
  const nom = str(o.nom);
  if (!nom) return 'nom vide';
  const s = siretOf(o.pivot);
  if ('error' in s) return s.error;
  const services: string[] = [];
  for (const part of (str(o.services) ?? '').split(SEPARATOR[layout])) {
    if (!part.trim()) continue;
    const sv = serviceOf(part);
    if (!sv) return `service inconnu « ${part.trim()} » (ni du schéma 2022 ni du schéma 1.x)`;
    if (!services.includes(sv)) services.push(sv);
  }
  if (!services.length) return 'aucun service (champ services vide)';
  const code_postal = str(o.code_postal);
  const commune = resolve({ code_insee: str(o.code_insee), code_postal, commune: str(o.commune) });
  let pos = positionOf(o.longitude, o.latitude);
  let precision: PlaceInput['precision'] = 'adresse';
  if (pos && 'error' in pos) return pos.error;
  if (!pos) {
    // Placed later at a point inside its commune's outline (the job checks one was imported).
    if (!commune) return 'pas de coordonnées ni de commune reconnue (code INSEE, code postal et nom)';
    pos = { lon: Number.NaN, lat: Number.NaN };
    precision = 'commune';
  }
  const publics = (str(o.publics_accueillis) ?? '')
    .split(layout === 'schema-2024' ? '/' : /[;|]/)
    .map((x) => x.trim())
    .filter(Boolean);
  return {
    source_id: id,
    nom,
    nom_norm: normalizeName(nom),
    siret: s.siret,
    code_insee: commune?.code ?? null,
    commune: commune?.nom ?? str(o.commune),
    code_postal,
    adresse: [str(o.adresse), str(o.complement_adresse)].filter(Boolean).join(', ') || null,
    lon: pos.lon,
    lat: pos.lat,
    precision,
    categories: categoriesOf(o, layout),
    services,
    publics,
    horaires: str(o.horaires),
    horaires_jours: null,
    telephone: str(o.telephone),
    courriel: str(o.courriel),
    site_web: str(o.site_web),
    acces: str(o.conditions_access) ?? str(o.conditions_acces) ?? str(o.frais_a_charge),
    commentaire: str(o.presentation_resume),
    itinerant: /itin[ée]rant/i.test(str(o.modalites_accompagnement) ?? ''),
    date_maj: dayOf(o.date_maj),
    origine: str(o.source),
  };
}

const FS_DAYS = ['h_lundi', 'h_mardi', 'h_mercredi', 'h_jeudi', 'h_vendredi', 'h_samedi'] as const;

/** One row of the ANCT list of France Services (`liste-fs-AAAAMMJJ.csv`), keyed by its header. */
export function franceServicesRecord(
  c: (name: string) => string | undefined,
  resolve: CommuneResolver,
  date: string | null,
): PlaceInput | string {
  const id = c('id_fs');
  if (!id) return 'identifiant id_fs vide';
  const nom = c('lib_fs');
  if (!nom) return 'nom (lib_fs) vide';
  const pos = positionOf(c('longitude'), c('latitude'));
  if (!pos) return 'pas de coordonnées (latitude, longitude)';
  if ('error' in pos) return pos.error;
  const jours: (string | null)[] = [];
  for (const d of FS_DAYS) {
    const r = dayRanges(c(d));
    if (r === undefined) return `horaires illisibles en ${d} « ${c(d)} » (attendu « 09:00 - 12:00 / 13:30 - 17:00 »)`;
    jours.push(r);
  }
  jours.push(null);
  const commune = resolve({ code_insee: c('insee_com'), code_postal: c('code_postal'), commune: c('lib_com') });
  const format = c('format_fs') ?? '';
  return {
    source_id: id,
    nom,
    nom_norm: normalizeName(nom),
    siret: null,
    code_insee: commune?.code ?? null,
    commune: commune?.nom ?? c('lib_com') ?? null,
    code_postal: c('code_postal') ?? null,
    adresse: [c('adresse'), c('complement_adresse')].filter(Boolean).join(', ') || null,
    lon: pos.lon,
    lat: pos.lat,
    precision: 'adresse',
    categories: ['france-services'],
    services: ['Aide aux démarches administratives'],
    publics: [],
    horaires: osmOfWeek(jours),
    horaires_jours: jours,
    telephone: c('telephone') ?? null,
    courriel: c('mail') ?? null,
    site_web: null,
    acces: c('prise_rdv') === 'Oui' ? 'Sur rendez-vous' : null,
    commentaire: c('commentaire') ?? null,
    itinerant: !/^fixe$/i.test(format) && format !== '',
    date_maj: date,
    origine: c('type_fs') ?? null,
  };
}

/** A record with no position of its own: placed by the job at its address, else at its commune. */
function unplaced(
  base: Pick<PlaceInput, 'source_id' | 'nom' | 'siret' | 'adresse' | 'code_postal' | 'categories' | 'date_maj'>,
  commune: CommuneRef | null,
  extra: Partial<PlaceInput> = {},
): PlaceInput {
  return {
    ...base,
    nom_norm: normalizeName(base.nom),
    code_insee: commune?.code ?? null,
    commune: commune?.nom ?? null,
    lon: Number.NaN,
    lat: Number.NaN,
    precision: 'commune',
    services: ['Aide aux démarches administratives'],
    publics: [],
    horaires: null,
    horaires_jours: null,
    telephone: null,
    courriel: null,
    site_web: null,
    acces: null,
    commentaire: null,
    itinerant: false,
    origine: null,
    ...extra,
  };
}

/** `13002603200016.0`: a SIRET a spreadsheet wrote as a decimal number. */
const siretText = (v: string | undefined) => (v ?? '').trim().replace(/\.0+$/, '');

/**
 * One row of the Aidants Connect list of authorised structures (`Name, ID, Is Active, City Insee Code, Address,
 * Zip Code, Siret, France Services Label, City…`), keyed by its header. No coordinates: the job places it.
 */
export function aidantsConnectRecord(
  c: (name: string) => string | undefined,
  resolve: CommuneResolver,
  date: string | null,
): PlaceInput | string {
  const id = c('ID');
  if (!id) return 'identifiant (ID) vide';
  const nom = c('Name');
  if (!nom) return 'nom (Name) vide';
  if (/^false$/i.test(c('Is Active') ?? '')) return 'structure désactivée (Is Active = false)';
  const s = siretOf(siretText(c('Siret')));
  if ('error' in s) return s.error;
  const commune = aidantsConnectCommune(c, resolve);
  if (!commune)
    return `commune non reconnue (code INSEE « ${c('City Insee Code') ?? ''} », code postal « ${c('Zip Code') ?? ''} », « ${c('City') ?? ''} »)`;
  const cats: Categorie[] = ['aidants-connect'];
  if (/^true$/i.test(c('France Services Label') ?? '')) cats.push('france-services');
  return unplaced(
    {
      source_id: id,
      nom,
      siret: s.siret,
      adresse: c('Address') ?? null,
      code_postal: c('Zip Code') ?? null,
      categories: cats,
      date_maj: date,
    },
    commune,
  );
}

/**
 * The commune of a CNFS structure row: its code when that commune has the row's postcode; otherwise the commune
 * its postcode and name give (« Leval », code 90066 but postcode 59620: Leval in the Nord), else its code.
 */
export function cnfsCommune(c: (name: string) => string | undefined, resolve: CommuneResolver): CommuneRef | null {
  const name = c('Commune INSEE');
  const code_postal = c('Code postal') ? c('Code postal')!.padStart(5, '0') : null;
  const byCode = resolve({ code_insee: c('Code commune INSEE') });
  if (byCode && (!code_postal || byCode.codes_postaux.includes(code_postal))) return byCode;
  return resolve({ code_postal, commune: name }) ?? byCode;
}

/** The commune of an Aidants Connect row: its INSEE code, else its postcode and city name. */
export function aidantsConnectCommune(c: (name: string) => string | undefined, resolve: CommuneResolver) {
  return resolve({ code_insee: c('City Insee Code'), code_postal: c('Zip Code'), commune: c('City') });
}

/**
 * One row of the national list of structures employing conseillers numériques (`Raison sociale; Commune INSEE`
 * (a name); `…; SIRET; Code département; Adresse; Code commune INSEE; Code postal; …; France services`).
 */
export function cnfsStructureRecord(
  c: (name: string) => string | undefined,
  resolve: CommuneResolver,
  date: string | null,
): PlaceInput | string {
  const nom = c('Raison sociale');
  if (!nom) return 'raison sociale vide';
  const s = siretOf(siretText(c('SIRET')));
  if ('error' in s) return s.error;
  if (!s.siret) return 'SIRET absent : c’est l’identifiant de la structure dans ce fichier';
  const code_postal = c('Code postal') ? c('Code postal')!.padStart(5, '0') : null;
  const commune = cnfsCommune(c, resolve);
  if (!commune)
    return `commune non reconnue (code « ${c('Code commune INSEE') ?? ''} », code postal « ${code_postal ?? ''} », « ${c('Commune INSEE') ?? ''} »)`;
  const cats: Categorie[] = ['conseiller-numerique', 'mediation'];
  if (/^oui$/i.test(c('France services') ?? '')) cats.push('france-services');
  // The address ends with the postcode and city (« 8 PL SALENGRO 90500 BEAUCOURT »); empty when only those.
  const adresse = (c('Adresse') ?? '').replace(/\s+/g, ' ').trim();
  const street = adresse.replace(/\s*\d{5}\s*\S.*$/, '').trim();
  return unplaced(
    {
      source_id: s.siret,
      nom,
      siret: s.siret,
      adresse: street || null,
      code_postal,
      categories: cats,
      date_maj: date,
    },
    commune,
    { origine: c('Type') ?? null, services: [] },
  );
}

/** The commune of a tiers-lieu of the France Tiers-Lieux census: its postcode and city name. */
export function tiersLieuCommune(c: (name: string) => string | undefined, resolve: CommuneResolver) {
  return resolve({ code_postal: c('CODPOST'), commune: c('VILLE') });
}

/**
 * One row of the France Tiers-Lieux census (`bdftl-AAAA-01-fiche-identite.csv`: `ID_UNIQUE; NOM; ADRESSE; CODPOST;
 * VILLE; DEPARTEMENT_TL; REGION_TL; LATITUDE; LONGITUDE` (decimal comma)`; INTERNET; EMAIL; TELEPHONE; DESCRI_COU…`).
 */
export function tiersLieuRecord(
  c: (name: string) => string | undefined,
  resolve: CommuneResolver,
  date: string | null,
): PlaceInput | string {
  const id = c('ID_UNIQUE');
  if (!id) return 'identifiant ID_UNIQUE vide';
  const nom = c('NOM');
  if (!nom) return 'nom (NOM) vide';
  const commune = tiersLieuCommune(c, resolve);
  const pos = positionOf(c('LONGITUDE'), c('LATITUDE'));
  if (pos && 'error' in pos) return pos.error;
  if (!pos && !commune) return 'pas de coordonnées (LATITUDE, LONGITUDE) ni de commune reconnue (CODPOST, VILLE)';
  const base = {
    source_id: id,
    nom,
    siret: null,
    adresse: c('ADRESSE') ?? null,
    code_postal: c('CODPOST') ?? null,
    categories: ['tiers-lieu'] as Categorie[],
    date_maj: date,
  };
  const extra: Partial<PlaceInput> = {
    services: [],
    site_web: c('INTERNET') ?? null,
    courriel: c('EMAIL') ?? null,
    telephone: c('TELEPHONE') ?? null,
    commentaire: c('DESCRI_COU') ?? null,
    origine: c('NOM_STRC_GEST') ?? null,
  };
  if (!pos) return unplaced(base, commune, extra);
  return {
    ...unplaced(base, commune, extra),
    commune: commune?.nom ?? c('VILLE') ?? null,
    lon: pos.lon,
    lat: pos.lat,
    precision: 'adresse',
  };
}

/** The commune of a record of the platform's own format: its INSEE code, else its postcode and name. */
export function platformCommune(c: (name: string) => string | undefined, resolve: CommuneResolver) {
  return resolve({ code_insee: c('code_insee'), code_postal: c('code_postal'), commune: c('commune') });
}

/** One record of the platform's own format `lieux-plateforme` (README « Format lieux-plateforme »). */
export function platformRecord(
  c: (name: string) => string | undefined,
  resolve: CommuneResolver,
  date: string | null,
): PlaceInput | string {
  const id = c('id');
  if (!id) return 'identifiant (id) vide';
  const nom = c('nom');
  if (!nom) return 'nom vide';
  const categories: Categorie[] = [];
  for (const part of (c('categories') ?? '').split(/[|;]/)) {
    const k = part.trim();
    if (!k) continue;
    if (!(CATEGORY_SLUGS as string[]).includes(k))
      return `catégorie inconnue « ${k} » (attendu : ${CATEGORY_SLUGS.join(', ')})`;
    if (!categories.includes(k as Categorie)) categories.push(k as Categorie);
  }
  if (!categories.length) return 'aucune catégorie (champ categories vide)';
  const services: string[] = [];
  for (const part of (c('services') ?? '').split('|')) {
    if (!part.trim()) continue;
    const sv = serviceOf(part);
    if (!sv)
      return `service inconnu « ${part.trim()} » (vocabulaire du schéma national des lieux de médiation numérique)`;
    if (!services.includes(sv)) services.push(sv);
  }
  const s = siretOf(c('siret'));
  if ('error' in s) return s.error;
  const rawDate = c('date_maj');
  const day = rawDate ? dayOf(rawDate) : date;
  if (rawDate && !day) return `date_maj invalide « ${rawDate} » (AAAA-MM-JJ attendu)`;
  const itinerant = c('itinerant') ?? 'non';
  if (!/^(oui|non|true|false)$/i.test(itinerant)) return `itinerant invalide « ${itinerant} » (oui ou non attendu)`;
  const commune = platformCommune(c, resolve);
  const pos = positionOf(c('longitude'), c('latitude'));
  if (pos && 'error' in pos) return pos.error;
  if (!pos && !commune)
    return 'pas de coordonnées (latitude, longitude) ni de commune reconnue (code_insee, code_postal, commune)';
  const base = {
    source_id: id,
    nom,
    siret: s.siret,
    adresse: c('adresse') ?? null,
    code_postal: c('code_postal') ?? null,
    categories,
    date_maj: day,
  };
  const extra: Partial<PlaceInput> = {
    services,
    telephone: c('telephone') ?? null,
    courriel: c('courriel') ?? null,
    site_web: c('site_web') ?? null,
    horaires: c('horaires') ?? null,
    itinerant: /^(oui|true)$/i.test(itinerant),
  };
  if (!pos) return unplaced(base, commune, extra);
  return {
    ...unplaced(base, commune, extra),
    commune: commune?.nom ?? c('commune') ?? null,
    lon: pos.lon,
    lat: pos.lat,
    precision: 'adresse',
  };
}
