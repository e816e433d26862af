import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addressIndexStatus } from '../addresses/service.ts';
import type { AppContext } from '../context.ts';
import { pendingMigrations } from '../db/migrate.ts';

/**
 * Readiness (`/api/ready`): may a load balancer send traffic here? Unlike liveness (`/api/health`,
 * the process answers), it checks that the database answers, that every migration is applied,
 * that the in-memory indexes are loaded, and that the instance is not stopping.
 */
const draining = new WeakSet<FastifyInstance>();

/** From now on readiness answers 503 (called when a stop begins, before the listener closes). */
export function startDraining(app: FastifyInstance): void {
  draining.add(app);
}

const DB_TIMEOUT_MS = 2000;

const Check = z.object({ ok: z.boolean(), detail: z.string() });
const ReadySchema = z.object({
  statut: z.enum(['pret', 'pas_pret']),
  verifications: z.object({ base: Check, migrations: Check, index_adresses: Check, arret: Check }),
  raisons: z.array(z.string()),
});

export function registerReadiness(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['santé'],
        summary:
          'Prêt à servir : base joignable, migrations appliquées, index en mémoire chargés (503 sinon, avec les raisons)',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (_req, reply) => {
      let base: z.infer<typeof Check>;
      let migrations: z.infer<typeof Check>;
      try {
        const pending = await Promise.race([
          pendingMigrations(ctx.db),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`pas de réponse en ${DB_TIMEOUT_MS / 1000} s`)), DB_TIMEOUT_MS).unref(),
          ),
        ]);
        base = {
          ok: true,
          detail: ctx.db.kind === 'pglite' ? 'base embarquée joignable' : 'serveur PostgreSQL joignable',
        };
        migrations = pending.length
          ? { ok: false, detail: `migrations non appliquées : ${pending.join(', ')}` }
          : { ok: true, detail: 'schéma à jour' };
      } catch (e) {
        base = { ok: false, detail: `base de données injoignable : ${(e as Error).message}` };
        migrations = { ok: false, detail: 'non vérifiées (base injoignable)' };
      }
      const idx = addressIndexStatus(ctx);
      const index_adresses = idx.ready
        ? { ok: true, detail: `${idx.size.toLocaleString('fr-FR')} adresses en mémoire` }
        : {
            ok: false,
            detail: idx.building ? 'index des adresses en cours de construction' : 'index des adresses non chargé',
          };
      const arret = draining.has(app) ? { ok: false, detail: 'arrêt en cours' } : { ok: true, detail: 'en service' };
      const verifications = { base, migrations, index_adresses, arret };
      const raisons = Object.values(verifications)
        .filter((c) => !c.ok)
        .map((c) => c.detail);
      return reply
        .code(raisons.length ? 503 : 200)
        .header('cache-control', 'no-store')
        .send({ statut: raisons.length ? ('pas_pret' as const) : ('pret' as const), verifications, raisons });
    },
  );
}
