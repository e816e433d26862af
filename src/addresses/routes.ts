import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { html } from '../http/html.ts';
import { regionExamples } from '../territories/examples.ts';
import { addressExamples, addressHintOf } from './examples.ts';
import { banoCommunes } from './licence.ts';
import { searchAddresses } from './service.ts';
import { addressResults, addressSearchAssets, addressSearchField } from './views.ts';

const PageQuerySchema = z.object({
  q: z
    .string()
    .max(200, 'la recherche est limitée à 200 caractères')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'la recherche contient des caractères de contrôle')
    .optional()
    .default(''),
});

export function registerAddressPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/adresses/recherche', { schema: { querystring: PageQuerySchema } }, async (req, reply) => {
    const q = req.query.q.replace(/\s+/g, ' ').trim();
    const valid = q.length >= 2 && /[\p{L}\p{N}]/u.test(q);
    const hits = valid ? await searchAddresses(ctx, q, { limit: 20 }) : [];
    return ctx.render(req, reply, {
      title: q ? `Adresses « ${q} »` : 'Rechercher une adresse',
      breadcrumb: [{ label: 'Éligibilité à l’adresse', href: '/eligibilite' }, { label: 'Recherche d’adresse' }],
      ...addressSearchAssets,
      main: html`<h1 class="fr-mt-2w">Rechercher une adresse</h1>
      <p>Choisissez votre adresse pour voir les technologies, débits et opérateurs disponibles.</p>
      ${addressSearchField({ value: q, hint: addressHintOf(await addressExamples(ctx, await regionExamples(ctx))) })}
      ${valid ? addressResults(q, hits, undefined, await banoCommunes(ctx)) : q ? html`<p class="fr-error-text">Saisissez au moins 2 lettres ou chiffres.</p>` : ''}`,
    });
  });
}
