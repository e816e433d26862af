import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDay, fmtInt, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { IdParams, issuesText, OptionalId } from '../http/schemas.ts';
import { getTerritory } from '../territories/service.ts';
import { claimBlock } from './claims.ts';
import { afterWrite, mayView, statusNotice } from './moderation.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';
import { ACTEUR_CATEGORIES, ActeurFormSchema, ActeursQuerySchema } from './schema.ts';
import { indexDoc } from './search.ts';

const OWNED_TYPE = 'acteur';
const LIST = { label: 'Annuaire des acteurs', href: '/ressources/acteurs' };
const notFound = (id: number) => new AppError('INTROUVABLE', `acteur ${id}`, 'Cet acteur n’existe pas (ou plus).');

async function indexActeur(q: Queryable, id: number, a: Q.ActeurInput, territoire: string | null) {
  await indexDoc(q, {
    type: 'acteur',
    id,
    titre: a.nom,
    corps: [a.description, a.competences, territoire].filter(Boolean).join('\n'),
    themes: a.themes,
    territoires: a.niveau && a.code_territoire ? [`${a.niveau}:${a.code_territoire}`] : [],
    url: `/ressources/acteurs/${id}`,
  });
}

function acteurForm(
  action: string,
  csrf: string,
  a: Partial<Q.ActeurInput> | undefined,
  themes: Q.ThemeRow[],
  owner?: { organisations: { id: number; nom: string }[]; current: number | null },
): Html {
  const input = (
    name: keyof Q.ActeurInput,
    label: string,
    hint = '',
    type = 'text',
  ) => html`<div class="fr-input-group">
    <label class="fr-label" for="acteur-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
    <input class="fr-input" type="${type}" id="acteur-${name}" name="${name}" value="${(a?.[name] as string | null | undefined) ?? ''}"${name === 'nom' ? raw(' required') : ''}></div>`;
  const area = (name: keyof Q.ActeurInput, label: string, hint = '') => html`<div class="fr-input-group">
    <label class="fr-label" for="acteur-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
    <textarea class="fr-input" id="acteur-${name}" name="${name}" rows="4">${(a?.[name] as string | null | undefined) ?? ''}</textarea></div>`;
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
    ${input('nom', 'Nom')}
    <div class="fr-select-group"><label class="fr-label" for="acteur-categorie">Type d’acteur</label>
    <select class="fr-select" id="acteur-categorie" name="categorie">${Object.entries(ACTEUR_CATEGORIES).map(([k, l]) => html`<option value="${k}"${a?.categorie === k ? raw(' selected') : ''}>${l}</option>`)}</select></div>
    <div class="fr-select-group"><label class="fr-label" for="acteur-niveau">Territoire : niveau</label>
    <select class="fr-select" id="acteur-niveau" name="niveau"><option value="">— non précisé —</option>${(['region', 'departement', 'epci', 'commune'] as const).map((n) => html`<option value="${n}"${a?.niveau === n ? raw(' selected') : ''}>${n}</option>`)}</select></div>
    ${input('code_territoire', 'Territoire : code', 'code INSEE (commune, département, région) ou SIREN (EPCI)')}
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Thèmes</legend>${themes.map((t) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="theme-${t.slug}" name="themes" value="${t.slug}"${a?.themes?.includes(t.slug) ? raw(' checked') : ''}><label class="fr-label" for="theme-${t.slug}">${t.libelle}</label></div></div>`)}</fieldset>
    ${area('competences', 'Compétences')}
    ${area('description', 'Description', 'texte brut : les balises HTML sont affichées telles quelles, jamais interprétées')}
    ${input('siret', 'SIRET', '14 chiffres, clé de contrôle vérifiée')}
    ${input('siren', 'SIREN', '9 chiffres, clé de contrôle vérifiée')}
    ${input('rna', 'Numéro RNA (associations)', 'W suivi de 9 caractères')}
    ${input('site', 'Site', 'adresse commençant par https://', 'url')}
    ${area('contact_public', 'Contact public', 'visible de tous')}
    ${
      owner
        ? html`<div class="fr-select-group"><label class="fr-label" for="acteur-organisation">Organisation propriétaire<span class="fr-hint-text">ses éditeurs peuvent modifier la fiche</span></label>
    <select class="fr-select" id="acteur-organisation" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${owner.organisations.map((o) => html`<option value="${o.id}"${owner.current === o.id ? raw(' selected') : ''}>${o.nom}</option>`)}</select></div>`
        : ''
    }
    <button class="fr-btn" type="submit">Enregistrer</button></form>`;
}

export function registerActorsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const ownerChoice = async (req: FastifyRequest, current: number | null) =>
    allowed(req, can, 'attribuer', { organisationId: current })
      ? { organisations: await listOrganisations(ctx.db), current }
      : undefined;

  app.get('/ressources/acteurs', { schema: { querystring: ActeursQuerySchema } }, async (req, reply) => {
    const { theme, categorie, page } = req.query;
    const themes = await Q.listThemes(ctx.db);
    const label = new Map(themes.map((t) => [t.slug, t.libelle]));
    let res = await Q.listActeurs(ctx.db, { theme, categorie }, 50, (page - 1) * 50);
    const pager = pagerOf(res.total, page, 50);
    if (!res.items.length && res.total) res = await Q.listActeurs(ctx.db, { theme, categorie }, 50, pager.offset);
    const mayCreate = allowed(req, can, 'creer', { organisationId: null });
    return ctx.render(req, reply, {
      title: 'Annuaire des acteurs',
      breadcrumb: [CRUMB, { label: LIST.label }],
      main: html`<h1 class="fr-mt-2w">Annuaire des acteurs du numérique</h1>
      <p>Collectivités, syndicats mixtes, GIP, opérateurs, associations, entreprises, laboratoires, tiers-lieux et écoles, par thème (les 11 ateliers thématiques de la SCORAN Bourgogne-Franche-Comté) et par territoire. Les fiches sont tenues par les organisations partenaires.</p>
      ${mayCreate ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/acteurs/nouveau">Ajouter un acteur</a></p>` : ''}
      <form method="get" action="/ressources/acteurs" class="fr-mb-3w"><div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="f-theme">Thème</label><select class="fr-select" id="f-theme" name="theme"><option value="">— tous —</option>${themes.map((t) => html`<option value="${t.slug}"${theme === t.slug ? raw(' selected') : ''}>${t.libelle}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="f-categorie">Type d’acteur</label><select class="fr-select" id="f-categorie" name="categorie"><option value="">— tous —</option>${Object.entries(ACTEUR_CATEGORIES).map(([k, l]) => html`<option value="${k}"${categorie === k ? raw(' selected') : ''}>${l}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-2"><button class="fr-btn fr-mt-4w" type="submit">Filtrer</button></div></div></form>
      ${
        res.items.length
          ? html`<div class="fr-table" id="acteurs"><table><caption>Acteurs — ${rangeLabel(pager, 'acteurs')}</caption>
      <thead><tr><th scope="col">Acteur</th><th scope="col">Type</th><th scope="col">Thèmes</th><th scope="col">Territoire</th></tr></thead>
      <tbody>${res.items.map((a) => html`<tr><td><a href="/ressources/acteurs/${a.id}">${a.nom}</a></td><td>${ACTEUR_CATEGORIES[a.categorie as keyof typeof ACTEUR_CATEGORIES] ?? a.categorie}</td><td>${a.themes.map((t) => label.get(t) ?? t).join(', ') || '—'}</td><td>${a.niveau ? `${a.niveau} ${a.code_territoire}` : '—'}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'acteurs'), 'liste des acteurs')}`
          : html`<p>Aucun acteur ne correspond à ces critères (${fmtInt(res.total)}).</p>`
      }`,
    });
  });

  app.get('/ressources/acteurs/nouveau', async (req, reply) => {
    const actor = authorize(req, can, 'creer', { organisationId: null });
    return ctx.render(req, reply, {
      title: 'Ajouter un acteur',
      breadcrumb: [CRUMB, LIST, { label: 'Ajouter' }],
      main: html`<h1 class="fr-mt-2w">Ajouter un acteur</h1>
      ${isAdmin(actor) ? '' : html`<p>La fiche appartiendra à votre organisation : ses éditeurs pourront la modifier.</p>`}
      ${acteurForm('/ressources/acteurs', req.csrfToken, undefined, await Q.listThemes(ctx.db), await ownerChoice(req, null))}`,
    });
  });

  app.get('/ressources/acteurs/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const a = await Q.acteurById(ctx.db, req.params.id);
    if (!a) throw notFound(req.params.id);
    const owner = await ownerOf(ctx.db, OWNED_TYPE, a.id);
    if (!mayView(req, a.moderation, owner?.organisationId ?? null)) throw notFound(a.id);
    const themes = new Map((await Q.listThemes(ctx.db)).map((t) => [t.slug, t.libelle]));
    let territoire: string | null = null;
    if (a.niveau && a.code_territoire)
      territoire =
        (await getTerritory(ctx.db, a.niveau as 'commune', a.code_territoire).catch(() => null))?.nom ??
        a.code_territoire;
    const row = (label: string, v: Html | string | null | undefined) =>
      v ? html`<tr><th scope="row">${label}</th><td>${v}</td></tr>` : '';
    return ctx.render(req, reply, {
      title: a.nom,
      breadcrumb: [CRUMB, LIST, { label: a.nom }],
      main: html`<h1 class="fr-mt-2w">${a.nom}</h1>${await statusNotice(ctx.db, 'acteur', a.id, a.moderation)}
      <p><span class="fr-badge">${ACTEUR_CATEGORIES[a.categorie as keyof typeof ACTEUR_CATEGORIES] ?? a.categorie}</span></p>
      ${a.description ? html`${a.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}` : ''}
      <div class="fr-table"><table><caption>Fiche</caption><tbody>
      ${row('Territoire', territoire ? `${territoire} (${a.niveau} ${a.code_territoire})` : null)}
      ${row('Thèmes', a.themes.map((t) => themes.get(t) ?? t).join(', '))}
      ${row('Compétences', a.competences)}
      ${row('SIRET', a.siret)}${row('SIREN', a.siren)}${row('RNA', a.rna)}
      ${row('Site', a.site ? html`<a href="${a.site}" rel="noopener external">${a.site}</a>` : null)}
      ${row('Contact', a.contact_public)}
      ${row('Fiche tenue par', owner?.nom ?? 'les administrateurs de la plateforme')}
      ${row('Mise à jour', fmtDay(a.modifie_le))}
      </tbody></table></div>
      ${allowed(req, can, 'modifier', { organisationId: owner?.organisationId ?? null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/acteurs/${a.id}/modifier">Modifier la fiche</a></p>` : ''}
      ${await claimBlock(ctx.db, req, a.id, owner?.organisationId ?? null)}`,
    });
  });

  app.get('/ressources/acteurs/:id/modifier', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const a = await Q.acteurById(ctx.db, req.params.id);
    if (!a) throw notFound(req.params.id);
    const current = (await ownerOf(ctx.db, OWNED_TYPE, a.id))?.organisationId ?? null;
    authorize(req, can, 'modifier', { organisationId: current });
    return ctx.render(req, reply, {
      title: `Modifier ${a.nom}`,
      breadcrumb: [CRUMB, LIST, { label: a.nom, href: `/ressources/acteurs/${a.id}` }, { label: 'Modifier' }],
      main: html`<h1 class="fr-mt-2w">Modifier « ${a.nom} »</h1>
      ${acteurForm(`/ressources/acteurs/${a.id}`, req.csrfToken, a, await Q.listThemes(ctx.db), await ownerChoice(req, current))}`,
    });
  });

  /** Signed in, then the record exists, then the policy, then the form: 401, 404, 403, 400 in that order. */
  const save = async (req: FastifyRequest, id: number | null): Promise<number> => {
    const actor = signedIn(req);
    if (id !== null && !(await Q.acteurById(ctx.db, id))) throw notFound(id);
    const current =
      id === null
        ? isAdmin(actor)
          ? null
          : actor.organisationId
        : ((await ownerOf(ctx.db, OWNED_TYPE, id))?.organisationId ?? null);
    authorize(req, can, id === null ? 'creer' : 'modifier', { organisationId: current });
    const p = ActeurFormSchema.safeParse(req.body);
    if (!p.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Formulaire invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    const { _csrf: _c, organisationId: orgField, ...f } = p.data;
    let newOwner = current;
    if (orgField !== undefined) {
      authorize(req, can, 'attribuer', { organisationId: current });
      const o = OptionalId.safeParse(orgField);
      if (!o.success) throw new AppError('REQUETE_INVALIDE', 'organisationId', `Organisation : ${issuesText(o.error)}`);
      newOwner = o.data;
    }
    const known = new Set((await Q.listThemes(ctx.db)).map((t) => t.slug));
    const badTheme = f.themes.find((t) => !known.has(t));
    if (badTheme)
      throw new AppError(
        'REQUETE_INVALIDE',
        `theme ${badTheme}`,
        `Thème inconnu « ${badTheme} ». Rien n’a été enregistré.`,
      );
    let territoire: string | null = null;
    let code: string | null = null;
    if (f.niveau && f.code_territoire) {
      try {
        const t = await getTerritory(ctx.db, f.niveau, f.code_territoire);
        territoire = t.nom;
        code = t.code;
      } catch (e) {
        if (e instanceof AppError && e.code === 'TERRITOIRE_INCONNU')
          throw new AppError('REQUETE_INVALIDE', e.detail, `${e.userMessage} Rien n’a été enregistré.`);
        throw e;
      }
    }
    const input: Q.ActeurInput = {
      nom: f.nom,
      categorie: f.categorie,
      niveau: f.niveau ?? null,
      code_territoire: code,
      themes: f.themes,
      competences: f.competences,
      description: f.description,
      siret: f.siret || null,
      siren: f.siren || (f.siret ? f.siret.slice(0, 9) : null),
      rna: f.rna || null,
      site: f.site || null,
      contact_public: f.contact_public,
    };
    return ctx.db.transaction(async (tx) => {
      if (id === null) {
        const newId = await Q.insertActeur(tx, input);
        await setOwner(tx, OWNED_TYPE, newId, newOwner);
        await indexActeur(tx, newId, input, territoire);
        const moderation = await afterWrite(tx, actor, 'acteur', newId, input.nom);
        await audit(tx, actor, 'creation', { type: OWNED_TYPE, id: newId }, null, {
          ...input,
          organisation_id: newOwner,
          moderation,
        });
        return newId;
      }
      const before = await Q.acteurById(tx, id);
      if (!before) throw notFound(id);
      await Q.updateActeur(tx, id, input);
      if (newOwner !== current) await setOwner(tx, OWNED_TYPE, id, newOwner);
      await indexActeur(tx, id, input, territoire);
      const moderation = await afterWrite(tx, actor, 'acteur', id, input.nom);
      const { modifie_le: _m, cree_le: _cr, ...b } = before;
      await audit(
        tx,
        actor,
        'modification',
        { type: OWNED_TYPE, id },
        { ...b, organisation_id: current },
        { ...input, organisation_id: newOwner, moderation },
      );
      return id;
    });
  };

  app.post('/ressources/acteurs', async (req, reply) => {
    const id = await save(req, null);
    return reply.redirect(`/ressources/acteurs/${id}`, 303);
  });
  app.post('/ressources/acteurs/:id', { schema: { params: IdParams } }, async (req, reply) => {
    await save(req, req.params.id);
    return reply.redirect(`/ressources/acteurs/${req.params.id}`, 303);
  });
}
