import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { backends, missingShared, setup, shared } from '../helpers.ts';

/**
 * Every registered import job fed damaged inputs built from a small real file of its format:
 * cut, bit-flipped, random bytes, a ZIP, empty; plain and gzipped. Whatever the input, the run
 * ends (failed, or succeeded with its rejects) with a French reason, the process lives, no run
 * is left running, and a failed run changes no stored row. Fixed seed, bounded number of runs.
 * PGlite only: the property is about reading files, not about the SQL dialect.
 */
const SEED = 20_260_409;
const RUNS_PER_CASE = 2;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pan-fuzz-'));
const fixture = (f: string) => path.join(import.meta.dirname, '..', 'fixtures', 'eligibility', f);
const firstLines = (file: string, n: number) => {
  const raw = fs.readFileSync(file);
  const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  return Buffer.from(`${text.split('\n').slice(0, n).join('\n')}\n`);
};
const firstFeatures = (file: string, n: number) => {
  const doc = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { features: unknown[] };
  return Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: doc.features.slice(0, n) }));
};

/** A small real input per job, and how a damaged copy is given to it (a file, or a folder for the COG). */
type Seed = { bytes: Buffer; name: string; options?: Record<string, unknown>; place?: (file: string) => string };
const SEEDS: Record<string, () => Seed> = {
  territoires: () => ({
    bytes: Buffer.from(
      zlib.gunzipSync(fs.readFileSync(shared('admin', 'decoupage-administratif-6.0.0-regions.json.gz'))),
    ),
    name: 'regions.json',
    // The damaged file is the first one read; the others are empty lists.
    place: (file) => {
      const dir = fs.mkdtempSync(path.join(tmp, 'cog-'));
      fs.renameSync(file, path.join(dir, 'regions.json'));
      for (const f of ['departements.json', 'epci.json', 'communes.json']) fs.writeFileSync(path.join(dir, f), '[]');
      return dir;
    },
  }),
  contours: () => ({
    bytes: firstFeatures(shared('boundaries', 'france-geojson-2018', 'departements-normandie.geojson.gz'), 2),
    name: 'departements.geojson',
    options: { niveau: 'departement' },
  }),
  'arcep-deploiements': () => ({
    bytes: firstLines(shared('arcep-fixe', 'arcep-obs-thd-2018t1-ftthCommunes.csv.gz'), 60),
    name: 'ftthCommunes.csv',
  }),
  'mci-communes': () => ({
    bytes: firstLines(shared('arcep-fixe', 'mci-commune-debit-2022t4-bfc-normandie.csv.gz'), 40),
    name: 'commune_debit.csv',
  }),
  'logements-insee': () => ({
    bytes: firstLines(shared('logements', 'insee-rp2021-logements-communes-bfc-normandie.csv.gz'), 40),
    name: 'base-cc-logement.csv',
  }),
  adresses: () => ({
    bytes: firstLines(shared('addresses', 'bal-54084-mont-bonvillers-fixture.csv.gz'), 40),
    name: 'bal.csv',
  }),
  'mci-immeubles': () => ({ bytes: fs.readFileSync(fixture('base_imb_54.csv')), name: 'base_imb_54.csv' }),
  'mci-eligibilite': () => ({ bytes: fs.readFileSync(fixture('actuel_54.csv')), name: 'actuel_54.csv' }),
  'mci-operateurs': () => ({ bytes: fs.readFileSync(fixture('operateur.csv')), name: 'operateur.csv' }),
  'fibre-immeubles': () => ({
    bytes: fs.readFileSync(fixture('cartefibre_immeubles_54.csv')),
    name: 'cartefibre_immeubles_54.csv',
  }),
  'offres-repli': () => ({
    bytes: firstLines(shared('arcep-fixe', 'france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz'), 40),
    name: 'operateurs.csv',
  }),
  strategie: () => ({
    bytes: fs.readFileSync(
      path.join(import.meta.dirname, '..', '..', 'src', 'strategy', 'modeles', 'normandie-2017.yaml'),
    ),
    name: 'normandie-2017.yaml',
  }),
  'strategie-mesures': () => ({
    bytes: Buffer.from(
      'strategie;indicateur;date;valeur;source;commentaire\r\nscoran-bfc;I1;2024-12-31;12,5;Enquête;\r\nscoran-bfc;I1;2025-06-30;18;Enquête;\r\n',
    ),
    name: 'mesures.csv',
  }),
  'aides-territoires': () => ({
    bytes: firstLines(shared('aides-territoires', 'aides-territoires-export-periurbain-2022-11.csv.gz'), 20),
    name: 'aides.csv',
    options: { territoire: 'france' },
  }),
  'opendata-collectivites': () => ({
    bytes: firstLines(
      shared('opendata-collectivites', 'odater-organisations-ouvrantes-2022-12-31-national.csv.gz'),
      20,
    ),
    name: 'odater.csv',
  }),
  retention: () => ({
    bytes: fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'src', 'opendata', 'retention.json')),
    name: 'retention.json',
  }),
  accessibilite: () => ({
    bytes: fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'src', 'inclusion', 'accessibilite.json')),
    name: 'accessibilite.json',
  }),
  'mobile-indicateurs': () => ({
    bytes: fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'src', 'mobile', 'indicateurs.json')),
    name: 'indicateurs.json',
  }),
  'france-services': () => ({
    bytes: firstLines(shared('france-services', 'liste-france-services-20240801-bfc-normandie.csv.gz'), 30),
    name: 'liste-fs-20240801.csv',
  }),
  'aidants-connect': () => ({
    bytes: firstLines(shared('mediation-numerique', 'aidants-connect-structures-national-2024-02.csv.gz'), 30),
    name: 'aidants-connect-structures-2024-02.csv',
    options: { perimetre: 'france' },
  }),
  'cnfs-structures': () => ({
    bytes: firstLines(shared('mediation-numerique', 'cnfs-structures-national-2023-04.csv.gz'), 30),
    name: 'cnfs-structures-2023-04.csv',
    options: { perimetre: 'france' },
  }),
  // No census file exists here: 20 real places of Commune Mesure in the census's columns (as in inclusion-tiers-lieux).
  'tiers-lieux': () => {
    const rows = zlib
      .gunzipSync(fs.readFileSync(shared('tiers-lieux', 'commune-mesure-tiers-lieux-2022.csv.gz')))
      .toString('utf8')
      .split('\n')
      .slice(1, 21)
      .map((l) => /^(\d+),("[^"]*"|[^,]*),("[^"]*"|[^,]*),([\d.-]+),([\d.-]+)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => {
        const addr = m[3]!.replace(/"/g, '');
        const cp = /(\d{4,5}) ([^,]+)$/.exec(addr);
        return [
          `CM-${m[1]}`,
          m[2]!.replace(/"/g, ''),
          addr,
          cp?.[1] ?? '',
          cp?.[2] ?? '',
          m[4]!.replace('.', ','),
          m[5]!.replace('.', ','),
        ].join(';');
      });
    return {
      bytes: Buffer.from(`ID_UNIQUE;NOM;ADRESSE;CODPOST;VILLE;LATITUDE;LONGITUDE\n${rows.join('\n')}\n`),
      name: 'bdftl-2023-01-fiche-identite.csv',
      options: { perimetre: 'france' },
    };
  },
  // The platform's own format: 15 real Le Havre places written in it (as in inclusion-plateforme).
  'lieux-plateforme': () => ({
    bytes: Buffer.from(
      JSON.stringify(
        (
          JSON.parse(
            zlib
              .gunzipSync(
                fs.readFileSync(shared('mediation-numerique', 'lieux-mediation-numerique-le-havre-2024.json.gz')),
              )
              .toString('utf8'),
          ) as Record<string, unknown>[]
        )
          .slice(0, 15)
          .map((o) => ({
            id: o.id,
            nom: o.nom,
            categories: ['mediation'],
            adresse: o.adresse,
            code_postal: String(o.code_postal),
            commune: o.commune,
            latitude: o.latitude,
            longitude: o.longitude,
          })),
        null,
        1,
      ),
    ),
    name: 'lieux-partenaire.json',
    options: { perimetre: 'france' },
  }),
  ifn: () => ({
    bytes: firstLines(shared('mediation-numerique', 'ifn-indice-fragilite-numerique-epci-2023.csv.gz'), 30),
    name: 'ifn-epci.csv',
  }),
  'lieux-mediation': () => ({
    bytes: Buffer.from(
      JSON.stringify(
        (
          JSON.parse(
            zlib
              .gunzipSync(fs.readFileSync(shared('mediation-numerique', 'lieux-cnfs-bfc-normandie-2022.json.gz')))
              .toString('utf8'),
          ) as unknown[]
        ).slice(0, 20),
        null,
        1,
      ),
    ),
    name: 'lieux-cnfs.json',
  }),
  'maturite-campagne': () => ({
    bytes: Buffer.from(
      'type;section_naf;taille;commune;connexion;postes;site-web;fiche-reseaux;vente-en-ligne;paiement;sauvegardes;mots-de-passe;formation;referent;outils-gestion;rgpd;demarches;facturation\r\n' +
        'entreprise;G;1-9;21231;thd;oui;vitrine;actif;non;en-ligne;auto;individuels;non;oui;tableur;non;certaines;oui\r\n' +
        'association;S;0;25056;adsl;non;non;passif;non;non;manuel;partages;quelques-uns;non;papier;en-cours;non;non\r\n',
    ),
    name: 'enquete.csv',
    options: { campagne: 'enquete-fuzz' },
  }),
  'sites-mobiles': () => ({
    bytes: firstLines(shared('arcep-mobile', 'sites-mobiles-2023t4-normandie-orange.csv.gz'), 40),
    name: '2023_T4_sites_Metropole.csv',
  }),
  'couverture-ciblee': () => ({
    // The example row of ARCEP's "zones à couvrir" file (data README §13), in its published layout.
    bytes: Buffer.from(
      'num_arrete;date_publication_arrete;numero_site;nom_site_operateurs;site_physique;numero_site_physique;nom_site_arrete;id_dossier;nom_de_la_zone;region;departement;insee_dep;x_lambert_93;y_lambert_93;20801;20810;20815;20820;op_leader;sites_demandes;sites_mes;sites_6_mois;sites_6_24_mois;sites_attente_deploiement;origine_zone;num_zone_arrete\n2018-1;2018-07-08;1;ZPG64601;1;1;NA;1;AAST;NOUVELLE-AQUITAINE;PYRÉNÉES-ATLANTIQUES;64;448967;6247417;1;1;1;1;20815;1;1;0;0;0;ZBCB;1\n2018-1;2018-07-08;2;ZPG64602;1;2;NA;2;ARETTE;NOUVELLE-AQUITAINE;PYRÉNÉES-ATLANTIQUES;64;390000;6230000;1;0;0;0;20801;1;0;0;1;0;ZBCB;2\n',
    ),
    name: 'zones_a_couvrir.csv',
  }),
  'mobile-stats': () => ({
    bytes: zlib.gunzipSync(fs.readFileSync(shared('arcep-mobile', 'monreseaumobile-stats-nationales-2022.json.gz'))),
    name: 'monreseaumobile-stats-2022.json',
  }),
  'strategie-csv': () => ({
    bytes: Buffer.from(
      '\uFEFFstrategie;id;code;niveau;titre;porteur;statut;avancement;debut;fin;budget_prevu;budget_engage;budget_realise\r\nnormandie-2017;1;A1;axe;Doter le territoire;;en_cours;10;;;0;0;0\r\n',
    ),
    name: 'feuille.csv',
  }),
};

/** A one-entry ZIP (stored, not deflated) holding the seed: what a user sends when they forget to extract. */
function zipOf(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name);
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + data.length, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}

const KINDS = ['truncated', 'bitflip', 'binary', 'zip', 'empty'] as const;
type Kind = (typeof KINDS)[number];
/** Random choices a damage needs: a cut point, bits to flip, random bytes. */
type Damage = { cut: number; flips: { at: number; bit: number }[]; noise: Uint8Array };
const damageArb: fc.Arbitrary<Damage> = fc.record({
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
  flips: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), bit: fc.integer({ min: 0, max: 7 }) }), {
    minLength: 1,
    maxLength: 12,
  }),
  noise: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
});

function damage(seed: Seed, kind: Kind, gzip: boolean, d: Damage): Buffer {
  let b: Buffer;
  switch (kind) {
    case 'empty':
      b = Buffer.alloc(0);
      break;
    case 'binary':
      b = Buffer.from(d.noise);
      break;
    case 'zip':
      b = zipOf(seed.name, seed.bytes);
      break;
    default:
      b = seed.bytes;
  }
  // Damage after compression where it hurts the gzip stream itself (a cut or flipped .gz).
  if (gzip) b = zlib.gzipSync(b);
  if (kind === 'truncated') b = b.subarray(0, Math.floor(d.cut * b.length));
  if (kind === 'bitflip') {
    b = Buffer.from(b);
    for (const f of d.flips)
      if (b.length) {
        const i = Math.min(b.length - 1, Math.floor(f.at * b.length));
        b[i] = b[i]! ^ (1 << f.bit);
      }
  }
  return b;
}

const backend = backends().find((b) => b.name === 'pglite')!;

describe('import fuzz: every job, damaged inputs (pglite)', {
  skip: missingShared(
    'admin/decoupage-administratif-6.0.0-regions.json.gz',
    'boundaries/france-geojson-2018/departements-normandie.geojson.gz',
    'arcep-fixe/arcep-obs-thd-2018t1-ftthCommunes.csv.gz',
    'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
    'logements/insee-rp2021-logements-communes-bfc-normandie.csv.gz',
    'addresses/bal-54084-mont-bonvillers-fixture.csv.gz',
    'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz',
    'arcep-mobile/sites-mobiles-2023t4-normandie-orange.csv.gz',
    'arcep-mobile/monreseaumobile-stats-nationales-2022.json.gz',
  ),
}, () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let tables: string[];
  before(async () => {
    // 1 MB uploads: a 10 MB decompression cap, so that nothing here takes long to refuse.
    t = await setup(backend, { UPLOAD_MAX_MB: '1' });
    tables = (
      await t.db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('import_run', 'schema_migration') ORDER BY 1`,
      )
    ).rows.map((r) => r.table_name);
  });
  after(async () => {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Row count and content digest (order-independent sum of row hashes) of every table but the run log. */
  const checksum = async () => {
    const out: Record<string, string> = {};
    for (const tb of tables) {
      const r = await t.db.query<{ n: number; h: string | null }>(
        `SELECT count(*)::int AS n, sum(hashtextextended(x::text, 0))::text AS h FROM ${tb} x`,
      );
      out[tb] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}`;
    }
    return out;
  };

  test('every registered job has a seed file here (a new job must be added)', () => {
    assert.deepEqual([...t.ctx.jobs.keys()].sort(), Object.keys(SEEDS).sort());
  });

  test('damaged inputs fail with a French reason and change nothing, or succeed with rejects', async () => {
    let runs = 0;
    let failed = 0;
    // What is stored before each run: the last state a run left (only a successful run may change it).
    let stored = await checksum();
    for (const job of [...t.ctx.jobs.keys()].sort()) {
      const seed = SEEDS[job]!();
      for (const kind of KINDS) {
        for (const gzip of [false, true]) {
          await fc.assert(
            fc.asyncProperty(damageArb, async (d) => {
              const file = path.join(tmp, `${runs}-${gzip ? `${seed.name}.gz` : seed.name}`);
              fs.writeFileSync(file, damage(seed, kind, gzip, d));
              const source = seed.place ? seed.place(file) : file;
              const run = await t.ctx.runImport({ job, source, options: seed.options, startedBy: 'fuzz', force: true });
              runs++;
              const where = `${job} ${kind}${gzip ? ' gzip' : ''}: ${run.status} « ${run.message} »`;
              assert.ok(run.status === 'failed' || run.status === 'succeeded', where);
              assert.ok(run.message && run.message.length > 10, where);
              assert.ok(!run.message.includes('\0') && !JSON.stringify(run.rejects).includes('\\u0000'), where);
              if (run.status === 'failed') {
                failed++;
                // "Échec : <raw error>" is the runner's wording for an error no one foresaw.
                assert.doesNotMatch(run.message, /^Échec : /, where);
                assert.match(run.message, /[éèàçù]|fichier|import/i, where);
                assert.deepEqual(await checksum(), stored, `${where} — stored data changed`);
              } else {
                stored = await checksum();
              }
            }),
            { seed: SEED, numRuns: RUNS_PER_CASE, endOnFailure: true, includeErrorInReport: true },
          );
        }
      }
    }
    assert.equal((await t.db.query(`SELECT 1 FROM import_run WHERE status = 'running'`)).rows.length, 0);
    assert.equal(runs, t.ctx.jobs.size * KINDS.length * 2 * RUNS_PER_CASE);
    assert.ok(failed > runs / 2, `${failed} of ${runs} runs failed`);
  });
});
