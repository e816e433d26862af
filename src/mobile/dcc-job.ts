import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { readHeader, readRecords } from '../imports/csv.ts';
import { defineJob } from '../imports/job.ts';
import { readLimits } from '../imports/read.ts';
import { DEPARTEMENT_CODE, padCommuneCode } from '../territories/codes.ts';
import * as Q from './dcc-queries.ts';
import { CommuneLocator, lambert93ToWgs84 } from './locate.ts';
import { OPERATEUR_OF_MCCMNC, OPERATEURS } from './vocab.ts';

/** The legal deadline: 24 months after the decree (New Deal mobile), unless the file sets another. */
export function deadlineOf(arrete: string): string {
  const [y, m, d] = arrete.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y + 2, m - 1, d));
  // 29 February + 24 months: 1 March rather than a date that does not exist.
  return t.toISOString().slice(0, 10);
}

const isDay = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

/** The columns of the platform's own export (`/observatoire/mobile/couverture-ciblee.csv`), read back as is. */
export const OWN_COLUMNS = [
  'cle',
  'departement',
  'communes',
  'nom_zone',
  'operateurs',
  'operateur_leader',
  'arrete_reference',
  'arrete_date',
  'echeance',
  'statut',
  'statut_date',
] as const;

type Parsed = { ok: Q.DccInput } | { error: string };

function fromArcep(at: (k: string) => string, locator: CommuneLocator): Parsed {
  const dep = at('insee_dep').padStart(2, '0').toUpperCase();
  if (!DEPARTEMENT_CODE.test(dep)) return { error: `département « ${at('insee_dep')} » inconnu` };
  const num = at('num_arrete');
  const site = at('numero_site');
  if (!num || !site) return { error: 'num_arrete et numero_site requis (clé de la zone)' };
  const date = at('date_publication_arrete');
  if (date && !isDay(date)) return { error: `date_publication_arrete « ${date} » : date AAAA-MM-JJ attendue` };
  const operateurs = Object.entries(OPERATEUR_OF_MCCMNC)
    .filter(([code]) => at(code) === '1')
    .map(([, slug]) => slug)
    .sort((a, b) => OPERATEURS.indexOf(a) - OPERATEURS.indexOf(b));
  const leader = at('op_leader');
  if (leader && !OPERATEUR_OF_MCCMNC[leader]) return { error: `op_leader « ${leader} » : code opérateur inconnu` };
  const x = Number(at('x_lambert_93'));
  const y = Number(at('y_lambert_93'));
  const pos =
    at('x_lambert_93') && at('y_lambert_93') && Number.isFinite(x) && Number.isFinite(y)
      ? lambert93ToWgs84(x, y)
      : null;
  const commune = pos ? locator.locate(pos[0], pos[1]) : null;
  return {
    ok: {
      cle: `arcep:${num}:${site}`,
      departement: dep,
      communes: commune ? [commune] : [],
      nom_zone: at('nom_de_la_zone') || at('nom_site_arrete') || `${dep} site ${site}`,
      operateurs,
      operateur_leader: leader ? OPERATEUR_OF_MCCMNC[leader]! : null,
      arrete_reference: num,
      arrete_date: date || null,
      echeance: date ? deadlineOf(date) : null,
      statut: at('sites_mes') === '1' ? 'en_service' : 'arrete',
      statut_date: null,
      lon: pos ? pos[0] : null,
      lat: pos ? pos[1] : null,
    },
  };
}

function fromOwn(at: (k: string) => string): Parsed {
  const dep = at('departement').toUpperCase();
  if (!DEPARTEMENT_CODE.test(dep)) return { error: `département « ${at('departement')} » inconnu` };
  const nom = at('nom_zone');
  if (!nom) return { error: 'nom_zone requis' };
  const statut = at('statut') || 'identifie';
  if (!(Q.STATUTS as readonly string[]).includes(statut))
    return { error: `statut « ${statut} » : attendu ${Q.STATUTS.join(', ')}` };
  const operateurs = at('operateurs')
    .split(/[\s,]+/)
    .filter(Boolean);
  const bad = operateurs.find((o) => !(OPERATEURS as readonly string[]).includes(o));
  if (bad) return { error: `opérateur « ${bad} » : attendu ${OPERATEURS.join(', ')}` };
  const leader = at('operateur_leader');
  if (leader && !(OPERATEURS as readonly string[]).includes(leader))
    return { error: `operateur_leader « ${leader} » inconnu` };
  for (const k of ['arrete_date', 'echeance', 'statut_date'])
    if (at(k) && !isDay(at(k))) return { error: `${k} « ${at(k)} » : date AAAA-MM-JJ attendue` };
  const communes = at('communes')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(padCommuneCode);
  const arrete = at('arrete_date') || null;
  return {
    ok: {
      cle: at('cle') || `saisie:${dep}:${nom.toLowerCase()}`,
      departement: dep,
      communes,
      nom_zone: nom,
      operateurs,
      operateur_leader: leader || null,
      arrete_reference: at('arrete_reference') || null,
      arrete_date: arrete,
      echeance: at('echeance') || (arrete ? deadlineOf(arrete) : null),
      statut: statut as Q.Statut,
      statut_date: at('statut_date') || null,
      lon: null,
      lat: null,
    },
  };
}

export const couvertureCibleeJob = defineJob({
  name: 'couverture-ciblee',
  title: 'Dispositif de couverture ciblée (sites demandés, New Deal mobile)',
  accepts:
    "CSV « ; » : le fichier « zones à couvrir » de l'Arcep (num_arrete, date_publication_arrete, numero_site, nom_de_la_zone, insee_dep, x_lambert_93, y_lambert_93, colonnes 20801…20820, op_leader, sites_mes…) ou l'export de la plateforme (cle;departement;communes;nom_zone;operateurs;…;statut;statut_date). Une zone déjà connue (même clé) est mise à jour ; le changement de statut est inscrit à son historique. Échéance : 24 mois après l'arrêté sauf indication contraire.",
  options: z.object({}).strict(),
  async run({ db, tally, config }, source) {
    const fichier = path.basename(source.name);
    const limits = readLimits(config);
    const { header, delimiter } = await readHeader(source.path, limits);
    const arcep = ['num_arrete', 'numero_site', 'insee_dep'].every((k) => header.includes(k));
    const own = ['departement', 'nom_zone', 'statut'].every((k) => header.includes(k));
    if (!arcep && !own)
      throw new AppError(
        'IMPORT_ECHEC',
        `unknown DCC header ${header.slice(0, 6).join(';')}`,
        `En-tête non reconnu dans ${fichier} : attendu le fichier « zones à couvrir » de l'Arcep (num_arrete, numero_site, insee_dep…) ou l'export de la plateforme (${OWN_COLUMNS.join(';')}).`,
      );
    const locator = arcep ? await CommuneLocator.build(db) : null;
    const col = new Map(header.map((h, i) => [h, i]));
    const items = new Map<string, Q.DccInput>();
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
      const at = (k: string) => {
        const i = col.get(k);
        return i === undefined ? '' : (rec.fields[i] ?? '').trim();
      };
      const p = arcep ? fromArcep(at, locator!) : fromOwn(at);
      if ('error' in p) {
        tally.reject(rec.n, p.error, rec.raw);
        continue;
      }
      if (items.has(p.ok.cle)) {
        tally.reject(rec.n, `zone en double dans le fichier (clé ${p.ok.cle})`, rec.raw);
        continue;
      }
      items.set(p.ok.cle, p.ok);
    }
    if (!items.size)
      throw new AppError(
        'IMPORT_ECHEC',
        'no DCC row',
        `Aucune zone valide dans ${fichier} (${tally.rejected} ligne(s) rejetée(s)). Rien n'a été modifié.`,
      );
    let changed = 0;
    await db.transaction(async (tx) => {
      for (const d of items.values()) {
        const r = await Q.upsertDcc(tx, d);
        if (r.changed) {
          changed++;
          await Q.addHistory(tx, r.id, d.statut, d.statut_date, `import ${fichier}`);
        }
      }
    });
    tally.accepted = items.size;
    return `${items.size} zone(s) de couverture ciblée importée(s) depuis ${fichier}, dont ${changed} nouvelle(s) ou au statut changé${tally.rejected ? ` ; ${tally.rejected} ligne(s) rejetée(s)` : ''}.`;
  },
});
