import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { listRegions } from './territories/service.ts';

/** A start-up failure the operator can fix: printed as one French line, the stack only with LOG_LEVEL=debug. */
export class StartupError extends Error {}

/** REGION must be one of the regions the territories import loaded (not any 2–3 digit code). */
export async function checkRegion(db: Db, config: Config): Promise<void> {
  const regions = await listRegions(db);
  if (regions.some((r) => r.code === config.region)) return;
  const known = regions.map((r) => `${r.code} ${r.nom}`).join(', ');
  throw new StartupError(
    `REGION=${config.region} : aucune région de ce code parmi les territoires chargés. Codes possibles : ${known || 'aucun (territoires non chargés)'}.`,
  );
}

const DB_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connexion refusée (serveur arrêté, ou mauvais hôte ou port)',
  ENOTFOUND: 'nom d’hôte introuvable',
  EAI_AGAIN: 'nom d’hôte introuvable pour l’instant (DNS)',
  ETIMEDOUT: 'pas de réponse du serveur',
  EHOSTUNREACH: 'hôte injoignable',
  '28P01': 'utilisateur ou mot de passe refusé',
  '28000': 'accès refusé à cet utilisateur',
  '3D000': 'la base de données n’existe pas (createdb ?)',
  '53300': 'trop de connexions ouvertes sur le serveur',
};

/** The error of opening the server database, as one French line naming DATABASE_URL (password masked). */
export function databaseOpenError(e: unknown, databaseUrl: string): StartupError {
  const codes: string[] = [];
  const collect = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    const c = (x as { code?: unknown }).code;
    if (typeof c === 'string') codes.push(c);
    for (const inner of (x as { errors?: unknown[] }).errors ?? []) collect(inner);
  };
  collect(e);
  const reason = codes.map((c) => DB_REASONS[c]).find(Boolean) ?? 'erreur de connexion';
  let shown = databaseUrl;
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    shown = u.toString();
  } catch {
    /* config validation already checked the scheme */
  }
  return new StartupError(
    `Base PostgreSQL injoignable : ${reason}. Vérifiez DATABASE_URL (${shown}) et que le serveur PostgreSQL est démarré.`,
    { cause: e },
  );
}
