/**
 * The transformations that turned public source files into the test files of ../shared/data, as its
 * README describes them, reproduced so that `npm run donnees:test` rebuilds byte-identical files.
 */

/** A row of SQL values `('01001', 'L\'Abergement', '01', 84, …)` → fields (quotes removed, `\'` unescaped). */
function sqlTuple(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i >= s.length) break;
    if (s[i] === "'") {
      let v = '';
      i++;
      while (i < s.length && s[i] !== "'") {
        if (s[i] === '\\' && i + 1 < s.length) {
          v += s[i + 1];
          i += 2;
        } else v += s[i++];
      }
      i++;
      out.push(v);
    } else {
      const j = s.indexOf(',', i);
      const v = (j < 0 ? s.slice(i) : s.slice(i, j)).trim();
      out.push(v === 'NULL' ? '' : v);
      i = j < 0 ? s.length : j;
    }
  }
  return out;
}

const MCI_COLUMNS = [
  'code_insee',
  'nom_com',
  'code_dep',
  'code_reg',
  'nbr',
  'type',
  'inel_hd',
  'elig_hd05',
  'elig_hd3',
  'elig_bhd8',
  'elig_thd30',
  'elig_thd100',
  'elig_thd1g',
  'date',
];

/** §12a: the phpMyAdmin dump of Ma connexion internet 2022 T4 → `;` CSV, CRLF, sorted by code_insee. */
export function mciSqlToCsv(sql: Buffer): Buffer {
  const rows: string[][] = [];
  for (const line of sql.toString('utf8').split('\n')) {
    const m = /^\((.*)\)[,;]\s*$/.exec(line);
    if (m) rows.push(sqlTuple(m[1]!));
  }
  rows.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return Buffer.from([MCI_COLUMNS, ...rows].map((r) => `${r.join(';')}\r\n`).join(''), 'utf8');
}

const BFC_NORMANDIE = new Set(['21', '25', '39', '58', '70', '71', '89', '90', '14', '27', '50', '61', '76']);

/** §12a: the BFC + Normandie subset of the national file, on `code_dep`. */
export function filterMciCsv(csv: Buffer): Buffer {
  const lines = csv
    .toString('utf8')
    .split('\r\n')
    .filter((l) => l.length);
  const keep = [lines[0]!, ...lines.slice(1).filter((l) => BFC_NORMANDIE.has(l.split(';')[2]!))];
  return Buffer.from(keep.map((l) => `${l}\r\n`).join(''), 'utf8');
}

/** §3b: France THD partners per département: geometry dropped, operators 1…12 unpivoted, duplicates removed. */
export function fthdGeojsonToCsv(geojson: Buffer): Buffer {
  const doc = JSON.parse(geojson.toString('utf8')) as { features: { properties: Record<string, string | null> }[] };
  const header = 'insee_dep,insee_reg,departement,operateur,technologie,site,prise_en_charge_aide';
  const q = (v: string | null | undefined) => {
    const s = v ?? '';
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const seen = new Set<string>();
  const out = [header];
  for (const f of doc.features) {
    const p = f.properties;
    for (let i = 1; i <= 12; i++) {
      if (!p[`opérateur${i}`]) continue;
      const line = [
        p.insee_dep,
        p.insee_reg,
        p.dep,
        p[`opérateur${i}`],
        p[`technologie${i}`],
        p[`site${i}`],
        p[`prise_encharge${i}`],
      ]
        .map(q)
        .join(',');
      if (!seen.has(line)) {
        seen.add(line);
        out.push(line);
      }
    }
  }
  const body = out.slice(1).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(`${[header, ...body].join('\n')}\n`, 'utf8');
}

/** §1a: the BFC commune file is the eight département files' features, in département order, in one collection. */
export function mergeFeatureCollections(files: Buffer[]): Buffer {
  const features = files.flatMap((b) => (JSON.parse(b.toString('utf8')) as { features: unknown[] }).features);
  return Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }), 'utf8');
}

/** The digest of a GeoJSON document's content, whatever its whitespace: what is checked for merged files. */
export function canonicalJson(b: Buffer): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(b.toString('utf8'))), 'utf8');
}

/** §9: INSEE dwellings per commune, CODGEO padded back to 5 characters (the source lost its leading zero). */
export function padLogementsCodes(csv: Buffer): Buffer {
  const lines = csv.toString('utf8').split('\r\n');
  const out = lines.map((l, i) => {
    if (i === 0 || !l) return l;
    const j = l.indexOf(';');
    return `${l.slice(0, j).padStart(5, '0')}${l.slice(j)}`;
  });
  return Buffer.from(out.join('\r\n'), 'utf8');
}

/** §9: the BFC + Normandie subset, on the first two characters of CODGEO. */
export function filterLogementsCsv(csv: Buffer): Buffer {
  const lines = csv.toString('utf8').split('\r\n');
  const keep = lines.filter((l, i) => i === 0 || !l || BFC_NORMANDIE.has(l.slice(0, 2)));
  return Buffer.from(keep.join('\r\n'), 'utf8');
}
