import { contributions } from '../opendata/personal-data.ts';

/** Imports launched or cancelled by the account holder (their run records are kept). */
export const importsPersonalData = contributions('imports', 'Imports de données lancés ou annulés', [
  { table: 'import_run', column: 'started_by', label: 'imports_lances' },
  { table: 'import_run', column: 'cancel_requested_by', label: 'imports_annules' },
]);
