import fsp from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { readRecords } from '../imports/csv.ts';
import type { ReadLimits } from '../imports/read.ts';
import { safeText } from '../text/safe.ts';
import { type RawSheet, SheetError } from './parse.ts';

/** A sheet exported as CSV holds tens of thousands of rows; far more is not an observatory sheet. */
const MAX_SHEET_ROWS = 1_000_000;

/** Rows of a CSV export indexed by line (row i is line i + 1), so that rejects name the right line. */
async function readCsvSheet(file: string, name: string, limits: ReadLimits): Promise<RawSheet> {
  const rows: string[][] = [];
  for await (const rec of readRecords(file, {
    limits,
    keepEmpty: true,
    onBad: (n, reason) => {
      throw new SheetError(`Le fichier ${name} n'est pas un CSV lisible : ligne ${n}, ${reason}.`);
    },
  })) {
    if (rec.n > MAX_SHEET_ROWS)
      throw new SheetError(
        `Le fichier ${name} dépasse ${MAX_SHEET_ROWS.toLocaleString('fr-FR')} lignes : ce n'est pas une feuille de l'observatoire.`,
      );
    while (rows.length < rec.n - 1) rows.push([]);
    rows.push(rec.fields);
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

/**
 * Bytes a ZIP holds once inflated, from its central directory (read without inflating anything),
 * so that an XLSX bomb is refused before ExcelJS inflates it in memory. Throws SheetError when
 * the directory is missing (a cut or damaged file).
 */
async function zipInflatedSize(file: string): Promise<number> {
  const name = path.basename(file);
  const broken = () =>
    new SheetError(
      `Le classeur ${name} est incomplet ou endommagé (répertoire de l'archive XLSX introuvable) : téléchargez-le de nouveau.`,
    );
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw broken();
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    if (dirOffset === 0xffffffff || dirOffset + dirSize > size || dirSize > 64 << 20) throw broken();
    const dir = Buffer.alloc(dirSize);
    await fh.read(dir, 0, dirSize, dirOffset);
    let total = 0;
    for (let p = 0; p + 46 <= dir.length; ) {
      if (dir.readUInt32LE(p) !== 0x02014b50) throw broken();
      const inflated = dir.readUInt32LE(p + 24);
      // ZIP64 entries (over 4 GB) are beyond any workbook this platform reads.
      total += inflated === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : inflated;
      p += 46 + dir.readUInt16LE(p + 28) + dir.readUInt16LE(p + 30) + dir.readUInt16LE(p + 32);
    }
    return total;
  } finally {
    await fh.close();
  }
}

/** ExcelJS holds a whole workbook in memory: its inflated size is capped below the import cap. */
const MAX_WORKBOOK_BYTES = 512 << 20;

async function readWorkbook(file: string, limits: ReadLimits): Promise<RawSheet[]> {
  const cap = Math.min(limits.maxBytes, MAX_WORKBOOK_BYTES);
  const inflated = await zipInflatedSize(file);
  if (inflated > cap) {
    throw new SheetError(
      `Le classeur ${path.basename(file)} occupe plus de ${Math.round(cap / (1 << 20))} Mo une fois décompressé : import refusé (exportez la feuille utile en CSV).`,
    );
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new SheetError(
      `Le classeur ${path.basename(file)} n'a pas pu être lu (XLSX attendu) : ${(e as Error).message}`,
    );
  }
  const sheets: RawSheet[] = [];
  wb.eachSheet((ws) => {
    const rows: string[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const values = ws.getRow(r).values as ExcelJS.CellValue[];
      const out: string[] = [];
      for (let c = 1; c < values.length; c++) out.push(safeText(cellText(values[c])));
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
export async function loadSheets(
  p: string,
  name: string,
  limits: ReadLimits,
): Promise<{ sheets: RawSheet[]; workbook: boolean; files: string[] }> {
  const st = await fsp.stat(p);
  if (st.isDirectory()) {
    const files = (await fsp.readdir(p)).filter((f) => /\.(xlsx|csv|csv\.gz|txt)$/i.test(f)).sort();
    const sheets: RawSheet[] = [];
    let workbook = false;
    for (const f of files) {
      const one = await loadSheets(path.join(p, f), f, limits);
      sheets.push(...one.sheets);
      workbook ||= one.workbook;
    }
    return { sheets, workbook, files };
  }
  if (await isZip(p)) return { sheets: await readWorkbook(p, limits), workbook: true, files: [name] };
  return { sheets: [await readCsvSheet(p, name, limits)], workbook: false, files: [name] };
}
