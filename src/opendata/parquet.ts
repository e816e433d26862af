import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { DataRow, Field } from './dataset.ts';

/** Rows per row group: pages are gathered up to this many before they are encoded. */
const GROUP_ROWS = 50_000;

type BasicType = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';
const TYPES: Record<Field['type'], BasicType> = {
  string: 'STRING',
  integer: 'INT64',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  // a calendar day stays its `YYYY-MM-DD` text, as in the CSV; an instant is a UTC timestamp
  date: 'STRING',
  datetime: 'TIMESTAMP',
};

function column(f: Field, rows: DataRow[], plain: (v: DataRow[string], f: Field) => string | number | boolean | null) {
  const type = TYPES[f.type];
  const data = rows.map((r) => {
    const v = plain(r[f.name], f);
    if (v === null) return null;
    if (type === 'INT64') return BigInt(v as number);
    if (type === 'TIMESTAMP') return new Date(String(v));
    return v;
  });
  return { name: f.name, data, type };
}

/**
 * A Parquet file as byte chunks, one per row group of up to GROUP_ROWS rows: the writer's buffer is
 * emptied after each group (its offsets are counted apart), so the file is never whole in memory.
 */
export async function* parquetChunks(
  fields: Field[],
  pages: AsyncIterable<DataRow[]>,
  plain: (v: DataRow[string], f: Field) => string | number | boolean | null,
): AsyncIterable<Uint8Array> {
  const writer = new ByteWriter();
  const schema = [{ name: 'root', num_children: fields.length }, ...fields.map((f) => schemaElement(f))];
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'plateforme-amenagement-numerique' });
  const drain = () => {
    const bytes = writer.getBytes().slice();
    writer.index = 0;
    return bytes;
  };
  let group: DataRow[] = [];
  const write = () => {
    parquet.write({ columnData: fields.map((f) => column(f, group, plain)), rowGroupSize: group.length });
    group = [];
  };
  for await (const page of pages) {
    group.push(...page);
    if (group.length >= GROUP_ROWS) {
      write();
      yield drain();
    }
  }
  if (group.length) write();
  parquet.finish();
  yield drain();
}

function schemaElement(f: Field) {
  const base = { name: f.name, repetition_type: 'OPTIONAL' as const };
  switch (TYPES[f.type]) {
    case 'STRING':
      return { ...base, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const };
    case 'INT64':
      return { ...base, type: 'INT64' as const };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' as const };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' as const };
    case 'TIMESTAMP':
      return { ...base, type: 'INT64' as const, converted_type: 'TIMESTAMP_MILLIS' as const };
  }
}
