import type { Cell, DataRow, Dataset, DatasetContext, Field } from './dataset.ts';
import { parquetChunks } from './parquet.ts';
import { checkPage, PublicationError, schemaProblems } from './publication.ts';

/** Resource formats of the catalogue: CSV and JSON for every dataset, GeoJSON for spatial ones, Parquet for large ones. */
export const FORMATS = {
  csv: { mediaType: 'text/csv', contentType: 'text/csv; charset=utf-8', label: 'CSV (UTF-8, séparateur virgule)' },
  json: { mediaType: 'application/json', contentType: 'application/json; charset=utf-8', label: 'JSON' },
  geojson: {
    mediaType: 'application/geo+json',
    contentType: 'application/geo+json; charset=utf-8',
    label: 'GeoJSON (WGS 84)',
  },
  parquet: {
    mediaType: 'application/vnd.apache.parquet',
    contentType: 'application/vnd.apache.parquet',
    label: 'Parquet (colonnes typées, compression Snappy)',
  },
} as const;
export type Format = keyof typeof FORMATS;

export const formatsOf = (d: Dataset): Format[] => [
  'csv',
  'json',
  ...(d.geo ? (['geojson'] as const) : []),
  ...(d.parquet ? (['parquet'] as const) : []),
];

/** A cell as text and as JSON: dates as `YYYY-MM-DD`, instants as ISO 8601 UTC. */
function plain(v: Cell, f: Field): string | number | boolean | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return f.type === 'date' ? v.toISOString().slice(0, 10) : v.toISOString();
  return v;
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function csvLine(fields: Field[], r: DataRow): string {
  return `${fields
    .map((f) => {
      const v = plain(r[f.name], f);
      return v === null ? '' : csvField(String(v));
    })
    .join(',')}\r\n`;
}

const jsonObject = (fields: Field[], r: DataRow) =>
  JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, plain(r[f.name], f)])));

/**
 * The resource as a sequence of text chunks, one per page of rows. The first page is read and checked
 * before the first chunk, so that a refused resource is answered with an error rather than a cut file;
 * a later page that fails the check throws, which cuts the download (and is logged).
 */
export async function openResource(
  d: Dataset,
  format: Format,
  ctx: DatasetContext,
): Promise<AsyncIterable<string | Uint8Array>> {
  const problems = schemaProblems(d);
  if (problems.length) throw new PublicationError(d.id, problems);
  const fields = d.schema.fields;
  const it = d.pages(ctx)[Symbol.asyncIterator]();
  const first = await it.next();
  let line = 1;
  const checked = (page: DataRow[]) => {
    checkPage(d, page, line);
    line += page.length;
    return page;
  };
  const firstPage = first.done ? [] : checked(first.value);

  async function* pages(): AsyncIterable<DataRow[]> {
    if (firstPage.length) yield firstPage;
    if (first.done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield checked(r.value);
  }

  async function* body(): AsyncIterable<string | Uint8Array> {
    if (format === 'parquet') {
      yield* parquetChunks(fields, pages(), plain);
      return;
    }
    if (format === 'csv') {
      yield `${fields.map((f) => csvField(f.name)).join(',')}\r\n`;
      for await (const page of pages()) yield page.map((r) => csvLine(fields, r)).join('');
      return;
    }
    if (format === 'json') {
      let sep = '[\n';
      for await (const page of pages()) {
        yield page
          .map((r) => {
            const s = sep + jsonObject(fields, r);
            sep = ',\n';
            return s;
          })
          .join('');
      }
      yield sep === '[\n' ? '[]\n' : '\n]\n';
      return;
    }
    const geo = d.geo!;
    let sep = '{"type":"FeatureCollection","features":[\n';
    for await (const page of pages()) {
      const shapes = await geo.shapes(
        ctx,
        page.map((r) => String(r[geo.key] ?? '')),
      );
      yield page
        .map((r) => {
          const s = `${sep}{"type":"Feature","properties":${jsonObject(fields, r)},"geometry":${JSON.stringify(shapes.get(String(r[geo.key] ?? '')) ?? null)}}`;
          sep = ',\n';
          return s;
        })
        .join('');
    }
    yield sep.startsWith('{') ? `${sep}]}\n` : '\n]}\n';
  }
  return body();
}

/**
 * The first rows of a dataset for its page, checked like a download (null when the check refuses them), as
 * the CSV shows them.
 */
export async function previewRows(d: Dataset, ctx: DatasetContext, n = 10): Promise<string[][] | null> {
  if (schemaProblems(d).length) return null;
  const it = d.pages(ctx)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    const rows = first.done ? [] : first.value.slice(0, n);
    checkPage(d, rows, 1);
    return rows.map((r) =>
      d.schema.fields.map((f) => {
        const v = plain(r[f.name], f);
        return v === null ? '' : String(v);
      }),
    );
  } catch (err) {
    if (err instanceof PublicationError) return null;
    throw err;
  } finally {
    await it.return?.();
  }
}
