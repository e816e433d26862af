import { AppError } from '../errors.ts';

/** Refuses a spreadsheet whose header has unknown columns or lacks required ones; nothing is imported. */
export function checkColumns(header: string[], columns: readonly string[], required: readonly string[] = columns) {
  const unknown = header.filter((h) => h && !columns.includes(h));
  const missing = required.filter((c) => !header.includes(c));
  if (unknown.length || missing.length)
    throw new AppError(
      'SOURCE_ILLISIBLE',
      `columns ${header.join(',')}`,
      `Colonnes refusées, rien n’a été importé :${unknown.length ? ` inconnue(s) ${unknown.join(', ')}` : ''}${missing.length ? ` ; manquante(s) ${missing.join(', ')}` : ''}. Attendu : ${columns.join(';')}.`,
    );
}

/** All or nothing: the file is refused when any row is wrong, the first 20 rows named. */
export function refuseBadRows(what: string, errors: string[]): AppError {
  return new AppError(
    'SOURCE_ILLISIBLE',
    `${errors.length} bad rows`,
    `${what} (${errors.length} ligne${errors.length > 1 ? 's' : ''} en erreur, rien n’a été importé) : ${errors.slice(0, 20).join(' ; ')}${errors.length > 20 ? ` ; et ${errors.length - 20} autres` : ''}`,
  );
}
