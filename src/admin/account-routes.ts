import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setUserActive } from '../accounts/credentials.ts';
import type { AppContext } from '../context.ts';
import { authorize } from '../http/policy.ts';
import { IdParams } from '../http/schemas.ts';
import { can } from './policy.ts';

/** Administrators deactivate an account (login refused, its sessions end) or reactivate it. */
export function registerAccountStatusRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  for (const [action, actif] of [
    ['desactivation', false],
    ['reactivation', true],
  ] as const) {
    app.post(`/admin/utilisateurs/:id/${action}`, { schema: { params: IdParams } }, async (req, reply) => {
      const actor = authorize(req, can, 'gerer-comptes', null);
      await setUserActive(ctx.db, actor, req.params.id, actif);
      return reply.redirect('/admin/utilisateurs', 303);
    });
  }
}
