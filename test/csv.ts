/** A plain RFC 4180 reader, independent of the importer's, to compute what the files hold. */
export function parseCsv(s: string, sep = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === sep) {
      row.push(f);
      f = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(f);
      f = '';
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
    } else f += c;
  }
  if (f || row.length) rows.push([...row, f]);
  return rows;
}

/** The same, as records keyed by the header row. */
export function csvRecords(s: string): Record<string, string>[] {
  const rows = parseCsv(s);
  const h = rows[0] ?? [];
  return rows.slice(1).map((r) => Object.fromEntries(h.map((k, i) => [k, r[i] ?? ''])));
}
