/**
 * Deduplication across sources. A record joins a place held by another source's record when both have the same
 * SIRET within 200 m, otherwise the same normalised name within 100 m (nearest first); else it makes a new place.
 * A re-import of a source deletes that source's records only, then merges its new ones: the places other sources
 * hold stay (with their ids), a place only this source held keeps its id when the same record comes back.
 */
import KDBush from 'kdbush';
import type { Queryable } from '../db/db.ts';
import { normalizeName } from '../text/normalize.ts';
import { degreesAround, haversineKm } from './geometry.ts';
import type { PlaceInput } from './parse.ts';
import * as Q from './queries.ts';

const SIRET_RADIUS_M = 200;
const NAME_RADIUS_M = 100;

type Point = { lieu_id: number; nom_norm: string; siret: string | null; lon: number; lat: number };

/**
 * The places a record may belong to among other sources' records, best first: same SIRET within 200 m (nearest
 * first), then same normalised name within 100 m (nearest first). Empty when none matches.
 */
export function matcher(
  points: Point[],
): (r: { nom_norm: string; siret: string | null; lon: number; lat: number }) => number[] {
  if (!points.length) return () => [];
  const index = new KDBush(points.length);
  for (const p of points) index.add(p.lon, p.lat);
  index.finish();
  return (r) => {
    const { dLon, dLat } = degreesAround(r.lat, SIRET_RADIUS_M);
    const bySiret: { id: number; d: number }[] = [];
    const byName: { id: number; d: number }[] = [];
    for (const k of index.range(r.lon - dLon, r.lat - dLat, r.lon + dLon, r.lat + dLat)) {
      const p = points[k]!;
      const d = haversineKm(r.lon, r.lat, p.lon, p.lat) * 1000;
      if (r.siret && p.siret === r.siret && d <= SIRET_RADIUS_M) bySiret.push({ id: p.lieu_id, d });
      else if (p.nom_norm === r.nom_norm && d <= NAME_RADIUS_M) byName.push({ id: p.lieu_id, d });
    }
    const order = (a: { id: number; d: number }, b: { id: number; d: number }) => a.d - b.d || a.id - b.id;
    return [...new Set([...bySiret.sort(order), ...byName.sort(order)].map((x) => x.id))];
  };
}

type SourceMeta = {
  source: string;
  job: string;
  fichier: string;
  format: string;
  licence: string;
  runId: number;
};

/** Replaces every record of `meta.source` by `rows` and recomputes the places concerned; in the caller's transaction. */
export async function replaceSource(
  tx: Queryable,
  meta: SourceMeta,
  rows: PlaceInput[],
): Promise<{ created: number; merged: number; removed: number }> {
  const previous = new Map((await Q.contributionsOfSource(tx, meta.source)).map((r) => [r.source_id, r.lieu_id]));
  await Q.deleteContributionsOfSource(tx, meta.source);
  const match = matcher(await Q.allContributionPoints(tx));
  const orphans = new Set(await Q.placesWithoutContribution(tx, [...new Set(previous.values())]));
  const assigned: (number | null)[] = [];
  let merged = 0;
  const reused = new Set<number>();
  for (const r of rows) {
    // A record keeps its place when it still belongs there, so that a re-import changes nothing: the place still
    // holds a record of another source it matches, or only this source held it. Otherwise, the best match.
    const hits = match(r);
    const old = previous.get(r.source_id);
    if (old !== undefined && hits.includes(old)) {
      merged++;
      assigned.push(old);
    } else if (old !== undefined && orphans.has(old) && !reused.has(old)) {
      reused.add(old);
      assigned.push(old);
    } else if (hits.length) {
      merged++;
      assigned.push(hits[0]!);
    } else assigned.push(null);
  }
  const fresh = await Q.newPlaceIds(tx, assigned.filter((a) => a === null).length);
  await Q.insertPlaceStubs(tx, fresh);
  let k = 0;
  const ids = assigned.map((a) => a ?? fresh[k++]!);
  await Q.insertContributions(
    tx,
    rows.map((r, i) => ({
      source: meta.source,
      source_id: r.source_id,
      lieu_id: ids[i]!,
      job: meta.job,
      fichier: meta.fichier,
      format: meta.format,
      date_maj: r.date_maj,
      licence: meta.licence,
      run_id: meta.runId,
      nom_norm: r.nom_norm,
      siret: r.siret,
      lon: r.lon,
      lat: r.lat,
      donnees: r,
    })),
  );
  const gone = [...orphans].filter((id) => !reused.has(id));
  await Q.deletePlaces(tx, gone);
  const touched = [...new Set([...previous.values(), ...ids])].filter((id) => !gone.includes(id));
  await recomputePlaces(tx, touched);
  return { created: fresh.length, merged, removed: gone.length };
}

/** Source priority for the fields shown: the most recently updated record first, then France Services' own list. */
function mergeFields(id: number, cs: Q.StoredContribution[]): Q.PlaceFields {
  const sorted = [...cs].sort(
    (a, b) =>
      (b.donnees.precision === 'adresse' ? 1 : 0) - (a.donnees.precision === 'adresse' ? 1 : 0) ||
      (b.date_maj ?? '').localeCompare(a.date_maj ?? '') ||
      a.source.localeCompare(b.source),
  );
  const d = sorted.map((c) => c.donnees);
  const first = <K extends keyof (typeof d)[number]>(k: K) => d.find((x) => x[k] !== null && x[k] !== '')?.[k] ?? null;
  const main = d[0]!;
  const categories = [...new Set(d.flatMap((x) => x.categories))].sort();
  const services = [...new Set(d.flatMap((x) => x.services))];
  const dates = cs.map((c) => c.date_maj).filter((x): x is string => !!x);
  return {
    id,
    nom: main.nom,
    nom_norm: main.nom_norm,
    categories,
    services,
    siret: first('siret') as string | null,
    code_insee: first('code_insee') as string | null,
    commune: first('commune') as string | null,
    code_postal: first('code_postal') as string | null,
    adresse: main.adresse ?? (first('adresse') as string | null),
    lon: main.lon,
    lat: main.lat,
    precision: main.precision,
    telephone: first('telephone') as string | null,
    courriel: first('courriel') as string | null,
    site_web: first('site_web') as string | null,
    horaires: first('horaires') as string | null,
    itinerant: d.some((x) => x.itinerant),
    label_tiers_lieu: false,
    date_maj: dates.length ? dates.sort().at(-1)! : null,
    recherche: normalizeName([...new Set(d.map((x) => x.nom)), main.commune ?? '', main.adresse ?? ''].join(' ')),
  };
}

async function recomputePlaces(tx: Queryable, ids: number[]) {
  if (!ids.length) return;
  const byPlace = new Map<number, Q.StoredContribution[]>();
  for (const c of await Q.contributionsOfPlaces(tx, ids)) {
    const l = byPlace.get(c.lieu_id);
    if (l) l.push(c);
    else byPlace.set(c.lieu_id, [c]);
  }
  await Q.updatePlaces(
    tx,
    [...byPlace].map(([id, cs]) => mergeFields(id, cs)),
  );
}
