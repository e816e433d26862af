import fs from 'node:fs';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDay, fmtInt, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { type Actor, allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { IdParams, issuesText, OptionalId } from '../http/schemas.ts';
import { mayReadDocument } from './groups.ts';
import { ACCEPTED_EXTENSIONS, libraryFilePath, type StoredFile, storeLibraryFile } from './library-file.ts';
import * as L from './library-queries.ts';
import { afterWrite, mayView, statusNotice } from './moderation.ts';
import type { Visibility } from './moderation-queries.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';
import { LibraryFormSchema, LibraryQuerySchema, VersionFormSchema, VersionParams } from './schema.ts';
import { indexDoc } from './search.ts';
import { GENRES_RESSOURCE, LICENCES_RESSOURCE } from './vocab.ts';

const OWNED_TYPE = 'ressource';
const LIST = { label: 'Bibliothèque', href: '/ressources/bibliotheque' };
const notFound = (id: number) =>
  new AppError('INTROUVABLE', `ressource ${id}`, 'Cette ressource n’existe pas (ou plus).');
const genreLabel = (g: string) => GENRES_RESSOURCE[g as keyof typeof GENRES_RESSOURCE] ?? g;
const licenceOf = (l: string) => LICENCES_RESSOURCE[l as keyof typeof LICENCES_RESSOURCE];
const size = (n: number) =>
  n < 1024 * 1024
    ? `${fmtInt(Math.max(1, Math.round(n / 1024)))} Ko`
    : `${(n / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;

/**
 * Reads a multipart form whose file comes last (the forms put it last): the fields are validated before
 * a byte of the file is stored, so a bad form leaves nothing on disk.
 */
async function readForm<T extends z.ZodType>(
  req: FastifyRequest,
  ctx: AppContext,
  schema: T,
): Promise<{ fields: z.infer<T>; file: StoredFile }> {
  if (!req.isMultipart())
    throw new AppError('REQUETE_INVALIDE', 'expected multipart', 'Formulaire invalide : joignez un fichier.');
  const raw: Record<string, string | string[]> = {};
  let fields: z.infer<T> | undefined;
  let file: StoredFile | undefined;
  for await (const part of req.parts({ limits: { fileSize: ctx.config.libraryMaxBytes + 1, files: 1 } })) {
    if (part.type !== 'file') {
      const v = String(part.value);
      const prev = raw[part.fieldname];
      raw[part.fieldname] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
      continue;
    }
    const f = part as MultipartFile;
    const p = schema.safeParse(raw);
    if (!p.success) {
      f.file.resume();
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Formulaire invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    }
    fields = p.data;
    if (!f.filename) {
      f.file.resume();
      continue;
    }
    file = await storeLibraryFile(f.file, f.filename, ctx.config.libraryDir, ctx.config.libraryMaxBytes);
  }
  if (!fields || !file)
    throw new AppError(
      'REQUETE_INVALIDE',
      'no file',
      'Formulaire invalide : joignez un fichier. Rien n’a été enregistré.',
    );
  return { fields, file };
}

async function indexResource(q: Parameters<typeof indexDoc>[0], id: number, r: L.LibraryInput) {
  await indexDoc(q, {
    type: 'ressource',
    id,
    titre: r.titre,
    corps: [genreLabel(r.genre), r.auteurs, r.description].filter(Boolean).join('\n'),
    themes: r.themes,
    url: `/ressources/bibliotheque/${id}`,
  });
}

const fileInput = () =>
  html`<div class="fr-upload-group fr-mb-2w"><label class="fr-label" for="b-fichier">Fichier<span class="fr-hint-text">Formats : ${ACCEPTED_EXTENSIONS.map((e) => `.${e}`).join(', ')}. Le contenu doit correspondre à l’extension.</span></label><input class="fr-upload" type="file" id="b-fichier" name="fichier" required accept="${ACCEPTED_EXTENSIONS.map((e) => `.${e}`).join(',')}"></div>`;

export function registerLibraryRoutes(fastify: FastifyInstance, ctx: AppContext) {
  /** Published (or its owners), and not reserved to a working group (or a member, owner or administrator). */
  const readable = async (req: FastifyRequest, id: number, v: Visibility, owner: number | null) =>
    mayView(req, v, owner) &&
    (allowed(req, can, 'modifier', { organisationId: owner }) || (await mayReadDocument(ctx.db, req, id)));
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const maxMb = Math.round(ctx.config.libraryMaxBytes / 1024 / 1024);

  app.get('/ressources/bibliotheque', { schema: { querystring: LibraryQuerySchema } }, async (req, reply) => {
    const { genre, theme, page } = req.query;
    const themes = await Q.listThemes(ctx.db);
    let res = await L.listLibrary(ctx.db, { genre, theme }, 50, (page - 1) * 50);
    const pager = pagerOf(res.total, page, 50);
    if (!res.items.length && res.total) res = await L.listLibrary(ctx.db, { genre, theme }, 50, pager.offset);
    return ctx.render(req, reply, {
      title: 'Bibliothèque de ressources',
      breadcrumb: [CRUMB, { label: LIST.label }],
      main: html`<h1 class="fr-mt-2w">Bibliothèque de ressources</h1>
      <p>Guides, méthodes, modèles de marchés publics (CCTP, CCAP) et de conventions, études : partagés par les organisations partenaires, chacun avec sa licence et ses versions.</p>
      ${allowed(req, can, 'creer', { organisationId: null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/bibliotheque/nouvelle">Partager une ressource</a></p>` : ''}
      <form method="get" action="/ressources/bibliotheque" class="fr-mb-3w"><div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="f-genre">Type de document</label><select class="fr-select" id="f-genre" name="genre"><option value="">— tous —</option>${Object.entries(GENRES_RESSOURCE).map(([k, l]) => html`<option value="${k}"${genre === k ? raw(' selected') : ''}>${l}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="f-theme">Thème</label><select class="fr-select" id="f-theme" name="theme"><option value="">— tous —</option>${themes.map((t) => html`<option value="${t.slug}"${theme === t.slug ? raw(' selected') : ''}>${t.libelle}</option>`)}</select></div></div>
        <div class="fr-col-12 fr-col-md-2"><button class="fr-btn fr-mt-4w" type="submit">Filtrer</button></div></div></form>
      ${
        res.items.length
          ? html`<div class="fr-table" id="ressources"><table><caption>Ressources — ${rangeLabel(pager, 'ressources')}</caption>
      <thead><tr><th scope="col">Ressource</th><th scope="col">Type</th><th scope="col">Licence</th><th scope="col" class="pan-num">Versions</th><th scope="col" class="pan-num">Téléchargements</th><th scope="col">Mise à jour</th></tr></thead>
      <tbody>${res.items.map((r) => html`<tr><td><a href="/ressources/bibliotheque/${r.id}">${r.titre}</a></td><td>${genreLabel(r.genre)}</td><td>${licenceOf(r.licence)?.libelle ?? r.licence}</td><td class="pan-num">${fmtInt(r.versions)}</td><td class="pan-num">${fmtInt(r.telechargements)}</td><td>${fmtDay(r.modifie_le)}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'ressources'), 'liste des ressources')}`
          : html`<p>Aucune ressource ne correspond à ces critères.</p>`
      }`,
    });
  });

  app.get('/ressources/bibliotheque/nouvelle', async (req, reply) => {
    const actor = authorize(req, can, 'creer', { organisationId: null });
    const themes = await Q.listThemes(ctx.db);
    const orgs = isAdmin(actor) ? await listOrganisations(ctx.db) : null;
    return ctx.render(req, reply, {
      title: 'Partager une ressource',
      breadcrumb: [CRUMB, LIST, { label: 'Partager' }],
      main: html`<h1 class="fr-mt-2w">Partager une ressource</h1>
      ${orgs ? '' : html`<p>La ressource appartiendra à votre organisation : ses éditeurs pourront en déposer de nouvelles versions.</p>`}
      <form method="post" action="/ressources/bibliotheque?_csrf=${encodeURIComponent(req.csrfToken)}" enctype="multipart/form-data">
      <div class="fr-input-group"><label class="fr-label" for="b-titre">Titre</label><input class="fr-input" id="b-titre" name="titre" required maxlength="300"></div>
      <div class="fr-select-group"><label class="fr-label" for="b-genre">Type de document</label><select class="fr-select" id="b-genre" name="genre">${Object.entries(GENRES_RESSOURCE).map(([k, l]) => html`<option value="${k}">${l}</option>`)}</select></div>
      <div class="fr-select-group"><label class="fr-label" for="b-licence">Licence</label><select class="fr-select" id="b-licence" name="licence">${Object.entries(LICENCES_RESSOURCE).map(([k, l]) => html`<option value="${k}">${l.libelle}</option>`)}</select></div>
      <div class="fr-input-group"><label class="fr-label" for="b-auteurs">Auteurs</label><input class="fr-input" id="b-auteurs" name="auteurs" maxlength="500"></div>
      <div class="fr-input-group"><label class="fr-label" for="b-description">Description<span class="fr-hint-text">texte brut</span></label><textarea class="fr-input" id="b-description" name="description" rows="4"></textarea></div>
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Thèmes</legend>${themes.map((t) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="theme-${t.slug}" name="themes" value="${t.slug}"><label class="fr-label" for="theme-${t.slug}">${t.libelle}</label></div></div>`)}</fieldset>
      ${orgs ? html`<div class="fr-select-group"><label class="fr-label" for="b-organisation">Organisation propriétaire</label><select class="fr-select" id="b-organisation" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${orgs.map((o) => html`<option value="${o.id}">${o.nom}</option>`)}</select></div>` : ''}
      ${fileInput()}
      <p class="fr-text--sm">${maxMb} Mo au plus.</p>
      <button class="fr-btn" type="submit">Partager</button></form>`,
    });
  });

  app.post('/ressources/bibliotheque', async (req, reply) => {
    const actor = authorize(req, can, 'creer', { organisationId: null });
    const { fields, file } = await readForm(req, ctx, LibraryFormSchema);
    const { _csrf: _c, organisationId: orgField, note, ...input } = fields;
    let owner = isAdmin(actor) ? null : actor.organisationId;
    if (orgField !== undefined) {
      authorize(req, can, 'attribuer', { organisationId: null });
      const o = OptionalId.safeParse(orgField);
      if (!o.success) throw new AppError('REQUETE_INVALIDE', 'organisationId', `Organisation : ${issuesText(o.error)}`);
      owner = o.data;
    }
    const known = new Set((await Q.listThemes(ctx.db)).map((t) => t.slug));
    const badTheme = input.themes.find((t) => !known.has(t));
    if (badTheme)
      throw new AppError(
        'REQUETE_INVALIDE',
        `theme ${badTheme}`,
        `Thème inconnu « ${badTheme} ». Rien n’a été enregistré.`,
      );
    const id = await ctx.db.transaction(async (tx) => {
      const id = await L.insertLibrary(tx, input);
      await setOwner(tx, OWNED_TYPE, id, owner);
      await L.insertVersion(tx, { ressource_id: id, ...file, note, auteur: author(actor) });
      await indexResource(tx, id, input);
      const moderation = await afterWrite(tx, actor, 'ressource', id, input.titre);
      await audit(tx, actor, 'creation', { type: OWNED_TYPE, id }, null, {
        ...input,
        ...file,
        organisation_id: owner,
        moderation,
      });
      return id;
    });
    return reply.redirect(`/ressources/bibliotheque/${id}`, 303);
  });

  app.get('/ressources/bibliotheque/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const r = await L.libraryById(ctx.db, req.params.id);
    if (!r) throw notFound(req.params.id);
    const [versions, owner, themes] = await Promise.all([
      L.versionsOf(ctx.db, r.id),
      ownerOf(ctx.db, OWNED_TYPE, r.id),
      Q.listThemes(ctx.db),
    ]);
    if (!(await readable(req, r.id, r.moderation, owner?.organisationId ?? null))) throw notFound(r.id);
    const label = new Map(themes.map((t) => [t.slug, t.libelle]));
    const lic = licenceOf(r.licence);
    const last = versions[0];
    const mayAdd = allowed(req, can, 'modifier', { organisationId: owner?.organisationId ?? null });
    return ctx.render(req, reply, {
      title: r.titre,
      breadcrumb: [CRUMB, LIST, { label: r.titre }],
      main: html`<h1 class="fr-mt-2w">${r.titre}</h1>${await statusNotice(ctx.db, 'ressource', r.id, r.moderation)}
      <p><span class="fr-badge">${genreLabel(r.genre)}</span></p>
      ${r.description ? html`${r.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}` : ''}
      ${last ? html`<p><a class="fr-link fr-link--download" download href="/ressources/bibliotheque/${r.id}/versions/${last.numero}/fichier">Télécharger la version ${last.numero}<span class="fr-link__detail">${last.nom_fichier} — ${size(last.taille)}</span></a></p>` : ''}
      <div class="fr-table"><table><caption>Fiche</caption><tbody>
      <tr><th scope="row">Licence</th><td>${lic?.url ? html`<a href="${lic.url}" rel="noopener external">${lic.libelle}</a>` : (lic?.libelle ?? r.licence)}</td></tr>
      ${r.auteurs ? html`<tr><th scope="row">Auteurs</th><td>${r.auteurs}</td></tr>` : ''}
      ${r.themes.length ? html`<tr><th scope="row">Thèmes</th><td>${r.themes.map((t) => label.get(t) ?? t).join(', ')}</td></tr>` : ''}
      <tr><th scope="row">Partagée par</th><td>${owner?.nom ?? 'les administrateurs de la plateforme'}</td></tr>
      <tr><th scope="row">Téléchargements</th><td>${fmtInt(r.telechargements)} (toutes versions)</td></tr>
      </tbody></table></div>
      <h2>Versions</h2>
      <div class="fr-table"><table><caption>Versions de « ${r.titre} » (la plus récente d’abord)</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Fichier</th><th scope="col">Déposée le</th><th scope="col">Par</th><th scope="col">Note</th><th scope="col" class="pan-num">Téléchargements</th></tr></thead>
      <tbody>${versions.map((v) => html`<tr><td>${v.numero}</td><td><a download href="/ressources/bibliotheque/${r.id}/versions/${v.numero}/fichier">${v.nom_fichier}</a> (${size(v.taille)})</td><td>${fmtDay(v.ajoute_le)}</td><td>${v.auteur}</td><td>${v.note || '—'}</td><td class="pan-num">${fmtInt(v.telechargements)}</td></tr>`)}</tbody></table></div>
      ${
        mayAdd
          ? html`<h2>Déposer une nouvelle version</h2>
      <p>Les versions précédentes restent disponibles.</p>
      <form method="post" action="/ressources/bibliotheque/${r.id}/versions?_csrf=${encodeURIComponent(req.csrfToken)}" enctype="multipart/form-data">
      <div class="fr-input-group"><label class="fr-label" for="v-note">Ce qui change</label><input class="fr-input" id="v-note" name="note" maxlength="1000"></div>
      ${fileInput()}
      <button class="fr-btn fr-btn--secondary" type="submit">Déposer la version</button></form>`
          : ''
      }`,
    });
  });

  app.post('/ressources/bibliotheque/:id/versions', { schema: { params: IdParams } }, async (req, reply) => {
    const actor = signedIn(req);
    const r = await L.libraryById(ctx.db, req.params.id);
    if (!r) throw notFound(req.params.id);
    const current = (await ownerOf(ctx.db, OWNED_TYPE, r.id))?.organisationId ?? null;
    authorize(req, can, 'modifier', { organisationId: current });
    const { fields, file } = await readForm(req, ctx, VersionFormSchema);
    await ctx.db.transaction(async (tx) => {
      const numero = await L.insertVersion(tx, {
        ressource_id: r.id,
        ...file,
        note: fields.note,
        auteur: author(actor),
      });
      const moderation = await afterWrite(tx, actor, 'ressource', r.id, r.titre);
      await audit(tx, actor, 'nouvelle-version', { type: OWNED_TYPE, id: r.id }, null, { numero, ...file, moderation });
    });
    return reply.redirect(`/ressources/bibliotheque/${r.id}`, 303);
  });

  app.get(
    '/ressources/bibliotheque/:id/versions/:numero/fichier',
    { schema: { params: VersionParams } },
    async (req, reply) => {
      const r = await L.libraryById(ctx.db, req.params.id);
      const owner = r ? ((await ownerOf(ctx.db, OWNED_TYPE, r.id))?.organisationId ?? null) : null;
      if (!r || !(await readable(req, r.id, r.moderation, owner))) throw notFound(req.params.id);
      const v = await L.countDownload(ctx.db, req.params.id, req.params.numero);
      if (!v)
        throw new AppError(
          'INTROUVABLE',
          `version ${req.params.id}/${req.params.numero}`,
          'Cette version n’existe pas.',
        );
      const file = libraryFilePath(ctx.config.libraryDir, v.sha256);
      const stream = fs.createReadStream(file);
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', () =>
          reject(
            new AppError(
              'INTROUVABLE',
              `missing library file ${v.sha256}`,
              'Le fichier de cette version est introuvable sur le serveur.',
            ),
          ),
        );
      });
      // Always a download, never rendered by the browser in the platform's origin.
      return reply
        .type(v.type_contenu)
        .header(
          'content-disposition',
          `attachment; filename="${asciiName(v.nom_fichier)}"; filename*=UTF-8''${encodeURIComponent(v.nom_fichier)}`,
        )
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('content-length', String(v.taille))
        .send(stream);
    },
  );
}

const author = (a: Actor) => a.nom || a.label;
const asciiName = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\]/g, '_') || 'fichier';
