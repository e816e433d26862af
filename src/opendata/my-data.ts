import type { FastifyInstance } from 'fastify';
import { audit } from '../accounts/audit.ts';
import { personalData } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { signedIn } from '../http/policy.ts';

/**
 * Right of access (GDPR article 15): a signed-in account holder downloads what the platform holds about
 * them, as JSON. Only ever their own account (the session's), so there is nothing to ask for someone else.
 */
export function registerMyDataRoute(app: FastifyInstance, ctx: AppContext) {
  app.get('/compte/donnees.json', async (req, reply) => {
    const actor = signedIn(req);
    const data = await personalData(ctx.db, actor.id);
    if (!data) throw new AppError('INTROUVABLE', `utilisateur ${actor.id}`);
    await audit(ctx.db, actor, 'export-donnees-personnelles', { type: 'utilisateur', id: actor.id }, null, null);
    return reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="mes-donnees.json"')
      .send(
        JSON.stringify(
          {
            genere_le: new Date().toISOString(),
            plateforme: ctx.site().name,
            explication:
              'Les données que la plateforme conserve sur votre compte : compte, sessions ouvertes, actions enregistrées au journal des modifications (sans leur contenu), échecs de connexion récents sur votre adresse. Le registre des traitements (/donnees/registre) en donne la finalité et la durée de conservation.',
            ...data,
          },
          null,
          2,
        ),
      );
  });
}
