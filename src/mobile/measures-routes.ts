import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtInt, fmtPct, type Html, html, raw } from '../http/html.ts';
import { alert } from '../http/layout.ts';
import { authorize, signedIn } from '../http/policy.ts';
import { CsrfField, IdParams } from '../http/schemas.ts';
import { resolveScope } from '../observatory/service.ts';
import { toCsv } from '../observatory/tables.ts';
import { parisInstant } from '../resources/service.ts';
import { ErrorSchema } from '../territories/api.ts';
import { CommuneLocator } from './locate.ts';
import {
  APPAREILS,
  MAX_MBPS,
  MeasureSchema,
  MIN_PUBLISHED,
  measureAggregates,
  measureExists,
  measuresToModerate,
  publishedMeasures,
  setMeasureHidden,
  submitMeasure,
  TECHNOS,
} from './measures.ts';
import { canModerate } from './policy.ts';
import { MobileParamsSchema } from './schema.ts';
import { OPERATEUR_LABEL, OPERATEURS, type Operateur } from './vocab.ts';

/**
 * Per client address, with the platform's rate limiter (shared across instances on PostgreSQL). Its key is a
 * hash of the address, so that not even the limiter's one-minute counters hold the address itself.
 */
const SUBMIT_LIMIT = {
  max: 20,
  timeWindow: '1 minute',
  keyGenerator: (req: FastifyRequest) =>
    `mesures-mobiles:${crypto.createHash('sha256').update(`pan-mesures:${req.ip}`).digest('hex').slice(0, 32)}`,
};
const TAG = ['mesures mobiles'];

const AggregateSchema = z.object({
  mesures: z.number().int(),
  debit_descendant_median_mbps: z.number().nullable(),
  debit_montant_median_mbps: z.number().nullable(),
  latence_mediane_ms: z.number().nullable(),
  part_sous_8_mbps: z.number().nullable().describe('Part des mesures sous 8 Mbit/s descendants (0–1)'),
});
const AggregatesSchema = z.object({
  niveau: z.string(),
  code: z.string(),
  nom: z.string(),
  total: z.number().int(),
  seuil_publication: z.number().int().describe('Nombre minimal de mesures pour publier médianes et part'),
  operateurs: z.object({
    orange: AggregateSchema.optional(),
    sfr: AggregateSchema.optional(),
    bouygues: AggregateSchema.optional(),
    free: AggregateSchema.optional(),
  }),
  methode: z.string(),
  licence: z.string(),
});

export const METHOD_TEXT = `Mesures envoyées par les habitants (formulaire ou API), sans adresse IP ni texte libre ; la position est arrondie à environ 100 m. Médianes et part sous 8 Mbit/s par opérateur, publiées à partir de ${MIN_PUBLISHED} mesures. Ce sont des mesures ponctuelles et volontaires, pas un échantillon représentatif.`;

/** The form as a browser sends it (strings); turned into the API's measurement. */
const FormSchema = z.object({
  ...CsrfField,
  lon: z.string().trim().max(30).default(''),
  lat: z.string().trim().max(30).default(''),
  operateur: z.string().max(20).default(''),
  techno: z.string().max(5).default(''),
  debit_descendant_mbps: z.string().trim().max(30).default(''),
  debit_montant_mbps: z.string().trim().max(30).default(''),
  latence_ms: z.string().trim().max(30).default(''),
  horodatage: z.string().trim().max(30).default(''),
  signal_dbm: z.string().trim().max(30).default(''),
  appareil: z.string().max(20).default(''),
  interieur: z.string().max(5).default(''),
});
type FormValues = z.infer<typeof FormSchema>;

const numberOf = (s: string) => (s === '' ? undefined : Number(s.replace(',', '.')));

function measureOfForm(f: FormValues) {
  const when = f.horodatage ? parisInstant(f.horodatage) : new Date();
  return {
    lon: numberOf(f.lon),
    lat: numberOf(f.lat),
    operateur: f.operateur || undefined,
    techno: f.techno || undefined,
    debit_descendant_mbps: numberOf(f.debit_descendant_mbps),
    debit_montant_mbps: numberOf(f.debit_montant_mbps),
    latence_ms: numberOf(f.latence_ms),
    horodatage: when ? when.toISOString() : 'invalide',
    signal_dbm: numberOf(f.signal_dbm),
    appareil: f.appareil || undefined,
    interieur: f.interieur === 'oui' ? true : f.interieur === 'non' ? false : undefined,
  };
}

function input(name: keyof FormValues, label: string, v: FormValues, errors: Map<string, string>, hint?: string) {
  const err = errors.get(name);
  return html`<div class="fr-input-group${err ? ' fr-input-group--error' : ''}"><label class="fr-label" for="m-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
  <input class="fr-input${err ? ' fr-input--error' : ''}" type="text" inputmode="decimal" id="m-${name}" name="${name}" value="${v[name] ?? ''}"${err ? html` aria-describedby="m-${name}-err"` : ''}>
  ${err ? html`<p class="fr-error-text" id="m-${name}-err">${err}</p>` : ''}</div>`;
}

function select(
  name: keyof FormValues,
  label: string,
  options: { v: string; l: string }[],
  v: FormValues,
  errors: Map<string, string>,
) {
  const err = errors.get(name);
  return html`<div class="fr-select-group${err ? ' fr-select-group--error' : ''}"><label class="fr-label" for="m-${name}">${label}</label>
  <select class="fr-select" id="m-${name}" name="${name}"${err ? html` aria-describedby="m-${name}-err"` : ''}><option value="">— choisir —</option>${options.map((o) => html`<option value="${o.v}"${v[name] === o.v ? raw(' selected') : ''}>${o.l}</option>`)}</select>
  ${err ? html`<p class="fr-error-text" id="m-${name}-err">${err}</p>` : ''}</div>`;
}

function measureForm(csrf: string, v: FormValues, errors: Map<string, string>): Html {
  return html`<form method="post" action="/observatoire/mobile/mesures" novalidate data-pan-mesure>
  <input type="hidden" name="_csrf" value="${csrf}">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Position (degrés WGS84, par exemple ceux qu’affiche une application de carte)</legend>
  ${input('lat', 'Latitude', v, errors, 'par exemple 47,322')}
  ${input('lon', 'Longitude', v, errors, 'par exemple 5,041')}</fieldset>
  ${select(
    'operateur',
    'Opérateur',
    OPERATEURS.map((o) => ({ v: o, l: OPERATEUR_LABEL[o] })),
    v,
    errors,
  )}
  ${select(
    'techno',
    'Technologie affichée par le téléphone',
    TECHNOS.map((t) => ({ v: t, l: t })),
    v,
    errors,
  )}
  ${input('debit_descendant_mbps', 'Débit descendant (Mbit/s)', v, errors)}
  ${input('debit_montant_mbps', 'Débit montant (Mbit/s)', v, errors)}
  ${input('latence_ms', 'Latence (ms)', v, errors)}
  <div class="fr-input-group${errors.get('horodatage') ? ' fr-input-group--error' : ''}"><label class="fr-label" for="m-horodatage">Date et heure de la mesure (heure de Paris)<span class="fr-hint-text">laisser vide : maintenant</span></label>
  <input class="fr-input" type="datetime-local" id="m-horodatage" name="horodatage" value="${v.horodatage}">
  ${errors.get('horodatage') ? html`<p class="fr-error-text">${errors.get('horodatage')}</p>` : ''}</div>
  ${input('signal_dbm', 'Puissance du signal (dBm, facultatif)', v, errors, 'par exemple -95')}
  ${select(
    'appareil',
    'Appareil (facultatif)',
    APPAREILS.map((a) => ({ v: a, l: a })),
    v,
    errors,
  )}
  ${select(
    'interieur',
    'Lieu de la mesure (facultatif)',
    [
      { v: 'oui', l: 'à l’intérieur d’un bâtiment' },
      { v: 'non', l: 'à l’extérieur' },
    ],
    v,
    errors,
  )}
  <p class="fr-text--sm">Aucune adresse IP n’est conservée ; la position est arrondie à environ 100 m avant d’être enregistrée et publiée.</p>
  <button class="fr-btn" type="submit">Envoyer la mesure</button></form>`;
}

export function aggregatesTable(a: Awaited<ReturnType<typeof measureAggregates>>): Html {
  if (!a.total) return html`<p>Aucune mesure reçue pour ${a.scope.nom} pour l’instant.</p>`;
  const rows = OPERATEURS.filter((o) => a.operateurs[o]);
  const n = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toLocaleString('fr-FR'));
  return html`<div class="fr-table fr-table--sm"><table><caption>Mesures participatives, ${a.scope.nom} : nombre, médianes et part sous 8 Mbit/s par opérateur (publiées à partir de ${MIN_PUBLISHED} mesures)</caption>
  <thead><tr><th scope="col">Opérateur</th><th scope="col" class="pan-num">Mesures</th><th scope="col" class="pan-num">Débit descendant médian (Mbit/s)</th><th scope="col" class="pan-num">Débit montant médian (Mbit/s)</th><th scope="col" class="pan-num">Latence médiane (ms)</th><th scope="col" class="pan-num">Part sous 8 Mbit/s</th></tr></thead>
  <tbody>${rows.map((o) => {
    const x = a.operateurs[o]!;
    return html`<tr><th scope="row">${OPERATEUR_LABEL[o]}</th><td class="pan-num">${fmtInt(x.mesures)}</td><td class="pan-num">${n(x.debit_descendant_median_mbps)}</td><td class="pan-num">${n(x.debit_montant_median_mbps)}</td><td class="pan-num">${n(x.latence_mediane_ms)}</td><td class="pan-num">${x.part_sous_8_mbps === null ? '—' : fmtPct(x.part_sous_8_mbps)}</td></tr>`;
  })}</tbody></table></div>`;
}

export function registerMeasureRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Commune outlines in memory, built on first use and again after each contours import.
  let locator: Promise<CommuneLocator> | null = null;
  const locate = () => (locator ??= CommuneLocator.build(ctx.db));
  ctx.onImported((job) => {
    if (job === 'contours') locator = null;
  }, 'mobile-mesures-contours');

  r.post(
    '/api/v1/mobile/mesures',
    {
      config: { rateLimit: SUBMIT_LIMIT },
      schema: {
        tags: TAG,
        summary: 'Envoyer une mesure de débit mobile',
        description: `Corps JSON. \`lon\`, \`lat\` en degrés WGS84 (en France), \`operateur\` (orange, sfr, bouygues, free), \`techno\` (2G, 3G, 4G, 5G), débits en Mbit/s dans les limites plausibles de la technologie (${TECHNOS.map((t) => `${t} : ${MAX_MBPS[t].down}/${MAX_MBPS[t].up}`).join(', ')} descendant/montant au plus), \`latence_ms\`, \`horodatage\` ISO 8601 avec fuseau (pas dans le futur, moins d’un an), et facultatifs \`signal_dbm\`, \`appareil\`, \`interieur\`. Réponse 201 \`{ id }\` ; la même mesure renvoyée moins d’une minute après est ignorée (200 \`{ id, doublon: true }\` avec l’identifiant de la première). 400 nomme le champ refusé ; 429 au-delà de ${SUBMIT_LIMIT.max} envois par minute et par client. Aucune adresse IP n’est conservée ; la position est arrondie à environ 100 m.`,
        body: MeasureSchema,
        response: {
          201: z.object({ id: z.number().int() }),
          200: z.object({ id: z.number().int(), doublon: z.literal(true) }),
          400: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const res = await submitMeasure(ctx.db, await locate(), req.body, 'api');
      if (res.doublon) return reply.code(200).send({ id: res.id, doublon: true as const });
      return reply.code(201).send({ id: res.id });
    },
  );

  r.get(
    '/api/v1/mobile/mesures/:niveau/:code',
    {
      schema: {
        tags: TAG,
        summary: 'Mesures participatives agrégées d’un territoire, par opérateur',
        description: `Nombre de mesures et, à partir de ${MIN_PUBLISHED} mesures pour un opérateur, médianes des débits descendant et montant, latence médiane et part des mesures sous 8 Mbit/s. Niveau \`france\` : code FR.`,
        params: MobileParamsSchema,
        response: { 200: AggregatesSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const a = await measureAggregates(ctx.db, req.params.niveau, req.params.code);
      return {
        niveau: req.params.niveau,
        code: a.scope.code,
        nom: a.scope.nom,
        total: a.total,
        seuil_publication: a.seuil,
        operateurs: a.operateurs,
        methode: METHOD_TEXT,
        licence: 'Licence Ouverte 2.0 (Etalab)',
      };
    },
  );

  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { values: FormValues; errors: Map<string, string>; status?: number; merci?: boolean },
  ) => {
    const region = await resolveScope(ctx.db, 'region', ctx.config.region);
    const agg = await measureAggregates(ctx.db, 'region', region.code);
    return ctx.render(req, reply, {
      title: 'Mesures de débit mobile participatives',
      scripts: ['/static/mesure-debit.js'],
      status: o.status,
      breadcrumb: [
        { label: 'Observatoire', href: '/observatoire' },
        { label: 'Mobile', href: '/observatoire/mobile' },
        { label: 'Mesures participatives' },
      ],
      main: html`<h1 class="fr-mt-2w">Mesures de débit mobile participatives</h1>
      ${o.merci ? alert('success', 'Mesure enregistrée', 'Merci : elle est comptée dans les résultats ci-dessous.') : ''}
      ${o.errors.size ? alert('error', 'La mesure n’a pas été enregistrée', html`<ul>${[...o.errors.values()].map((e) => html`<li>${e}</li>`)}</ul>`) : ''}
      <h2>Résultats en ${region.nom}</h2>
      ${aggregatesTable(agg)}
      <p class="fr-text--sm">${METHOD_TEXT} Licence Ouverte 2.0. Toutes les mesures publiées (positions arrondies) : <a href="/observatoire/mobile/mesures.csv" download>CSV</a>. API : <a href="/api/v1/mobile/mesures/region/${region.code}">/api/v1/mobile/mesures/region/${region.code}</a> (<a href="/api/docs">documentation</a>).</p>
      <h2 class="fr-mt-4w">Envoyer une mesure</h2>
      <p>Faites un test de débit avec l’application de votre choix, puis reportez ses résultats. Si JavaScript est actif, les boutons « Utiliser ma position » et « Mesurer mon débit » (test rapide avec la plateforme elle-même : 2 Mo reçus, 1 Mo envoyé) remplissent le formulaire ; rien n’est envoyé avant que vous validiez.</p>
      ${measureForm(req.csrfToken, o.values, o.errors)}`,
    });
  };
  const empty = FormSchema.parse({});

  r.get('/observatoire/mobile/mesures.csv', async (_req, reply) => {
    const rows = await publishedMeasures(ctx.db);
    const col = (key: string, kind: 'text' | 'num' | 'int' = 'text') => ({ key, label: key, kind });
    const csv = toCsv({
      key: 'mesures',
      titre: 'Mesures de débit mobile participatives (positions arrondies à 0,001°)',
      columns: [
        col('id', 'int'),
        col('horodatage'),
        col('lon', 'num'),
        col('lat', 'num'),
        col('commune'),
        col('operateur'),
        col('techno'),
        col('debit_descendant_mbps', 'num'),
        col('debit_montant_mbps', 'num'),
        col('latence_ms', 'num'),
        col('signal_dbm', 'num'),
        col('appareil'),
        col('interieur'),
      ],
      rows: rows.map((m) => ({ ...m, interieur: m.interieur === null ? null : m.interieur ? 'oui' : 'non' })),
      source: 'Mesures participatives de la plateforme',
      licence: 'Licence Ouverte 2.0',
    });
    reply.header('content-disposition', 'attachment; filename="mesures-mobiles.csv"');
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  r.get(
    '/observatoire/mobile/mesures',
    { schema: { querystring: z.object({ merci: z.literal('1').optional() }) } },
    (req, reply) => page(req, reply, { values: empty, errors: new Map(), merci: req.query.merci === '1' }),
  );

  r.get('/observatoire/mobile/mesures/moderation', async (req, reply) => {
    authorize(req, canModerate, 'moderer', null);
    const rows = await measuresToModerate(ctx.db);
    const n = (x: number | null) => (x === null ? '—' : x.toLocaleString('fr-FR', { maximumFractionDigits: 1 }));
    return ctx.render(req, reply, {
      title: 'Modération des mesures participatives',
      breadcrumb: [
        { label: 'Mobile', href: '/observatoire/mobile' },
        { label: 'Mesures', href: '/observatoire/mobile/mesures' },
        { label: 'Modération' },
      ],
      main: html`<h1 class="fr-mt-2w">Modération des mesures participatives</h1>
      <p>Mesures atypiques : débit descendant à plus de dix fois, ou moins d’un dixième, de la médiane des mesures du même opérateur et de la même technologie (à partir de 5 mesures). Une mesure masquée reste enregistrée mais n’entre plus dans les résultats ni dans l’export.</p>
      ${
        rows.length
          ? html`<div class="fr-table fr-table--sm"><table><caption>Mesures à examiner (atypiques publiées, puis masquées)</caption>
      <thead><tr><th scope="col">N°</th><th scope="col">Date</th><th scope="col">Commune</th><th scope="col">Opérateur</th><th scope="col">Techno</th><th scope="col" class="pan-num">Descendant (Mbit/s)</th><th scope="col" class="pan-num">Médiane (Mbit/s)</th><th scope="col">État</th><th scope="col">Action</th></tr></thead>
      <tbody>${rows.map(
        (m) =>
          html`<tr><th scope="row">${m.id}</th><td>${m.horodatage}</td><td>${m.commune ?? '—'}</td><td>${OPERATEUR_LABEL[m.operateur as Operateur] ?? m.operateur}</td><td>${m.techno}</td><td class="pan-num">${n(m.debit_descendant_mbps)}</td><td class="pan-num">${n(m.mediane)}</td><td>${m.masquee ? `masquée (${m.moderee_par ?? ''})` : 'publiée'}</td>
          <td><form method="post" action="/observatoire/mobile/mesures/${m.id}/moderation"><input type="hidden" name="_csrf" value="${req.csrfToken}"><input type="hidden" name="action" value="${m.masquee ? 'publier' : 'masquer'}"><button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">${m.masquee ? 'Publier de nouveau' : 'Masquer'}</button></form></td></tr>`,
      )}</tbody></table></div>`
          : html`<p>Aucune mesure à examiner.</p>`
      }`,
    });
  });

  app.post<{ Params: { id: string } }>(
    '/observatoire/mobile/mesures/:id/moderation',
    { schema: { params: IdParams } },
    async (req, reply) => {
      const actor = signedIn(req);
      const id = Number(req.params.id);
      if (!(await measureExists(ctx.db, id))) throw new AppError('INTROUVABLE', `mesure ${id}`);
      authorize(req, canModerate, 'moderer', null);
      const p = z.object({ ...CsrfField, action: z.enum(['masquer', 'publier']) }).safeParse(req.body);
      if (!p.success) throw new AppError('REQUETE_INVALIDE', p.error.message, 'Action attendue : masquer ou publier.');
      const hidden = p.data.action === 'masquer';
      await ctx.db.transaction(async (tx) => {
        await setMeasureHidden(tx, id, hidden, actor.label);
        await audit(tx, actor, p.data.action, { type: 'mesure_mobile', id }, null, { masquee: hidden });
      });
      return reply.redirect('/observatoire/mobile/mesures/moderation', 303);
    },
  );

  app.post('/observatoire/mobile/mesures', { config: { rateLimit: SUBMIT_LIMIT } }, async (req, reply) => {
    const f = FormSchema.safeParse(req.body ?? {});
    if (!f.success)
      return page(req, reply, { values: empty, errors: new Map([['_', 'Formulaire illisible.']]), status: 400 });
    const p = MeasureSchema.safeParse(measureOfForm(f.data));
    if (!p.success) {
      const errors = new Map<string, string>();
      for (const i of p.error.issues) {
        const k = String(i.path[0] ?? '_');
        if (!errors.has(k)) errors.set(k, i.message);
      }
      return page(req, reply, { values: f.data, errors, status: 400 });
    }
    await submitMeasure(ctx.db, await locate(), p.data, 'formulaire');
    return reply.redirect('/observatoire/mobile/mesures?merci=1', 303);
  });
}
