/**
 * `npm run donnees:test`: downloads the public files the tests read into ../shared/data (or
 * SHARED_DATA_DIR), from the sources and commits named in that folder's README, checks each one's
 * SHA-256 and writes it gzip-compressed under the name the tests use. Files already present with the
 * right content are kept. Needs internet access; nothing here is run by the tests themselves.
 *
 * The checksum is that of the uncompressed content (gzip output differs between tools), except for
 * the Paris BAN file, published gzip-compressed and kept as is. Derived files (a merge, a filter, a
 * SQL dump converted to CSV) are rebuilt with the transformations of scripts/donnees-test-transforms.ts,
 * which reproduce them byte for byte.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { SHARED_DATA } from '../test/helpers.ts';
import {
  filterLogementsCsv,
  filterMciCsv,
  fthdGeojsonToCsv,
  mciSqlToCsv,
  mergeFeatureCollections,
  padLogementsCodes,
} from './donnees-test-transforms.ts';

const gh = (repo: string, commit: string, file: string) =>
  `https://raw.githubusercontent.com/${repo}/${commit}/${file}`;
const FG = (file: string) => gh('gregoiredavid/france-geojson', '5d34ee6d0140c29f785fdb047d9329f1aab58833', file);
const NJACQ = (sheet: string) =>
  gh('NJacq/laravel', '4dbb85293913348d32bb78339c83547f1d6f0f17', `storage/app/public/${sheet}.csv`);
const LOGEMENTS = gh('ribokuu260/Cityfighter', '29d749ef715a3cecc2aba100f24c33d382fa7a75', 'base-cc-logement-2021.CSV');
const MCI_SQL = gh('Tibouyou/telecom', '6551bad07a760d47104f75f5dcbc565ece473cde', 'app/data/communes.sql');
const BFC_DEPTS = [
  '21-cote-d-or',
  '25-doubs',
  '39-jura',
  '58-nievre',
  '70-haute-saone',
  '71-saone-et-loire',
  '89-yonne',
  '90-territoire-de-belfort',
];

type Item = {
  file: string;
  /** SHA-256 of the uncompressed content (of the file itself when `gzipped`). */
  sha256: string;
  urls: string[];
  build?: (parts: Buffer[]) => Buffer;
  /** Copied from an installed npm package instead (path under node_modules), checksum checked alike. */
  local?: string;
  gzipped?: boolean;
};

const ARCEP_2018: [string, string][] = [
  ['ftthCommunes', '8260477fd2188e2d51da0a7a2f04aab7368383208ea833b02d7e7c0f10dc875d'],
  ['communes', 'caf96969e285477b958dcffd5ad889078d627e4d0a1bc2753919c180146b4b1f'],
  ['ftthDepartements', 'b6e53ebeccc1256300e0552fb0e4662c743303fccbe0e255490e5c7215ba6284'],
  ['departements', 'e638e3bb71b34f2def5fb52499a0753777e48c8cf66eda5a368cab9c1a7fb842'],
  ['ftthRegions', '7d2c4ebf0f965b51ecd43990f5ee73ad009c420107835be52aac7e677663b5e0'],
  ['regions', '33e981bb0a4cfd673ccd78d58f4f6e19dd56d41c8c8decec0e182c740047ff72'],
  ['ftthEpci', '21485a21fd954d9e84f7442901753b392dd93f429a7d1123841554c72adf9585'],
  ['epci', 'f14e27e2f1cdffaaaa6f74aab86004bd9dc7393cdb871ce51b16c0a5aee49526'],
];

export const ITEMS: Item[] = [
  // §2 — COG 2026: the data files of the npm package @etalab/decoupage-administratif 6.0.0 (a project dependency), unmodified.
  ...(
    [
      ['communes', '6cafec09b4e127d08edc47f366b28261bee70cca323fbfcb957dd169fcad9284'],
      ['departements', '1ebe7e0ad0a49653c899087194344ec67f7115b728c4e1b98f741bd655b545e0'],
      ['regions', '98cb7c781d09577634b9e104dfbb92e39a0d10ae0e1c6c20978a49a474e1dba5'],
      ['epci', '40758ace686311837c484da81c2a8ba00a9f356bc6210f3316c6b19daa4dc967'],
    ] as const
  ).map(([f, sha256]) => ({
    file: `admin/decoupage-administratif-6.0.0-${f}.json.gz`,
    sha256,
    urls: [],
    local: `@etalab/decoupage-administratif/data/${f}.json`,
  })),
  // §9 — INSEE dwellings 2021 (base-cc-logement): CODGEO padded to 5 characters; BFC + Normandie subset.
  // The README names commit 663f562, which already holds another blob; the blob it names (ebc25833) is at 29d749e.
  {
    file: 'logements/insee-rp2021-logements-communes-geo2024.csv.gz',
    sha256: '33eb68cc4bbd4519b7ea9782ced9ed33c5d0d6efa2c3557bc99ecd2d3ca31865',
    urls: [LOGEMENTS],
    build: ([b]) => padLogementsCodes(b!),
  },
  {
    file: 'logements/insee-rp2021-logements-communes-bfc-normandie.csv.gz',
    sha256: '3e3a776cb6c02c1b574112bd5920d787956afa032e71ff0da10ed42d41a13193',
    urls: [LOGEMENTS],
    build: ([b]) => filterLogementsCsv(padLogementsCodes(b!)),
  },
  // §1a — IGN Admin Express COG 2018 via france-geojson (unmodified, except the BFC communes: 8 files merged).
  {
    file: 'boundaries/france-geojson-2018/communes-normandie.geojson.gz',
    sha256: 'e710eecf4e7282d4cdc00d766c06548857efd2f4686b605357573d91ff1065e4',
    urls: [FG('regions/normandie/communes-normandie.geojson')],
  },
  {
    file: 'boundaries/france-geojson-2018/region-normandie.geojson.gz',
    sha256: '88bc21ab3bbfe7f90b7824b7420e65c79b3ed9f3376285e58437b3b6bf66ed1b',
    urls: [FG('regions/normandie/region-normandie.geojson')],
  },
  {
    file: 'boundaries/france-geojson-2018/departements-normandie.geojson.gz',
    sha256: '4bd603fbb20de1ca749f4e9b599bd11bd3695761b4f6ca19793a015a6c691201',
    urls: [FG('regions/normandie/departements-normandie.geojson')],
  },
  {
    file: 'boundaries/france-geojson-2018/region-bourgogne-franche-comte.geojson.gz',
    sha256: '21e7160c93fa975f114f18c026c77039403743efea242da465ab9a9dc9aad33d',
    urls: [FG('regions/bourgogne-franche-comte/region-bourgogne-franche-comte.geojson')],
  },
  {
    file: 'boundaries/france-geojson-2018/departements-bourgogne-franche-comte.geojson.gz',
    sha256: '5986477de0a15567789c5c8d014a585b3f8ee1ab0f26d81657640e2c9b688068',
    urls: [FG('regions/bourgogne-franche-comte/departements-bourgogne-franche-comte.geojson')],
  },
  {
    file: 'boundaries/france-geojson-2018/communes-bourgogne-franche-comte.geojson.gz',
    sha256: 'b86ea77450ce72032f2f1f35b3f94672765c3fe08450230401250f268667e628',
    urls: BFC_DEPTS.map((d) => FG(`departements/${d}/communes-${d}.geojson`)),
    build: mergeFeatureCollections,
  },
  // §4a and §13 — ARCEP mobile sites (Mon réseau mobile, Licence Ouverte), unmodified.
  {
    file: 'arcep-mobile/sites-mobiles-2g3g4g-metropole-2018-01-l93.csv.gz',
    sha256: '90fb964af741ab745a9f693af0ab92fac0a80dffffe28d6b7beaa82b99167b73',
    urls: [
      gh(
        'verailina/network_coverage_api',
        '180a6952f0870f6e142d64902aa5b5387ea5c216',
        'src/network_coverage_api/data/2018_01_Sites_mobiles_2G_3G_4G_France_metropolitaine_L93.csv',
      ),
    ],
  },
  {
    file: 'arcep-mobile/sites-mobiles-2023t4-normandie-orange.csv.gz',
    sha256: 'ea091870177a97acba34d00f78a83e0e6e1e3382bd38dbd87181f52622959b68',
    urls: [gh('GauTit/stage_cvut', '32a6396f7e0627f50081591a17fbfa058894fa91', 'stations_normandie_orange.csv')],
  },
  // §3a — ARCEP observatory 2018 T1, CSV exports of the workbook's sheets (unmodified).
  ...ARCEP_2018.map(([sheet, sha256]) => ({
    file: `arcep-fixe/arcep-obs-thd-2018t1-${sheet}.csv.gz`,
    sha256,
    urls: [NJACQ(sheet)],
  })),
  // §15 — FttH series of the 2022 T2 workbook (départements, régions), long form, as committed (assumed unmodified).
  {
    file: 'arcep-fixe/arcep-obs-thd-2022t2-ftth-departements-serie-2017t4-2022t2.csv.gz',
    sha256: 'c79c587a0fb1e607ed1134ce81c68943e584be6d578a4dcf7b6e8dac92f5f8e1',
    urls: [
      gh(
        'victger/Dashboard_Fibre_Optique_Python',
        '222d25318e4ad6fe1e1c12eceb87dd542e282206',
        'departements_final.csv',
      ),
    ],
  },
  {
    file: 'arcep-fixe/arcep-obs-thd-2022t2-ftth-regions-serie-2017t4-2022t2.csv.gz',
    sha256: '5ea5bda3e598f04108dca8e1ff5b37e563b5b1232d3ed09c080064a5fecdc2cf',
    urls: [
      gh('victger/Dashboard_Fibre_Optique_Python', '222d25318e4ad6fe1e1c12eceb87dd542e282206', 'regions_final.csv'),
    ],
  },
  // §3b — France Très Haut Débit partners (ANCT): geometry dropped, operators unpivoted.
  {
    file: 'arcep-fixe/france-thd-operateurs-satellite-4g-par-departement-2024.csv.gz',
    sha256: 'fc38a512183634279f60866ad8e8d02a0bc7fbe234688c040937dd117b337ad6',
    urls: [gh('anct-carto/operateurs_fthd', '8184dfb3527416c35422f463b24f9e3f867ec1fa', 'data/geom/data_dep.geojson')],
    build: ([b]) => fthdGeojsonToCsv(b!),
  },
  // §12a — Ma connexion internet 2022 T4 per commune: SQL dump → CSV; BFC + Normandie subset on code_dep.
  {
    file: 'arcep-fixe/mci-commune-debit-2022t4-national.csv.gz',
    sha256: 'c9fe48cb42927f5d32114a832a470d33dfa2dd90a884bb06ceb22a4af6b4045e',
    urls: [MCI_SQL],
    build: ([b]) => mciSqlToCsv(b!),
  },
  {
    file: 'arcep-fixe/mci-commune-debit-2022t4-bfc-normandie.csv.gz',
    sha256: 'c907b0d6f32bc444f261de9f7e1fab85874415ea23320b5b992c9ecbcdf1cc8f',
    urls: [MCI_SQL],
    build: ([b]) => filterMciCsv(mciSqlToCsv(b!)),
  },
  // §12c — MCI building extract, central Nantes (unmodified).
  {
    file: 'arcep-fixe/mci-base-imb-nantes-centre-2022.csv.gz',
    sha256: '1431de51c2b999fb522504a66777944e8166eb18bc84bd798d0f035ae49fd7aa',
    urls: [gh('xgandibleux/momhTSUFLP', '6139e59a8a3b65a5bdbaa7705f3c1db7d9db2de4', 'imb_nte_propre-coordunifor.csv')],
  },
  // §7 and §16 — Aides-territoires (MTES-MCT/aides-territoires, ISC), unmodified.
  {
    file: 'aides-territoires/aides-territoires-export-periurbain-2022-11.csv.gz',
    sha256: 'c7cba479364c006808a7d6028d799153b17820ea2eff5bcee2397f60bc0683e3',
    urls: [
      gh(
        'MTES-MCT/aides-territoires',
        '87a209f381c49f3b50f927bd468c74844d24c24f',
        'src/projects/management/data/aides-territoires_periurbain.csv',
      ),
    ],
  },
  {
    file: 'aides-territoires/departement-manche-aides-sample.json.gz',
    sha256: 'd56fb2adcee57a14a6045b6371edeb902357083f40bccaf4aed87550163e2a97',
    urls: [
      gh(
        'MTES-MCT/aides-territoires',
        'c8482dca4da6cbe76393985ae87708a5462fd943',
        'src/dataproviders/tests/departement_manche_data.json',
      ),
    ],
  },
  {
    file: 'aides-territoires/aides-schema-exemple-valide.csv.gz',
    sha256: '041ba4114c59cc5d1257c647ee944d488c0fdc3fa7afe4cfd4cb578fc1aa4e01',
    urls: [
      gh(
        'MTES-MCT/aides-territoires',
        '0222290c731207755286f29575831feb2a9e5fbc',
        'src/aids/schema/exemple-valide.csv',
      ),
    ],
  },
  // §14a — OpenDataFrance observatory 2022, organisations that publish (copy kept by Data4Good, MIT), unmodified.
  {
    file: 'opendata-collectivites/odater-organisations-ouvrantes-2022-12-31-national.csv.gz',
    sha256: '14581e9770d9bb39bbc6610b0c789c5e2f3690a97d74fabb04e9b1f95d2d4457',
    urls: [
      gh(
        'dataforgoodfr/13_eclaireur_public',
        '0095ba71edc4cab41eea5ac8b679bef64ff559e2',
        'back/scripts/datasets/odf.csv',
      ),
    ],
  },
  // §8 — addresses (unmodified; the Paris BAN file was published gzip-compressed).
  {
    file: 'addresses/ban-adresses-75-paris-2024-06.csv.gz',
    sha256: '178adc220b754b41bacaed2c9e1243c885a5647aea89e76ee4b043f7b50d28e2',
    urls: [gh('Ieric03/adresses_restaurants', 'b7fd6092d60624b55c67e925186c060c9a4e5f26', 'adresses-75.csv.gz')],
    gzipped: true,
  },
  {
    file: 'addresses/bano-90-territoire-de-belfort-2015-03.csv.gz',
    sha256: '2073eaf8a5158e46e48abd468a5d65195df00df6b76d3f89ed50f0fae8e889a1',
    urls: [gh('osm-fr/bano-data', '9079d156abf07e1032ed651bd801a34b72a8e4be', 'bano-90.csv')],
  },
  {
    file: 'addresses/bal-54084-mont-bonvillers-fixture.csv.gz',
    sha256: '5599ae16b418886672fcb1e5f7a373bdf7464d19c38bf91ca52b39bd75d9b2d9',
    urls: [
      gh(
        'BaseAdresseNationale/mes-adresses-api',
        '57769f47b47ed4966aedf5a7e468d6576f9ad873',
        'lib/populate/__mocks__/adresses-54084.csv',
      ),
    ],
  },
  // §5 and §10 — lieux de médiation numérique in the schema's 2023 and 2024 forms (ANCT, Licence Ouverte), unmodified.
  {
    file: 'mediation-numerique/lieux-mediation-numerique-charente-2023-schema.json.gz',
    sha256: '8619450cfa87da55b2ea285c9e11e4a570bcf70d0a51cd764fcb616b70609741',
    urls: [
      gh(
        'anct-cartographie-nationale/client-application',
        '926d8162a4a9416206bd3e5f91cdd40070f6419d',
        'src/assets/data/20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json',
      ),
    ],
  },
  {
    file: 'mediation-numerique/lieux-mediation-numerique-le-havre-2024.json.gz',
    sha256: '1d14169872e4632c4fba94cb2681f7b81ac0d38135920819da7c42ed6bcdad66',
    urls: [
      gh(
        'anct-cartographie-nationale/mednum-cli',
        '2dfbd07443441735daff5e67735aafba2f8bfb61',
        'assets/input/le-havre/le-havre.json',
      ),
    ],
  },
  // §10 — indice de fragilité numérique 2023 (Mednum / ANCT), communes and EPCI, unmodified.
  ...(
    [
      ['communes', 'city', 'd790acb341a35779ef49a0e27ae8c2d92ea3414b99e85bbe0dbfb90ce470a78f'],
      ['epci', 'epci', '37fc40768422b62337933ea811aa34c589244414a942370282807d70fdb95a1d'],
    ] as const
  ).map(([f, src, sha256]) => ({
    file: `mediation-numerique/ifn-indice-fragilite-numerique-${f}-2023.csv.gz`,
    sha256,
    urls: [
      gh(
        'inclusion-numerique/stack',
        'f834ffa01171899e8efc38eb0864174b42a29482',
        `apps/web/public/data/ifn-${src}-all-variation.csv`,
      ),
    ],
  })),
  // §10 — Aidants Connect structures and CNFS employer structures (inclusion-numerique/stack), unmodified.
  {
    file: 'mediation-numerique/aidants-connect-structures-national-2024-02.csv.gz',
    sha256: '43fdfdde94a0cab62114fb4f50dc3fadf8e5df5092c11476309f1949b25437d2',
    urls: [
      gh(
        'inclusion-numerique/stack',
        '38263aa2f488174e0ce5b581e9ef40bfbe943948',
        'apps/web/public/data/aidants-connect_structures.csv',
      ),
    ],
  },
  {
    file: 'mediation-numerique/cnfs-structures-national-2023-04.csv.gz',
    sha256: 'ae8a622fe919df4f6847912020a506f09c3f5000f96a84bec6d90a478a98865b',
    urls: [
      gh(
        'inclusion-numerique/stack',
        '835629a42511ceb57bee400f7f73cb5c3913569d',
        'apps/web/public/data/20230405-3925-cnfs.csv',
      ),
    ],
  },
  // §17 — tiers-lieux scraped from Commune Mesure (a course project), unmodified.
  {
    file: 'tiers-lieux/commune-mesure-tiers-lieux-2022.csv.gz',
    sha256: '1b824d81c24b63ffb260e9402ccf65e615f40847ba2855025a977801c6c8d852',
    urls: [
      gh(
        'sadekar-onkar/tierslieux_ddps',
        'abe5dcd51bba2f2eaf0acc5be3a444e44bc8d169',
        'data/commune_mesure_website_data.csv',
      ),
    ],
  },
];

/**
 * Not downloadable by this script: §1b was converted from GeoParquet (Lambert-93) to GeoJSON (WGS84)
 * with a throwaway script; rebuilding it needs a GeoParquet reader and proj4, which the project does
 * not depend on. The suites that read these files stay skipped without them.
 */
export const NOT_DOWNLOADABLE: { file: string; source: string }[] = [
  ...[
    'epci-bfc-normandie-2025.geojson.gz',
    'departements-fra-2025.geojson.gz',
    'regions-fra-2025.geojson.gz',
    'communes-centroides-bfc-normandie-2025.csv.gz',
  ].map((f) => ({
    file: `boundaries/ngeofr-2025/${f}`,
    source:
      'github.com/bellice/ngeofr-maps @ fe22c874fd8b37937fd95e92f9e0059ec06b9089, public/fra/*-2025-*-gen.parquet (GeoParquet, EPSG:2154)',
  })),
  {
    file: 'opendata-collectivites/odater-organisations-ouvrantes-2022-12-31-bfc-normandie.csv.gz',
    source:
      '§14b of ../shared/data/README.md: the national file joined on SIREN to the COG, départements and régions from datactivist/identifiants_collTerr, associated actors matched by hand',
  },

  // BFC + Normandie subsets of national files (README §5, §6, §10), filtered by département; no transformation
  // here rebuilds them byte for byte yet.
  {
    file: 'france-services/liste-france-services-20240801-bfc-normandie.csv.gz',
    source:
      'github.com/anct-carto/france_services @ e1016fd717a8c9cc53406621959c837fb74fc0c9, data/liste-fs-20240801.csv, filtered on insee_dep and re-quoted',
  },
  {
    file: 'mediation-numerique/lieux-cnfs-bfc-normandie-2022.json.gz',
    source:
      'github.com/anct-cartographie-nationale/client-application @ 9f64eee0ab0c004bee01b3793532f64086931d63, src/assets/data/lieux-de-mediation-numerique.cnfs.json, filtered by postcode département',
  },
  {
    file: 'mediation-numerique/lieux-mediation-numerique-data-inclusion-bfc-normandie-2022.json.gz',
    source:
      'github.com/anct-cartographie-nationale/mednum-cli @ 5c7c8a2adb6e982011017da01989d106f8b33205, assets/input/data-inclusion/data-inclusion.json, filtered by département',
  },
  {
    file: 'arcep-mobile/monreseaumobile-stats-nationales-2022.json.gz',
    source:
      'github.com/ARCEP-dev/monReseauMobile @ 550668e4c688cc0ec849e868b246d22a3ba447bc, js/data-graph.js (a JS object literal, evaluated and saved as JSON)',
  },
  {
    file: 'arcep-mobile/sites-mobiles-2g3g4g-bfc-normandie-2018-01.csv.gz',
    source:
      'derived from arcep-mobile/sites-mobiles-2g3g4g-metropole-2018-01-l93.csv.gz (proj4 to WGS84, département by point-in-polygon on ngeofr-2025 départements; throwaway script)',
  },
];

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function present(target: string, item: Item): boolean {
  if (!fs.existsSync(target)) return false;
  try {
    const b = fs.readFileSync(target);
    return sha(item.gzipped ? b : zlib.gunzipSync(b)) === item.sha256;
  } catch {
    return false;
  }
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'follow' });
  if (!res.ok) throw new Error(`${url} : HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function main() {
  let failed = 0;
  const cache = new Map<string, Promise<Buffer>>();
  const get = (url: string) => {
    let p = cache.get(url);
    if (!p) {
      p = download(url);
      cache.set(url, p);
    }
    return p;
  };
  console.log(`Données de test dans ${SHARED_DATA}`);
  for (const item of ITEMS) {
    const target = path.join(SHARED_DATA, item.file);
    if (present(target, item)) {
      console.log(`déjà présent   ${item.file}`);
      continue;
    }
    try {
      const parts = item.local
        ? [fs.readFileSync(createRequire(import.meta.url).resolve(item.local))]
        : await Promise.all(item.urls.map(get));
      const content = item.build ? item.build(parts) : parts[0]!;
      const got = sha(content);
      if (got !== item.sha256) throw new Error(`empreinte SHA-256 inattendue ${got} (attendue ${item.sha256})`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, item.gzipped ? content : zlib.gzipSync(content, { level: 9 }));
      fs.renameSync(tmp, target);
      console.log(`téléchargé     ${item.file}`);
    } catch (e) {
      failed++;
      console.error(`ÉCHEC          ${item.file} : ${(e as Error).message}`);
    }
  }
  for (const n of NOT_DOWNLOADABLE) {
    if (!fs.existsSync(path.join(SHARED_DATA, n.file)))
      console.log(`non téléchargeable ${n.file} (source : ${n.source}) ; les tests qui le lisent restent ignorés`);
  }
  if (failed) {
    console.error(`${failed} fichier(s) non obtenus.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
