import type { ImportRun } from './queries.ts';

/** The French words for an import run's status, with the DSFR badge kind that shows it. */
export const RUN_STATUS: Record<
  ImportRun['status'],
  { label: string; badge: 'info' | 'success' | 'error' | 'new' | 'warning' }
> = {
  running: { label: 'En cours', badge: 'info' },
  succeeded: { label: 'Réussi', badge: 'success' },
  failed: { label: 'Échec', badge: 'error' },
  unchanged: { label: 'Inchangé (source déjà importée)', badge: 'new' },
  cancelled: { label: 'Annulé', badge: 'warning' },
};

/** A status read from the database as text: its French label, never the stored English code. */
export function runStatusLabel(status: string): string {
  return (RUN_STATUS as Record<string, { label: string }>)[status]?.label ?? 'État inconnu';
}
