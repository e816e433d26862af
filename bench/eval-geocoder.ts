/**
 * Address search quality: top-1 accuracy
 *  1. on the geocoder-tester queries (real queries with expected answers, BFC + Normandie, about 2015),
 *     against the addresses of their département where one was imported: Territoire de Belfort (90)
 *     from BANO 2015, the snapshot the queries were drawn from;
 *  2. on real Paris BAN addresses written cleanly, and on noisy variants of them: one typo, abbreviations,
 *     no postcode, lowercase without accents, and all of these together;
 *  3. per query form — the house number after the postcode or the commune, after the street, "n°", a range
 *     "12-14", "12b"/"12 bis" — on real Paris (BAN) and Belfort (BANO) addresses and on geocoder-tester's
 *     expected answers rewritten in each form, and lieux-dits without a street (BANO, BAL), with the mean
 *     latency per form.
 *
 *   node --import tsx bench/eval-geocoder.ts [--shared ../shared/data] [--sample 1000] [--seed 7] [--verbose]
 *
 * The index holds Paris (BAN), Belfort (BANO) and the BAL fixture together, as a platform would.
 * A top-1 answer is right when its house number (with suffix), street name (accents and case
 * ignored) and, when the query or the expectation names them, postcode and commune match.
 */

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { splitCsvLine } from '../src/addresses/formats.ts';
import { type AddressHit, AddressIndexBuilder, type IndexInput } from '../src/addresses/index-search.ts';
import { foldText } from '../src/addresses/normalize.ts';
import { readAddressFile } from '../src/addresses/read-file.ts';
import { departementOfCommune } from '../src/territories/codes.ts';
import { DEFAULT_SHARED, rng } from './generate-addresses.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const SHARED = path.resolve(opt('shared', DEFAULT_SHARED));
const SAMPLE = Number(opt('sample', '1000'));
const SEED = Number(opt('seed', '7'));
const VERBOSE = args.includes('--verbose');
const A = (f: string) => path.join(SHARED, 'addresses', f);

const b = new AddressIndexBuilder();
const paris: IndexInput[] = [];
const belfort: IndexInput[] = [];
const mont: IndexInput[] = [];
for (const f of [
  'ban-adresses-75-paris-2024-06.csv.gz',
  'bano-90-territoire-de-belfort-2015-03.csv.gz',
  'bal-54084-mont-bonvillers-fixture.csv.gz',
]) {
  for await (const a of readAddressFile(A(f))) {
    const row = { ...a, departement: departementOfCommune(a.code_insee) };
    b.add(row);
    if (row.departement === '75') paris.push(row);
    if (row.departement === '90') belfort.push(row);
    if (row.departement === '54') mont.push(row);
  }
}
const index = b.finish();
const imported = new Set(['75', '90', '54']);

const hn = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/\s+/g, '');
const pct = (ok: number, n: number) => (n ? `${((100 * ok) / n).toFixed(1)} %` : '—');

// ---------------------------------------------------------------- 1. geocoder-tester
const lines = zlib
  .gunzipSync(fs.readFileSync(A('geocoder-tester-bfc-normandie-test-addresses.csv.gz')))
  .toString('utf8')
  .split(/\r?\n/)
  .filter(Boolean);
const header = lines[0]!.split(',');
const col = (name: string) => header.indexOf(name);
let gtStyle: [number, number] = [0, 0];
let gtAll = 0;
let gtOk = 0;
const byForm = { commune: [0, 0], postcode: [0, 0], position: [0, 0] } as Record<string, [number, number]>;
const misses: string[] = [];
for (const line of lines.slice(1)) {
  const f = splitCsvLine(line, ',')!;
  const q = f[col('query')]!;
  const lon = f[col('lon')] ? Number(f[col('lon')]) : undefined;
  const lat = f[col('lat')] ? Number(f[col('lat')]) : undefined;
  const exp = {
    hn: f[col('expected_housenumber')]!,
    street: f[col('expected_street')]!,
    city: f[col('expected_city')]!,
    pc: f[col('expected_postcode')]!,
  };
  const qpc = /\b(\d{5})\b/.exec(q)?.[1];
  const dept = (exp.pc || qpc || '').slice(0, 2);
  if (!imported.has(dept)) continue;
  const form = lon !== undefined ? 'position' : qpc ? 'postcode' : 'commune';
  const hits = index.search(q, { limit: 1, ...(lon !== undefined ? { lon, lat } : {}) });
  const h: AddressHit | undefined = hits[0];
  const ok =
    !!h &&
    hn(h.housenumber) === hn(exp.hn) &&
    foldText(h.street) === foldText(exp.street) &&
    (!exp.pc || h.postcode === exp.pc) &&
    (!exp.city || foldText(h.city) === foldText(exp.city));
  gtAll++;
  byForm[form]![1]++;
  if (ok) {
    gtOk++;
    byForm[form]![0]++;
  } else
    misses.push(
      `  ${q}${lon !== undefined ? ` @${lon},${lat}` : ''} → ${h ? h.label : '(rien)'} ; attendu ${exp.hn} ${exp.street} ${exp.pc} ${exp.city}`,
    );
}
console.log(
  `geocoder-tester (requêtes des départements importés : 90 via BANO 2015) : ${gtOk}/${gtAll} = ${pct(gtOk, gtAll)} en tête`,
);
for (const [k, [ok, n]] of Object.entries(byForm))
  console.log(
    `  forme « numéro voie ${k === 'commune' ? 'commune' : k === 'postcode' ? 'code postal' : ''}${k === 'position' ? '+ position' : ''} » : ${ok}/${n} = ${pct(ok, n)}`,
  );
if (misses.length) console.log(`ratés :\n${misses.slice(0, VERBOSE ? 1000 : 10).join('\n')}`);

// ------------------------------------------------- 1b. the same three forms on a larger random sample of Belfort
{
  const rb = rng(SEED + 90);
  const sampleB = Array.from({ length: Math.min(SAMPLE, 1000) }, () => belfort[Math.floor(rb() * belfort.length)]!);
  let ok = 0;
  let n = 0;
  const bad: string[] = [];
  for (const a of sampleB) {
    const base = `${a.numero}${a.suffixe ?? ''} ${a.voie}`;
    for (const [q, bias] of [
      [`${base} ${a.commune}`, false],
      [`${base} ${a.code_postal}`, false],
      [base, true],
    ] as const) {
      const h = index.search(q, { limit: 1, ...(bias ? { lon: a.lon, lat: a.lat } : {}) })[0];
      n++;
      if (
        h &&
        h.numero === a.numero &&
        hn(h.suffixe) === hn(a.suffixe) &&
        h.street === a.voie &&
        h.citycode === a.code_insee
      )
        ok++;
      else
        bad.push(
          `  ${q}${bias ? ' (+position)' : ''} → ${h ? h.label : '(rien)'} ; attendu ${a.numero}${a.suffixe ?? ''} ${a.voie} ${a.code_postal} ${a.commune}`,
        );
    }
  }
  console.log(
    `mêmes formes que geocoder-tester sur ${sampleB.length} adresses BANO du 90 tirées au hasard : ${ok}/${n} = ${pct(ok, n)}`,
  );
  if (bad.length) console.log(bad.slice(0, VERBOSE ? 30 : 5).join('\n'));
  gtStyle = [ok, n];
}

// ---------------------------------------------------------------- 2. Paris, clean and noisy
const r = rng(SEED);
const numbered = paris.filter((a) => a.numero !== null && !/^\d/.test(a.voie));
const sample = Array.from({ length: SAMPLE }, () => numbered[Math.floor(r() * numbered.length)]!);
const city = (_a: IndexInput) => 'Paris';
const num = (a: IndexInput) => `${a.numero}${a.suffixe ? ` ${a.suffixe}` : ''}`;
const ABBR: [RegExp, string][] = [
  [/^Rue\b/, 'r'],
  [/^Avenue\b/, 'av'],
  [/^Boulevard\b/, 'bd'],
  [/^Place\b/, 'pl'],
  [/^Impasse\b/, 'imp'],
  [/^Passage\b/, 'pass'],
  [/^Square\b/, 'sq'],
  [/^Allée\b/, 'all'],
  [/^Quai\b/, 'qu'],
  [/^Faubourg\b/, 'fg'],
  [/^Villa\b/, 'vla'],
  [/^Chemin\b/, 'ch'],
  [/^Route\b/, 'rte'],
];
const abbreviate = (v: string) => {
  let s = v;
  for (const [re, to] of ABBR) s = s.replace(re, to);
  return s
    .replace(/\bSainte\b/g, 'Ste')
    .replace(/\bSaint\b/g, 'St')
    .replace(/\bGénéral\b/g, 'Gal')
    .replace(/\bMaréchal\b/g, 'Mal')
    .replace(/\bDocteur\b/g, 'Dr')
    .replace(/\bPrésident\b/g, 'Pdt');
};
const typo = (v: string) => {
  const words = v.split(' ');
  const cand = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5);
  if (!cand.length) return v;
  const [w, i] = cand[Math.floor(r() * cand.length)]!;
  const p = 1 + Math.floor(r() * (w.length - 2));
  const kind = r();
  let t: string;
  if (kind < 0.4)
    t = w.slice(0, p) + 'xeaoiu'[Math.floor(r() * 6)] + w.slice(p + 1); // substitution
  else if (kind < 0.7)
    t = w.slice(0, p) + w.slice(p + 1); // deletion
  else t = w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2); // transposition
  words[i] = t;
  return words.join(' ');
};
const variants: Record<string, (a: IndexInput) => { q: string; pcKnown: boolean }> = {
  'propre (numéro voie code postal commune)': (a) => ({
    q: `${num(a)} ${a.voie} ${a.code_postal} ${city(a)}`,
    pcKnown: true,
  }),
  'faute de frappe': (a) => ({ q: `${num(a)} ${typo(a.voie)} ${a.code_postal} ${city(a)}`, pcKnown: true }),
  abréviations: (a) => ({ q: `${num(a)} ${abbreviate(a.voie)} ${a.code_postal} ${city(a)}`, pcKnown: true }),
  'sans code postal': (a) => ({ q: `${num(a)} ${a.voie} ${city(a)}`, pcKnown: false }),
  'minuscules sans accents': (a) => ({ q: foldText(`${num(a)} ${a.voie} ${a.code_postal} ${city(a)}`), pcKnown: true }),
  'tout à la fois (faute, abréviations, sans code postal, minuscules)': (a) => ({
    q: foldText(`${num(a)} ${typo(abbreviate(a.voie))} ${city(a)}`),
    pcKnown: false,
  }),
};
let noisyOk = 0;
let noisyN = 0;
let cleanOk = 0;
let cleanN = 0;
for (const [name, make] of Object.entries(variants)) {
  let ok = 0;
  const bad: string[] = [];
  for (const a of sample) {
    const { q, pcKnown } = make(a);
    const h = index.search(q, { limit: 1 })[0];
    // Without a postcode, the same number in the same street of another arrondissement is as right.
    const right =
      !!h &&
      h.numero === a.numero &&
      hn(h.suffixe) === hn(a.suffixe) &&
      h.street === a.voie &&
      (pcKnown ? h.postcode === a.code_postal : h.departement === '75');
    if (right) ok++;
    else bad.push(`  ${q} → ${h ? h.label : '(rien)'} ; attendu ${num(a)} ${a.voie} ${a.code_postal}`);
  }
  console.log(`Paris, ${name} : ${ok}/${sample.length} = ${pct(ok, sample.length)}`);
  if (bad.length && VERBOSE) console.log(bad.slice(0, 15).join('\n'));
  if (name.startsWith('propre')) {
    cleanOk += ok;
    cleanN += sample.length;
  } else {
    noisyOk += ok;
    noisyN += sample.length;
  }
}
// ------------------------------------------ 3. every form people type, on real Paris and Belfort addresses
// Each form rewrites the same real addresses; a form is right when the top answer is the address itself
// (number, repetition index, street, commune), or as right as the query can say: without a postcode any Paris
// arrondissement with that street and number; with a postcode and no commune any commune of that postcode. Mean latency per query is printed beside each form.
type Form = {
  name: string;
  make: (a: IndexInput) => string | null;
  anyParis?: boolean;
  postcodeOnly?: boolean;
  streetOnly?: boolean;
};
const rf = rng(SEED + 5);
const pick = (rows: IndexInput[], n: number) =>
  Array.from({ length: Math.min(n, rows.length) }, () => rows[Math.floor(rf() * rows.length)]!);
const LONG: Record<string, string> = { b: 'bis', t: 'ter', q: 'quater' };
const nb = (a: IndexInput) => `${a.numero}${a.suffixe ? ` ${LONG[a.suffixe.toLowerCase()] ?? a.suffixe}` : ''}`;
const town = (a: IndexInput) => (a.departement === '75' ? 'Paris' : a.commune);
const FORMS: Form[] = [
  { name: 'numéro voie code postal commune', make: (a) => `${nb(a)} ${a.voie} ${a.code_postal} ${town(a)}` },
  { name: 'code postal numéro voie', make: (a) => `${a.code_postal} ${nb(a)} ${a.voie}`, postcodeOnly: true },
  { name: 'commune numéro voie', make: (a) => `${town(a)} ${nb(a)} ${a.voie}`, anyParis: true },
  {
    name: 'commune numéro voie abrégée',
    make: (a) => `${town(a)} ${nb(a)} ${abbreviate(a.voie).toLowerCase()}`,
    anyParis: true,
  },
  { name: 'voie numéro code postal', make: (a) => `${a.voie} ${nb(a)} ${a.code_postal}`, postcodeOnly: true },
  { name: 'voie numéro commune', make: (a) => `${a.voie} ${nb(a)} ${town(a)}`, anyParis: true },
  { name: 'n° numéro voie', make: (a) => `n°${nb(a)} ${a.voie} ${a.code_postal} ${town(a)}` },
  {
    name: 'numéro-numéro voie (angle)',
    make: (a) => (a.suffixe ? null : `${a.numero}-${a.numero! + 2} ${a.voie} ${a.code_postal} ${town(a)}`),
  },
  {
    name: 'numéro et indice collés (12b, 12bis)',
    make: (a) => (a.suffixe ? `${a.numero}${a.suffixe.toLowerCase()} ${a.voie} ${a.code_postal} ${town(a)}` : null),
  },
  {
    name: 'indice en toutes lettres (12 bis, 12 ter)',
    make: (a) =>
      a.suffixe && LONG[a.suffixe.toLowerCase()]
        ? `${a.numero} ${LONG[a.suffixe.toLowerCase()]} ${a.voie} ${a.code_postal} ${town(a)}`
        : null,
  },
];
const STREET_WORD =
  /^(rue|avenue|boulevard|place|impasse|chemin|route|allée|allee|quai|square|passage|faubourg|cité|cite|sentier|ruelle|résidence|lotissement|quartier|qrt|clos|cour|cours|promenade|hameau|voie|traverse|montée|esplanade|parvis|rond-point|grande|grand|petite|via|venelle|villa|n|domaine|val|chaussée)\b/i;
const lieuxDits = belfort
  .concat(mont)
  .filter((a) => a.numero !== null && !STREET_WORD.test(a.voie) && !/^\d/.test(a.voie) && !/^n°/i.test(a.voie));
const LD_FORMS: Form[] = [
  { name: 'lieu-dit numéro nom commune', make: (a) => `${nb(a)} ${a.voie} ${a.commune}` },
  { name: 'lieu-dit « lieu-dit » nom commune', make: (a) => `lieu-dit ${a.voie} ${a.commune}`, streetOnly: true },
  { name: 'lieu-dit commune numéro nom', make: (a) => `${a.commune} ${nb(a)} ${a.voie}` },
];
const suffixed = (rows: IndexInput[]) => rows.filter((a) => a.numero !== null && a.suffixe && !/^\d/.test(a.voie));
const sets: [string, IndexInput[]][] = [
  ['Paris BAN', pick(numbered, SAMPLE).concat(pick(suffixed(paris), SAMPLE / 4))],
  [
    'Belfort BANO',
    pick(
      belfort.filter((a) => a.numero !== null && !/^\d/.test(a.voie)),
      SAMPLE,
    ).concat(pick(suffixed(belfort), SAMPLE / 4)),
  ],
];
// geocoder-tester's expected answers in the imported département, rewritten in every form.
const gtRows: IndexInput[] = [];
for (const line of lines.slice(1)) {
  const f = splitCsvLine(line, ',')!;
  const pc = f[col('expected_postcode')]!;
  if (!imported.has(pc.slice(0, 2)) || f[col('lon')]) continue;
  const hnRaw = f[col('expected_housenumber')]!;
  const m = /^(\d+)\s*([a-z]*)$/i.exec(hnRaw);
  if (!m) continue;
  const found = index.search(`${hnRaw} ${f[col('expected_street')]} ${pc} ${f[col('expected_city')]}`, { limit: 1 })[0];
  if (!found) continue;
  gtRows.push({
    id: found.id,
    numero: Number(m[1]),
    suffixe: m[2] || null,
    voie: f[col('expected_street')]!,
    code_postal: pc,
    code_insee: found.citycode,
    commune: found.city,
    departement: found.departement,
    lon: found.lon,
    lat: found.lat,
  });
}
sets.push([
  'geocoder-tester (réponses attendues)',
  [...new Map(gtRows.map((a) => [`${a.numero}|${a.voie}|${a.code_postal}`, a])).values()],
]);
const formTotals = new Map<string, [number, number, number]>();
const minForm: [string, number] = ['', 2];
function runForm(set: string, rows: IndexInput[], form: Form) {
  let ok = 0;
  let n = 0;
  let ms = 0;
  const bad: string[] = [];
  for (const a of rows) {
    const q = form.make(a);
    if (q === null) continue;
    const t0 = performance.now();
    const h = index.search(q, { limit: 1 })[0];
    ms += performance.now() - t0;
    n++;
    // A query that names only the postcode is as right in any commune of that postcode with that street
    // and number (several communes of the 90 share one postcode and a "Rue Principale").
    const place =
      form.anyParis && a.departement === '75'
        ? h?.departement === '75'
        : form.postcodeOnly
          ? h?.postcode === a.code_postal
          : h?.citycode === a.code_insee;
    const number =
      form.streetOnly ||
      (h?.numero === a.numero && hn(h?.suffixe) === hn(a.suffixe)) ||
      (!!a.suffixe && !!h?.suffixe && LONG[hn(h.suffixe)] === LONG[hn(a.suffixe)]);
    if (h && place && number && foldText(h.street) === foldText(a.voie)) ok++;
    else
      bad.push(
        `    ${q} → ${h ? h.label : '(rien)'} ; attendu ${a.numero}${a.suffixe ?? ''} ${a.voie} ${a.code_postal} ${a.commune}`,
      );
  }
  if (!n) return;
  console.log(`  ${form.name} : ${ok}/${n} = ${pct(ok, n)}, ${((1000 * ms) / n).toFixed(0)} µs/requête`);
  if (bad.length) console.log(bad.slice(0, VERBOSE ? 20 : 2).join('\n'));
  const t = formTotals.get(form.name) ?? [0, 0, 0];
  formTotals.set(form.name, [t[0] + ok, t[1] + n, t[2] + ms]);
  void set;
}
for (const [set, rows] of sets) {
  console.log(`Formes de requête, ${set} (${rows.length} adresses) :`);
  for (const form of FORMS) runForm(set, rows, form);
}
console.log(
  `Formes de requête, lieux-dits sans voie (Belfort BANO et Mont-Bonvillers BAL, ${lieuxDits.length} adresses) :`,
);
const ldSample = pick(lieuxDits, SAMPLE / 2);
for (const form of LD_FORMS) runForm('lieux-dits', ldSample, form);
console.log('Par forme, tous jeux confondus :');
for (const [name, [ok, n, ms]] of formTotals) {
  console.log(`  ${name} : ${pct(ok, n)} (${ok}/${n}), ${((1000 * ms) / n).toFixed(0)} µs/requête`);
  if (ok / n < minForm[1]) {
    minForm[0] = name;
    minForm[1] = ok / n;
  }
}
console.log(`forme la moins bien reconnue : « ${minForm[0]} » ${pct(minForm[1] * 1000, 1000)} (objectif ≥ 99 %)`);

const cleanAll = gtOk + cleanOk;
const cleanTotal = gtAll + cleanN;
console.log(
  `eval clean_top1=${pct(cleanAll, cleanTotal)} (geocoder-tester ${pct(gtOk, gtAll)} sur ${gtAll}, Paris propre ${pct(cleanOk, cleanN)} sur ${cleanN}; formes geocoder-tester sur le 90 ${pct(gtStyle[0], gtStyle[1])} sur ${gtStyle[1]}) noisy_top1=${pct(noisyOk, noisyN)} (sur ${noisyN})`,
);
