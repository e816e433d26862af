import fsp from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { readText } from '../imports/source.ts';
import { SheetError, type RawSheet } from './parse.ts';

/** Which separator a CSV uses, guessed from its first lines. */
export function guessDelimiter(text: string): ',' | ';' | '\t' {
  const head = text.slice(0, 4000).split(/\r?\n/).slice(0, 10).join('\n');
  const count = (c: string) => head.split(c).length - 1;
  const semi = count(';');
  const comma = count(',');
  const tab = count('\t');
  if (tab > semi && tab > comma) return '\t';
  return semi > comma ? ';' : ',';
}

export function parseCsvText(text: string, name: string): RawSheet {
  let rows: string[][];
  try {
    rows = parse(text, { delimiter: guessDelimiter(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (e) {
    throw new SheetError(`Le fichier ${name} n'est pas un CSV lisible : ${(e as Error).message}`);
  }
  return { name: sheetNameOf(name), rows };
}

function sheetNameOf(file: string): string {
  return file.replace(/\.gz$/i, '').replace(/\.(csv|txt)$/i, '');
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return String(v.error);
  }
  return String(v);
}

export async function readWorkbook(file: string): Promise<RawSheet[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new SheetError(`Le classeur ${path.basename(file)} n'a pas pu être lu (XLSX attendu) : ${(e as Error).message}`);
  }
  const sheets: RawSheet[] = [];
  wb.eachSheet((ws) => {
    const rows: string[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const values = ws.getRow(r).values as ExcelJS.CellValue[];
      const out: string[] = [];
      for (let c = 1; c < values.length; c++) out.push(cellText(values[c]));
      rows.push(out);
    }
    sheets.push({ name: ws.name, rows });
  });
  return sheets;
}

const ZIP_MAGIC = 'PK';

async function isZip(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b.toString('latin1') === ZIP_MAGIC;
  } finally {
    await fh.close();
  }
}

/** Sheets of a source: an XLSX workbook, one CSV export (gzip or not), or a folder of them. */
export async function loadSheets(p: string, name: string): Promise<{ sheets: RawSheet[]; workbook: boolean; files: string[] }> {
  const st = await fsp.stat(p);
  if (st.isDirectory()) {
    const files = (await fsp.readdir(p)).filter((f) => /\.(xlsx|csv|csv\.gz|txt)$/i.test(f)).sort();
    const sheets: RawSheet[] = [];
    let workbook = false;
    for (const f of files) {
      const one = await loadSheets(path.join(p, f), f);
      sheets.push(...one.sheets);
      workbook ||= one.workbook;
    }
    return { sheets, workbook, files };
  }
  if (await isZip(p)) return { sheets: await readWorkbook(p), workbook: true, files: [name] };
  return { sheets: [parseCsvText(await readText(p), name)], workbook: false, files: [name] };
}
