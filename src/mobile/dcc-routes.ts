import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDay, type Html, html, raw } from '../http/html.ts';
import { type Actor, allowed, authorize, signedIn } from '../http/policy.ts';
import { CsrfField, IdParams, IsoDate, issuesText, text } from '../http/schemas.ts';
import { resolveScope } from '../observatory/service.ts';
import { DEPARTEMENT_CODE } from '../territories/codes.ts';
import { territoryHref } from '../territories/views.ts';
import { deadlineOf, OWN_COLUMNS } from './dcc-job.ts';
import * as Q from './dcc-queries.ts';
import { can } from './policy.ts';
import { OPERATEUR_LABEL, OPERATEURS, type Operateur } from './vocab.ts';

const STATUT_LABEL: Record<Q.Statut, string> = {
  identifie: 'identifié',
  arrete: 'arrêté',
  en_construction: 'en construction',
  en_service: 'en service',
  abandonne: 'abandonné',
};
const BASE = '/observatoire/mobile/couverture-ciblee';
const today = () => new Date().toISOString().slice(0, 10);
const late = (d: Q.DccRow) =>
  d.echeance !== null && d.echeance < today() && !['en_service', 'abandonne'].includes(d.statut);

/** The département an actor's organisation covers (its territory), if any. */
async function orgDepartement(db: Db, actor: Actor | null): Promise<string | null> {
  if (!actor?.organisationId) return null;
  const o = (await listOrganisations(db)).find((x) => x.id === actor.organisationId);
  return o?.territoire_niveau === 'departement' ? o.territoire_code : null;
}

const optDate = z
  .union([z.literal(''), IsoDate])
  .optional()
  .transform((s) => s || null);
const StatusFormSchema = z.object({
  ...CsrfField,
  statut: z.enum(Q.STATUTS),
  statut_date: optDate,
  site_arcep: z
    .string()
    .trim()
    .max(60)
    .regex(/^[\w.-]*$/, 'numéro de site Arcep attendu')
    .optional()
    .transform((v) => v || null),
});

/** Great-circle distance in km. */
function km(aLon: number, aLat: number, bLon: number, bLat: number): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((bLat - aLat) * r) / 2) ** 2 +
    Math.cos(aLat * r) * Math.cos(bLat * r) * Math.sin(((bLon - aLon) * r) / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(h));
}

/** ARCEP sites that may serve the zone: designated operators, in its communes or within 5 km, nearest first. */
async function suggestions(db: Db, d: Q.DccRow) {
  const rows = await Q.sitesNear(db, { operateurs: d.operateurs, communes: d.communes, lon: d.lon, lat: d.lat });
  return rows
    .map((x) => ({ ...x, km: d.lon !== null && d.lat !== null ? km(d.lon, d.lat, x.lon, x.lat) : null }))
    .filter((x) => x.km === null || x.km <= 5 || d.communes.includes(x.commune))
    .sort((a, b) => (a.km ?? 0) - (b.km ?? 0) || a.num_site.localeCompare(b.num_site))
    .slice(0, 10);
}
const CreateFormSchema = z.object({
  ...CsrfField,
  departement: z.string().trim().toUpperCase().regex(DEPARTEMENT_CODE, 'code de département attendu').optional(),
  nom_zone: text(200, 1),
  communes: text(300).default(''),
  operateurs: z.union([z.enum(OPERATEURS), z.array(z.enum(OPERATEURS))]).optional(),
  arrete_reference: text(100).default(''),
  arrete_date: optDate,
  echeance: optDate,
});

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function statusCounts(items: Q.DccRow[], deps: { code: string; nom: string }[]): Html {
  const years = [...new Set(items.map((d) => d.arrete_date?.slice(0, 4) ?? 'sans arrêté'))].sort();
  return html`<div class="fr-table fr-table--sm"><table><caption>Zones de couverture ciblée par département, année de l’arrêté et statut</caption>
  <thead><tr><th scope="col">Département</th><th scope="col">Année de l’arrêté</th>${Q.STATUTS.map((s) => html`<th scope="col" class="pan-num">${STATUT_LABEL[s]}</th>`)}<th scope="col" class="pan-num">échéance dépassée</th></tr></thead>
  <tbody>${deps.flatMap((dep) =>
    years
      .map((y) => {
        const of = items.filter(
          (d) => d.departement === dep.code && (d.arrete_date?.slice(0, 4) ?? 'sans arrêté') === y,
        );
        if (!of.length) return null;
        return html`<tr><th scope="row">${dep.nom} (${dep.code})</th><td>${y}</td>${Q.STATUTS.map((s) => html`<td class="pan-num">${of.filter((d) => d.statut === s).length}</td>`)}<td class="pan-num">${of.filter(late).length}</td></tr>`;
      })
      .filter((x) => x !== null),
  )}</tbody></table></div>`;
}

function itemsTable(items: Q.DccRow[]): Html {
  if (!items.length) return html`<p>Aucune zone de couverture ciblée enregistrée.</p>`;
  return html`<div class="fr-table fr-table--sm"><table><caption>Sites demandés au titre du dispositif de couverture ciblée (échéances dépassées signalées)</caption>
  <thead><tr><th scope="col">Zone</th><th scope="col">Département</th><th scope="col">Communes</th><th scope="col">Opérateurs désignés</th><th scope="col">Arrêté</th><th scope="col">Échéance</th><th scope="col">Statut</th></tr></thead>
  <tbody>${items.map(
    (d) =>
      html`<tr><th scope="row"><a href="${BASE}/${d.id}">${d.nom_zone}</a></th><td>${d.departement}</td><td>${d.communes.map((c, i) => html`${i ? ', ' : ''}<a href="${territoryHref('commune', c)}">${c}</a>`)}</td><td>${d.operateurs.map((o) => OPERATEUR_LABEL[o as Operateur] ?? o).join(', ')}</td><td>${d.arrete_reference ?? '—'}${d.arrete_date ? ` du ${fmtDay(d.arrete_date)}` : ''}</td><td>${d.echeance ? fmtDay(d.echeance) : '—'}${late(d) ? html` <p class="fr-badge fr-badge--error fr-badge--sm">échéance dépassée</p>` : ''}</td><td>${STATUT_LABEL[d.statut]}${d.statut_date ? ` (${fmtDay(d.statut_date)})` : ''}</td></tr>`,
  )}</tbody></table></div>`;
}

function createForm(csrf: string, orgDep: string | null, admin: boolean): Html {
  return html`<form method="post" action="${BASE}"><input type="hidden" name="_csrf" value="${csrf}">
  ${
    admin
      ? html`<div class="fr-input-group"><label class="fr-label" for="dcc-departement">Département (code)</label><input class="fr-input" id="dcc-departement" name="departement" required></div>`
      : html`<p class="fr-text--sm">Zone du département ${orgDep} (celui de votre organisation).</p>`
  }
  <div class="fr-input-group"><label class="fr-label" for="dcc-nom">Nom de la zone</label><input class="fr-input" id="dcc-nom" name="nom_zone" required></div>
  <div class="fr-input-group"><label class="fr-label" for="dcc-communes">Communes (codes INSEE séparés par des espaces)</label><input class="fr-input" id="dcc-communes" name="communes"></div>
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Opérateurs désignés</legend>${OPERATEURS.map((o) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="dcc-op-${o}" name="operateurs" value="${o}"><label class="fr-label" for="dcc-op-${o}">${OPERATEUR_LABEL[o]}</label></div></div>`)}</fieldset>
  <div class="fr-input-group"><label class="fr-label" for="dcc-ref">Référence de l’arrêté (facultatif)</label><input class="fr-input" id="dcc-ref" name="arrete_reference"></div>
  <div class="fr-input-group"><label class="fr-label" for="dcc-date">Date de l’arrêté (facultatif)</label><input class="fr-input" type="date" id="dcc-date" name="arrete_date"></div>
  <div class="fr-input-group"><label class="fr-label" for="dcc-echeance">Échéance<span class="fr-hint-text">vide : 24 mois après l’arrêté</span></label><input class="fr-input" type="date" id="dcc-echeance" name="echeance"></div>
  <button class="fr-btn" type="submit">Ajouter la zone</button></form>`;
}

export function registerDccRoutes(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const viewer = (req: FastifyRequest): Actor | null => {
    try {
      return signedIn(req);
    } catch {
      return null;
    }
  };

  r.get(BASE, async (req, reply) => {
    const region = await resolveScope(ctx.db, 'region', ctx.config.region);
    const items = await Q.dccOfRegion(ctx.db, region.code);
    const deps = (
      await ctx.db.query<{ code: string; nom: string }>(
        'SELECT code, nom FROM departement WHERE region = $1 ORDER BY code',
        [region.code],
      )
    ).rows;
    const actor = viewer(req);
    const orgDep = await orgDepartement(ctx.db, actor);
    const mayCreate = actor !== null && allowed(req, can, 'creer', { departement: null, orgDepartement: orgDep });
    return ctx.render(req, reply, {
      title: 'Dispositif de couverture ciblée',
      breadcrumb: [
        { label: 'Observatoire', href: '/observatoire' },
        { label: 'Mobile', href: '/observatoire/mobile' },
        { label: 'Couverture ciblée' },
      ],
      main: html`<h1 class="fr-mt-2w">Dispositif de couverture ciblée</h1>
      <p class="fr-text--lead">Sites demandés par les équipes projet départementales de ${region.nom} (New Deal mobile) : arrêté, opérateurs désignés, échéance légale (24 mois après l’arrêté sauf mention contraire) et avancement.</p>
      ${statusCounts(items, deps)}
      ${itemsTable(items)}
      <p class="fr-text--sm">Source : arrêtés ministériels et fichier « zones à couvrir » de l’Arcep (Licence Ouverte 2.0), suivi saisi par les départements. Télécharger : <a href="${BASE}.csv" download>CSV</a> (réimportable par le job <code>couverture-ciblee</code>).</p>
      ${mayCreate ? html`<h2 class="fr-mt-4w">Ajouter une zone</h2>${createForm(req.csrfToken, orgDep, actor!.role === 'administrateur')}` : ''}`,
    });
  });

  r.get(`${BASE}.csv`, async (_req, reply) => {
    const items = await Q.dccOfRegion(ctx.db, ctx.config.region);
    const lines = [OWN_COLUMNS.join(';'), ...items.map((d) => OWN_COLUMNS.map((k) => csvCell(d[k])).join(';'))];
    reply.header('content-disposition', 'attachment; filename="couverture-ciblee.csv"');
    return reply.type('text/csv; charset=utf-8').send(`\uFEFF${lines.join('\r\n')}\r\n`);
  });

  r.get(`${BASE}/:id`, { schema: { params: IdParams } }, async (req, reply) => {
    const d = await Q.dccById(ctx.db, req.params.id);
    if (!d) throw new AppError('INTROUVABLE', `dcc ${req.params.id}`);
    const history = await Q.historyOf(ctx.db, d.id);
    const near = await suggestions(ctx.db, d);
    const actor = viewer(req);
    const mayEdit =
      actor !== null &&
      allowed(req, can, 'modifier', {
        departement: d.departement,
        orgDepartement: await orgDepartement(ctx.db, actor),
      });
    return ctx.render(req, reply, {
      title: `Couverture ciblée : ${d.nom_zone}`,
      breadcrumb: [
        { label: 'Observatoire', href: '/observatoire' },
        { label: 'Couverture ciblée', href: BASE },
        { label: d.nom_zone },
      ],
      main: html`<h1 class="fr-mt-2w">${d.nom_zone}</h1>
      ${itemsTable([d])}
      <p>Site Arcep correspondant : ${d.site_arcep ? html`<strong>${d.site_arcep}</strong> (confirmé)` : 'non renseigné'}.</p>
      ${
        near.length
          ? html`<h2>Sites de l’Arcep proches (suggestion)</h2><div class="fr-table fr-table--sm"><table><caption>Sites des opérateurs désignés dans les communes de la zone ou à moins de 5 km, relevé du ${fmtDay(near[0]!.date)}</caption>
      <thead><tr><th scope="col">Site</th><th scope="col">Opérateur</th><th scope="col">Commune</th><th scope="col" class="pan-num">Distance (km)</th></tr></thead>
      <tbody>${near.map((x) => html`<tr><th scope="row">${x.num_site}</th><td>${OPERATEUR_LABEL[x.operateur as Operateur] ?? x.operateur}</td><td>${x.commune}</td><td class="pan-num">${x.km === null ? '—' : x.km.toLocaleString('fr-FR', { maximumFractionDigits: 1 })}</td></tr>`)}</tbody></table></div>`
          : ''
      }
      <h2>Historique</h2>
      <ul>${history.map((h) => html`<li>${fmtDay(h.le.slice(0, 10))} — ${STATUT_LABEL[h.statut as Q.Statut] ?? h.statut}${h.statut_date ? ` au ${fmtDay(h.statut_date)}` : ''} (${h.par})</li>`)}</ul>
      ${
        mayEdit
          ? html`<h2>Changer le statut</h2><form method="post" action="${BASE}/${d.id}/statut"><input type="hidden" name="_csrf" value="${req.csrfToken}">
      <div class="fr-select-group"><label class="fr-label" for="statut">Statut</label><select class="fr-select" id="statut" name="statut">${Q.STATUTS.map((s) => html`<option value="${s}"${s === d.statut ? raw(' selected') : ''}>${STATUT_LABEL[s]}</option>`)}</select></div>
      <div class="fr-input-group"><label class="fr-label" for="statut_date">Date</label><input class="fr-input" type="date" id="statut_date" name="statut_date"></div>
      <div class="fr-select-group"><label class="fr-label" for="site_arcep">Site Arcep qui dessert la zone (une fois en service)</label><select class="fr-select" id="site_arcep" name="site_arcep"><option value="">— aucun —</option>${[...new Set([...(d.site_arcep ? [d.site_arcep] : []), ...near.map((x) => x.num_site)])].map((n) => html`<option value="${n}"${n === d.site_arcep ? raw(' selected') : ''}>${n}</option>`)}</select></div>
      <button class="fr-btn" type="submit">Enregistrer</button></form>`
          : ''
      }`,
    });
  });

  app.post(BASE, async (req, reply) => {
    const actor = signedIn(req);
    const orgDep = await orgDepartement(ctx.db, actor);
    authorize(req, can, 'creer', { departement: null, orgDepartement: orgDep });
    const p = CreateFormSchema.safeParse(req.body);
    if (!p.success)
      throw new AppError('REQUETE_INVALIDE', p.error.message, `Formulaire invalide : ${issuesText(p.error)}.`);
    const departement = actor.role === 'administrateur' ? p.data.departement : orgDep;
    if (!departement)
      throw new AppError('REQUETE_INVALIDE', 'departement', 'Formulaire invalide : département requis.');
    authorize(req, can, 'creer', { departement, orgDepartement: orgDep });
    const ops =
      p.data.operateurs === undefined ? [] : Array.isArray(p.data.operateurs) ? p.data.operateurs : [p.data.operateurs];
    const input: Q.DccInput = {
      cle: `saisie:${departement}:${p.data.nom_zone.toLowerCase()}`,
      departement,
      communes: p.data.communes.split(/[\s,]+/).filter(Boolean),
      nom_zone: p.data.nom_zone,
      operateurs: ops,
      operateur_leader: null,
      arrete_reference: p.data.arrete_reference || null,
      arrete_date: p.data.arrete_date,
      echeance: p.data.echeance ?? (p.data.arrete_date ? deadlineOf(p.data.arrete_date) : null),
      statut: p.data.arrete_date ? 'arrete' : 'identifie',
      statut_date: p.data.arrete_date,
      lon: null,
      lat: null,
    };
    const id = await ctx.db.transaction(async (tx) => {
      const saved = await Q.upsertDcc(tx, input);
      await Q.addHistory(tx, saved.id, input.statut, input.statut_date, actor.label);
      await audit(tx, actor, 'creation', { type: 'site_dcc', id: saved.id }, null, input);
      return saved.id;
    });
    return reply.redirect(`${BASE}/${id}`, 303);
  });

  app.post<{ Params: { id: string } }>(`${BASE}/:id/statut`, { schema: { params: IdParams } }, async (req, reply) => {
    const actor = signedIn(req);
    const id = Number(req.params.id);
    const d = await Q.dccById(ctx.db, id);
    if (!d) throw new AppError('INTROUVABLE', `dcc ${id}`);
    authorize(req, can, 'modifier', {
      departement: d.departement,
      orgDepartement: await orgDepartement(ctx.db, actor),
    });
    const p = StatusFormSchema.safeParse(req.body);
    if (!p.success)
      throw new AppError('REQUETE_INVALIDE', p.error.message, `Formulaire invalide : ${issuesText(p.error)}.`);
    await ctx.db.transaction(async (tx) => {
      await Q.setStatus(tx, id, p.data.statut, p.data.statut_date, p.data.site_arcep);
      await Q.addHistory(tx, id, p.data.statut, p.data.statut_date, actor.label);
      await audit(
        tx,
        actor,
        'modification',
        { type: 'site_dcc', id },
        { statut: d.statut, statut_date: d.statut_date, site_arcep: d.site_arcep },
        { statut: p.data.statut, statut_date: p.data.statut_date, site_arcep: p.data.site_arcep },
      );
    });
    return reply.redirect(`${BASE}/${id}`, 303);
  });
}
