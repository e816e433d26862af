import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { addressLicence } from '../http/licences.ts';
import { ErrorSchema } from '../territories/api.ts';
import { addressLabel } from '../text/label.ts';
import type { AddressHit } from './index-search.ts';
import { BANO_LICENCE, banoCommunes, collectionLicence, OPEN_LICENCE } from './licence.ts';
import { type AddressRow, addressById } from './queries.ts';
import {
  AddressCollectionSchema,
  AddressFeatureSchema,
  AddressIdParamsSchema,
  AddressSearchQuerySchema,
  ReverseQuerySchema,
} from './schema.ts';
import { getAddressIndex } from './service.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

export type RateLimit = { max: number; timeWindow: string | number };

function hitToFeature(h: AddressHit, bano = false) {
  return {
    type: 'Feature' as const,
    geometry: { type: 'Point' as const, coordinates: [h.lon, h.lat] as [number, number] },
    properties: {
      id: h.id,
      type: h.type,
      label: h.label,
      score: h.score,
      housenumber: h.housenumber,
      street: h.street,
      postcode: h.postcode,
      citycode: h.citycode,
      city: h.city,
      departement: h.departement,
      ...(h.distance !== undefined ? { distance: h.distance } : {}),
      licence: (bano ? BANO_LICENCE : OPEN_LICENCE).licence,
    },
  };
}

function rowToFeature(r: AddressRow) {
  const hn = r.numero !== null ? `${r.numero}${r.suffixe ?? ''}` : null;
  const label = addressLabel(r);
  return {
    type: 'Feature' as const,
    geometry: { type: 'Point' as const, coordinates: [r.lon, r.lat] as [number, number] },
    properties: {
      id: r.id,
      type: (hn ? 'housenumber' : 'street') as 'housenumber' | 'street',
      label,
      score: 1,
      housenumber: hn,
      street: r.voie,
      postcode: r.code_postal,
      citycode: r.code_insee,
      city: r.commune,
      departement: r.departement,
      licence: addressLicence(r.source).licence,
      ...(r.source === 'bano' ? { attribution: BANO_LICENCE.attribution! } : {}),
    },
  };
}

export function registerAddressApi(app: FastifyInstance, ctx: AppContext, rateLimit: RateLimit | false) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Without a limit (benchmarks) the routes carry no rateLimit config: the plugin is registered with global: false.
  const config = (rateLimit ? { rateLimit } : {}) as { rateLimit: RateLimit };

  // One request per keystroke: no access-log line for each (warnings and errors are still logged), and an ETag
  // from the index instead of a hash of every response.
  r.get(
    '/api/v1/adresses/recherche',
    {
      config,
      logLevel: 'warn',
      schema: {
        tags: ['adresses'],
        summary: 'Rechercher une adresse (géocodage, autocomplétion)',
        description:
          'Texte libre : numéro, voie, code postal et commune dans n’importe quel ordre ; une commune ou un code postal seuls fonctionnent aussi. ' +
          'Le numéro est reconnu avant ou après la voie, après le code postal ou la commune (« 75011 12 rue Oberkampf », « rue Oberkampf 12 »), ' +
          'précédé de « n° », en intervalle (« 12-14 » : le premier) et avec son indice (« 12 bis », « 12b ») ; un lieu-dit se cherche par son nom. ' +
          'Accents, casse, apostrophes et traits d’union ignorés ; abréviations usuelles (av, bd, r, pl, imp, ch, rte, fg, sq, all, st…) reconnues ; ' +
          'une faute de frappe par mot tolérée ; le dernier mot est complété (autocomplétion). Résultats du meilleur au moins bon, `score` entre 0 et 1. ' +
          'Filtres : `citycode` (code INSEE), `postcode`, `departement` ; `lon`/`lat` favorisent les adresses proches.',
        querystring: AddressSearchQuerySchema,
        response: { 200: AddressCollectionSchema, 400: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const { q, limit, citycode, postcode, departement, lon, lat } = req.query;
      const index = await getAddressIndex(ctx);
      const hits = index.search(q, { limit, citycode, postcode, departement, lon, lat });
      reply.header('etag', `W/"${index.id}"`);
      // BANO communes change only with an address import, which also changes the index id of the ETag.
      const bano = await banoCommunes(ctx);
      const features = hits.map((h) => hitToFeature(h, bano.has(h.citycode)));
      // Hot path (one request per keystroke): serialised here, the shape being the schema above by construction.
      return reply.type(JSON_TYPE).send(
        JSON.stringify({
          type: 'FeatureCollection',
          version: 'draft',
          ...collectionLicence(hits.some((h) => bano.has(h.citycode))),
          query: q,
          features,
        }) as never,
      );
    },
  );

  r.get(
    '/api/v1/adresses/inverse',
    {
      config,
      logLevel: 'warn',
      schema: {
        tags: ['adresses'],
        summary: 'Adresses les plus proches d’un point (géocodage inverse)',
        description:
          'Les adresses les plus proches du point (WGS84), de la plus proche à la plus lointaine, avec leur distance en mètres.',
        querystring: ReverseQuerySchema,
        response: { 200: AddressCollectionSchema, 400: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const index = await getAddressIndex(ctx);
      const hits = index.reverse(req.query.lon, req.query.lat, req.query.limit);
      reply.header('etag', `W/"${index.id}"`);
      const bano = await banoCommunes(ctx);
      const features = hits.map((h) => hitToFeature(h, bano.has(h.citycode)));
      return reply.type(JSON_TYPE).send(
        JSON.stringify({
          type: 'FeatureCollection',
          version: 'draft',
          ...collectionLicence(hits.some((h) => bano.has(h.citycode))),
          features,
        }) as never,
      );
    },
  );

  r.get(
    '/api/v1/adresses/:id',
    {
      config,
      schema: {
        tags: ['adresses'],
        summary: 'Une adresse par son identifiant (BAN, BAL ou BANO)',
        params: AddressIdParamsSchema,
        response: { 200: AddressFeatureSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const row = await addressById(ctx.db, req.params.id);
      if (!row)
        throw new AppError(
          'INTROUVABLE',
          `no address ${req.params.id}`,
          `Aucune adresse ne porte l’identifiant « ${req.params.id} ».`,
        );
      return rowToFeature(row);
    },
  );
}
