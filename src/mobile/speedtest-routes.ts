import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ErrorSchema } from '../territories/api.ts';

/**
 * The speed test of the measurement form (public/mesure-debit.js) runs against the platform itself through these
 * three small endpoints: latency (an empty answer), download (random bytes, so that no compression shortens them)
 * and upload (bytes counted and dropped). Sizes are capped and each client is rate-limited (hashed address, as
 * the measurement API), so the endpoints cannot be used to move large volumes.
 */
export const SPEEDTEST = {
  maxDownloadBytes: 2 * 1024 * 1024,
  maxUploadBytes: 1024 * 1024,
  perMinute: 30,
} as const;

const LIMIT = {
  max: SPEEDTEST.perMinute,
  timeWindow: '1 minute',
  keyGenerator: (req: FastifyRequest) =>
    `test-debit:${crypto.createHash('sha256').update(`pan-test-debit:${req.ip}`).digest('hex').slice(0, 32)}`,
};
const TAG = ['mesures mobiles'];
const NO_STORE = 'no-store';

const DownloadQuerySchema = z.object({
  octets: z.coerce
    .number()
    .int()
    .min(1)
    .max(SPEEDTEST.maxDownloadBytes)
    .default(SPEEDTEST.maxDownloadBytes)
    .describe(`Taille demandée, ${SPEEDTEST.maxDownloadBytes} octets au plus`),
});

export function registerSpeedtestRoutes(app: FastifyInstance, _ctx: AppContext) {
  // One random block drawn at start-up and sliced: incompressible, and no cost per request.
  const block = crypto.randomBytes(SPEEDTEST.maxDownloadBytes);
  app.register(async (scope) => {
    // Upload bodies are raw bytes; the parser exists only in this scope, with its own size cap (413 beyond).
    scope.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: SPEEDTEST.maxUploadBytes },
      (_req, body, done) => done(null, body),
    );
    const r = scope.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/v1/mobile/test-debit/latence',
      {
        config: { rateLimit: LIMIT },
        schema: {
          tags: TAG,
          summary: 'Test de débit : réponse vide pour mesurer la latence',
          description: `Réponse 204 sans contenu ni cache. ${SPEEDTEST.perMinute} requêtes par minute et par client pour chacun des trois points du test, 429 au-delà.`,
        },
      },
      async (_req, reply) => reply.header('cache-control', NO_STORE).code(204).send(),
    );
    r.get(
      '/api/v1/mobile/test-debit/telechargement',
      {
        config: { rateLimit: LIMIT },
        schema: {
          tags: TAG,
          summary: 'Test de débit descendant : octets aléatoires',
          description: `\`octets\` octets aléatoires (${SPEEDTEST.maxDownloadBytes} au plus, 400 au-delà), sans cache ni compression possible.`,
          querystring: DownloadQuerySchema,
        },
      },
      async (req, reply) =>
        reply
          .header('cache-control', NO_STORE)
          .type('application/octet-stream')
          .send(block.subarray(0, req.query.octets)),
    );
    r.post(
      '/api/v1/mobile/test-debit/envoi',
      {
        config: { rateLimit: LIMIT },
        bodyLimit: SPEEDTEST.maxUploadBytes,
        schema: {
          tags: TAG,
          summary: 'Test de débit montant : octets reçus, comptés puis oubliés',
          description: `Corps \`application/octet-stream\` de ${SPEEDTEST.maxUploadBytes} octets au plus (413 au-delà) ; rien n’est conservé. Réponse \`{ octets }\`.`,
          response: { 200: z.object({ octets: z.number().int() }), 413: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (req, reply) => {
        const body = req.body;
        return reply.header('cache-control', NO_STORE).send({ octets: Buffer.isBuffer(body) ? body.length : 0 });
      },
    );
  });
}
