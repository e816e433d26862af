import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit, listAudit } from '../accounts/audit.ts';
import {
  createOrganisation,
  createUser,
  listAccounts,
  listOrganisations,
  NewUserSchema,
  ORGANISATION_TYPES,
  type OrganisationNiveau,
} from '../accounts/service.ts';
import type { AppModule } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDate, html } from '../http/html.ts';
import { authorize } from '../http/policy.ts';
import { CsrfField, IdParams, issuesText, OptionsJson, text } from '../http/schemas.ts';
import { notifyImports } from '../imports/notify.ts';
import { jobFolder } from '../imports/retention.ts';
import { cancelImport } from '../imports/runner.ts';
import { auditImportLaunch, checkScheduleSource } from '../imports/scheduler.ts';
import { deleteSchedule, insertSchedule, listSchedules } from '../imports/schedules.ts';
import { getRun, listRuns, openSuiteFailures } from '../imports/service.ts';
import type { Source } from '../imports/source.ts';
import { registerAccountStatusRoutes } from './account-routes.ts';
import { importsPersonalData } from './personal-data.ts';
import { can } from './policy.ts';
import { importForm, runDetail, runsTable, suiteFailures, userStatusButton } from './views.ts';

const HandoffSchema = z.object({
  job: text(60, 1),
  source: text(2000).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  force: z.boolean().optional(),
  startedBy: text(100, 1),
});
const UploadName = text(255, 1).refine((s) => s !== '.' && s !== '..', 'nom de fichier invalide');
const ImportFieldsSchema = z.object({
  job: text(60, 1, 'type de données requis'),
  url: text(2000).default(''),
  options: OptionsJson.default({}),
  fichier: UploadName.optional(),
});
const ScheduleSchema = z.object({
  ...CsrfField,
  job: text(60, 1, 'type de données requis'),
  // An http(s) URL or a file of IMPORT_DIR: checked by checkScheduleSource in the handler.
  source: text(2000, 1, 'source requise'),
  options: OptionsJson.default({}),
  heures: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, 'nombre d’heures entier attendu')
    .transform(Number)
    .pipe(z.number().min(1, '1 heure au moins').max(8784, '8784 heures (un an) au plus')),
});
const AdminHandoffSchema = z.object({
  email: text(200, 1),
  nom: text(120, 1),
  motDePasse: z.string().max(200),
  acteur: text(100, 1),
});
const OrganisationSchema = z.object({
  ...CsrfField,
  nom: text(200, 2, 'nom trop court'),
  type: z.enum(ORGANISATION_TYPES),
  territoire: text(12)
    .regex(/^[0-9A-Za-z]*$/, 'code INSEE ou SIREN attendu')
    .optional()
    .default(''),
});
const FlashQuery = z.object({ lance: text(60).optional() });

export const adminModule: AppModule = {
  name: 'admin',
  personalData: [importsPersonalData],
  register(fastify, ctx) {
    registerAccountStatusRoutes(fastify, ctx);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const adminCrumbs = (label: string) => [{ label: 'Administration', href: '/admin' }, { label }];

    app.get('/admin', async (req, reply) => {
      const actor = authorize(req, can, 'accueil', null);
      return ctx.render(req, reply, {
        title: 'Administration',
        breadcrumb: [{ label: 'Administration' }],
        main: html`<h1 class="fr-mt-2w">${actor.role === 'administrateur' ? 'Administration' : 'Espace éditeur'}</h1>
        <p>Connecté en tant que ${actor.nom} (${actor.label}), rôle ${actor.role}.</p>
        <p><a href="/compte/mot-de-passe">Changer mon mot de passe</a> · <a href="/compte/donnees.json">Télécharger mes données</a> (JSON) · <a href="/compte/effacement">Effacer mon compte</a></p>
        ${
          actor.role === 'administrateur'
            ? html`<ul>
          <li><a href="/admin/imports">Imports de données</a> : lancer un import, suivre les imports et leurs rejets, planifier.</li>
          <li><a href="/admin/utilisateurs">Utilisateurs et organisations</a></li>
          <li><a href="/admin/eligibilite/rip">Réseaux d’initiative publique</a> : réseau et contact de gros par commune (éligibilité).</li>
          <li><a href="/admin/journal">Journal des modifications</a></li></ul>`
            : html`<p>Vous modifiez ce que possède votre organisation :</p><ul>
          <li><a href="/admin/eligibilite/rip">Réseaux d’initiative publique</a> de votre organisation (éligibilité).</li>
          <li><a href="/observatoire/objectifs">Objectifs de couverture</a> de votre organisation (observatoire).</li></ul>`
        }`,
      });
    });

    app.get('/admin/imports', { schema: { querystring: FlashQuery } }, async (req, reply) => {
      authorize(req, can, 'importer', null);
      const [runs, schedules, failures] = [
        await listRuns(ctx.db, 100),
        await listSchedules(ctx.db),
        await openSuiteFailures(ctx.db),
      ];
      const flash = req.query.lance;
      const jobs = [...ctx.jobs.values()];
      return ctx.render(req, reply, {
        title: 'Imports de données',
        breadcrumb: adminCrumbs('Imports'),
        main: html`<h1 class="fr-mt-2w">Imports de données</h1>
        ${flash ? html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><h2 class="fr-alert__title">Import lancé</h2><p>L’import « ${flash} » est en cours ; actualisez la page pour suivre son avancement.</p></div>` : ''}
        ${suiteFailures(failures, req.csrfToken)}
        ${importForm(jobs, req.csrfToken)}
        ${runsTable(runs)}
        <h2>Imports planifiés</h2>
        ${
          schedules.length
            ? html`<div class="fr-table"><table><caption>Planification</caption><thead><tr><th scope="col">Import</th><th scope="col">Source</th><th scope="col">Tous les</th><th scope="col">Prochaine exécution</th><th scope="col">Action</th></tr></thead>
          <tbody>${schedules.map((s) => html`<tr><td>${s.job}</td><td class="pan-source">${s.source}</td><td>${s.intervalle_heures} h</td><td>${fmtDate(s.prochaine_execution)}</td><td><form method="post" action="/admin/planification/${s.id}/suppression"><input type="hidden" name="_csrf" value="${req.csrfToken}"><button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Supprimer</button></form></td></tr>`)}</tbody></table></div>`
            : html`<p>Aucun import planifié.</p>`
        }
        <form method="post" action="/admin/planification"><input type="hidden" name="_csrf" value="${req.csrfToken}">
          <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Planifier un import récurrent</legend>
          <div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="p-job">Type de données</label><select class="fr-select" id="p-job" name="job">${jobs.map((j) => html`<option value="${j.name}">${j.title}</option>`)}</select></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="p-source">Adresse (URL) ou fichier du dossier d’import <span class="fr-hint-text">Une adresse http(s), ou le nom d’un fichier du dossier d’import du serveur${ctx.config.importDir ? '' : ' (aucun n’est configuré : IMPORT_DIR)'}.</span></label><input class="fr-input" id="p-source" name="source" type="text" maxlength="2000" required></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="p-heures">Intervalle en heures</label><input class="fr-input" id="p-heures" name="heures" type="number" min="1" max="8784" value="168" required></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="p-options">Options (JSON, facultatif)</label><input class="fr-input" id="p-options" name="options" type="text"></div></div>
          </fieldset><button class="fr-btn fr-btn--secondary" type="submit">Planifier</button></form>`,
      });
    });

    app.post('/admin/imports', async (req, reply) => {
      const actor = authorize(req, can, 'importer', null);
      if (!req.isMultipart()) throw new AppError('REQUETE_INVALIDE', 'expected multipart');
      const fields: Record<string, string> = {};
      let upload: Source | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          // A name the run record could not store is refused before anything is written to disk.
          if (part.filename) fields.fichier = part.filename;
          if (part.filename && UploadName.safeParse(part.filename).success)
            upload = await saveUpload(
              part,
              jobFolder(ctx.config.uploadDir, ctx.jobs.has(fields.job ?? '') ? fields.job : undefined),
            );
          else part.file.resume();
        } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      }
      const f = ImportFieldsSchema.safeParse(fields);
      const refuse = async (e: AppError) => {
        if (upload) await fsp.rm(upload.path, { force: true });
        throw e;
      };
      if (!f.success)
        return refuse(new AppError('REQUETE_INVALIDE', f.error.message, `Import invalide : ${issuesText(f.error)}`));
      const { job, url, options } = f.data;
      if (!ctx.jobs.has(job)) return refuse(new AppError('JOB_INCONNU', job));
      if (!upload && url && !/^https?:\/\//i.test(url))
        throw new AppError('REQUETE_INVALIDE', `bad url ${url}`, 'L’adresse doit commencer par http:// ou https://.');
      if (!upload && !url && !ctx.jobs.get(job)?.defaultSource)
        throw new AppError('REQUETE_INVALIDE', 'no source', 'Indiquez une adresse (URL) ou téléversez un fichier.');
      await audit(ctx.db, actor, 'lancement-import', { type: 'import', id: job }, null, {
        job,
        source: upload?.origin ?? url,
        options,
      });
      void ctx
        .runImport({
          job,
          ...(upload ? { source: upload } : url ? { source: url } : {}),
          options,
          startedBy: actor.label,
        })
        .catch((e) => req.log.error({ err: e }, 'import crashed'));
      return reply.redirect(`/admin/imports?lance=${encodeURIComponent(job)}`, 303);
    });

    app.get('/admin/imports/:id', { schema: { params: IdParams } }, async (req, reply) => {
      authorize(req, can, 'importer', null);
      const run = await getRun(ctx.db, req.params.id);
      if (!run) throw new AppError('INTROUVABLE');
      const failures = await openSuiteFailures(ctx.db, run.id);
      return ctx.render(req, reply, {
        title: `Import n° ${run.id}`,
        breadcrumb: [
          { label: 'Administration', href: '/admin' },
          { label: 'Imports', href: '/admin/imports' },
          { label: `n° ${run.id}` },
        ],
        main: runDetail(run, req.csrfToken, failures),
      });
    });

    app.post('/admin/imports/:id/annulation', { schema: { params: IdParams } }, async (req, reply) => {
      const actor = authorize(req, can, 'importer', null);
      const run = await getRun(ctx.db, req.params.id);
      if (!run) throw new AppError('INTROUVABLE');
      if (await cancelImport(ctx.db, run.id, actor.label)) {
        await audit(
          ctx.db,
          actor,
          'annulation-import',
          { type: 'import_run', id: run.id },
          { status: run.status },
          { cancel_requested_by: actor.label },
        );
      }
      return reply.redirect(`/admin/imports/${run.id}`, 303);
    });

    // Follow-ups that failed after a committed import: run them again here, and ask the other
    // instances on the same database to do the same for theirs.
    app.post('/admin/imports/:id/suites', { schema: { params: IdParams } }, async (req, reply) => {
      const actor = authorize(req, can, 'importer', null);
      const run = await getRun(ctx.db, req.params.id);
      if (!run) throw new AppError('INTROUVABLE');
      await audit(ctx.db, actor, 'relance-suites-import', { type: 'import_run', id: run.id }, null, null);
      await ctx.retryFollowUps(run.id);
      if (ctx.db.kind === 'postgres')
        await notifyImports(ctx.db, { type: 'relance', run: run.id, instance: ctx.instance });
      return reply.redirect(`/admin/imports/${run.id}`, 303);
    });

    app.post('/admin/planification', async (req, reply) => {
      const actor = authorize(req, can, 'planifier', null);
      const p = ScheduleSchema.safeParse(req.body);
      if (!p.success)
        throw new AppError('REQUETE_INVALIDE', p.error.message, `Planification invalide : ${issuesText(p.error)}`);
      const job = ctx.jobs.get(p.data.job);
      if (!job) throw new AppError('JOB_INCONNU', p.data.job);
      checkScheduleSource(p.data.source, ctx.config);
      const opts = job.options.safeParse(p.data.options);
      if (!opts.success)
        throw new AppError(
          'REQUETE_INVALIDE',
          opts.error.message,
          `Options invalides pour ${job.name} : ${issuesText(opts.error)}`,
        );
      await ctx.db.transaction(async (tx) => {
        const s = await insertSchedule(tx, {
          job: p.data.job,
          source: p.data.source,
          options: p.data.options,
          hours: p.data.heures,
        });
        await audit(tx, actor, 'creation', { type: 'import_planification', id: s.id }, null, s);
      });
      return reply.redirect('/admin/imports', 303);
    });

    app.post('/admin/planification/:id/suppression', { schema: { params: IdParams } }, async (req, reply) => {
      const actor = authorize(req, can, 'planifier', null);
      const { id } = req.params;
      await ctx.db.transaction(async (tx) => {
        const s = await deleteSchedule(tx, id);
        if (!s) throw new AppError('INTROUVABLE', `schedule ${id}`, 'Cette planification n’existe pas (ou plus).');
        await audit(tx, actor, 'suppression', { type: 'import_planification', id }, s, null);
      });
      return reply.redirect('/admin/imports', 303);
    });

    app.get('/admin/journal', async (req, reply) => {
      authorize(req, can, 'consulter-journal', null);
      const rows = await listAudit(ctx.db, 300);
      return ctx.render(req, reply, {
        title: 'Journal des modifications',
        breadcrumb: adminCrumbs('Journal'),
        main: html`<h1 class="fr-mt-2w">Journal des modifications</h1>
        <div class="fr-table"><table><caption>300 dernières écritures</caption><thead><tr><th scope="col">Date</th><th scope="col">Qui</th><th scope="col">Action</th><th scope="col">Objet</th><th scope="col">Avant</th><th scope="col">Après</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr><td>${fmtDate(r.le)}</td><td>${r.acteur}</td><td>${r.action}</td><td>${r.objet_type} ${r.objet_id ?? ''}</td><td><code>${r.avant === null ? '' : JSON.stringify(r.avant).slice(0, 300)}</code></td><td><code>${r.apres === null ? '' : JSON.stringify(r.apres).slice(0, 300)}</code></td></tr>`)}</tbody></table></div>`,
      });
    });

    app.get('/admin/utilisateurs', async (req, reply) => {
      authorize(req, can, 'gerer-comptes', null);
      const [users, orgs] = [await listAccounts(ctx.db), await listOrganisations(ctx.db)];
      return ctx.render(req, reply, {
        title: 'Utilisateurs',
        breadcrumb: adminCrumbs('Utilisateurs'),
        main: html`<h1 class="fr-mt-2w">Utilisateurs et organisations</h1>
        <div class="fr-table"><table><caption>Comptes (${users.length})</caption><thead><tr><th scope="col">Nom</th><th scope="col">Adresse</th><th scope="col">Rôle</th><th scope="col">Organisation</th><th scope="col">Actif</th><th scope="col">Action</th></tr></thead>
        <tbody>${users.map((u) => html`<tr><td>${u.nom}</td><td>${u.email}</td><td>${u.role}</td><td>${u.organisation ?? '—'}</td><td>${u.actif ? 'oui' : 'non'}</td><td>${u.id === req.viewer?.id ? '—' : userStatusButton(u, req.csrfToken)}</td></tr>`)}</tbody></table></div>
        <form method="post" action="/admin/utilisateurs"><input type="hidden" name="_csrf" value="${req.csrfToken}">
          <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Créer un compte</legend>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="u-nom">Nom</label><input class="fr-input" id="u-nom" name="nom" required maxlength="120"></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="u-email">Adresse électronique</label><input class="fr-input" id="u-email" name="email" type="email" required></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="u-mdp">Mot de passe initial <span class="fr-hint-text">12 caractères au moins</span></label><input class="fr-input" id="u-mdp" name="motDePasse" type="password" minlength="12" required autocomplete="new-password"></div></div>
          <div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="u-role">Rôle</label><select class="fr-select" id="u-role" name="role"><option value="editeur">Éditeur (une organisation)</option><option value="administrateur">Administrateur (toute l’instance)</option></select></div></div>
          <div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="u-org">Organisation</label><select class="fr-select" id="u-org" name="organisationId"><option value="">— aucune (administrateur) —</option>${orgs.map((o) => html`<option value="${o.id}">${o.nom}</option>`)}</select></div></div>
          </fieldset><button class="fr-btn" type="submit">Créer le compte</button></form>
        <h2 class="fr-mt-4w">Organisations (${orgs.length})</h2>
        <ul>${orgs.map((o) => html`<li>${o.nom} — ${o.type}${o.territoire_code ? ` (${o.territoire_niveau} ${o.territoire_code})` : ''}</li>`)}</ul>
        <form method="post" action="/admin/organisations"><input type="hidden" name="_csrf" value="${req.csrfToken}">
          <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Ajouter une organisation</legend>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="o-nom">Nom</label><input class="fr-input" id="o-nom" name="nom" required></div></div>
          <div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="o-type">Type</label><select class="fr-select" id="o-type" name="type">${ORGANISATION_TYPES.map((t) => html`<option value="${t}">${t}</option>`)}</select></div></div>
          <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="o-terr">Territoire (code INSEE ou SIREN, facultatif)</label><input class="fr-input" id="o-terr" name="territoire"></div></div>
          </fieldset><button class="fr-btn fr-btn--secondary" type="submit">Ajouter</button></form>`,
      });
    });

    app.post('/admin/utilisateurs', async (req, reply) => {
      const actor = authorize(req, can, 'gerer-comptes', null);
      const p = NewUserSchema.safeParse(req.body);
      if (!p.success)
        throw new AppError('REQUETE_INVALIDE', p.error.message, `Compte non créé : ${issuesText(p.error)}`);
      await createUser(ctx.db, actor, p.data);
      return reply.redirect('/admin/utilisateurs', 303);
    });

    app.post('/admin/organisations', async (req, reply) => {
      const actor = authorize(req, can, 'gerer-organisations', null);
      const p = OrganisationSchema.safeParse(req.body);
      if (!p.success)
        throw new AppError('REQUETE_INVALIDE', p.error.message, `Organisation non créée : ${issuesText(p.error)}`);
      const code = p.data.territoire.toUpperCase();
      const niveau: OrganisationNiveau | null = !code
        ? null
        : /^\d{9}$/.test(code)
          ? 'epci'
          : code.length === 5
            ? 'commune'
            : p.data.type === 'region'
              ? 'region'
              : 'departement';
      await createOrganisation(ctx.db, actor, {
        nom: p.data.nom,
        type: p.data.type,
        territoireNiveau: niveau,
        territoireCode: code || null,
      });
      return reply.redirect('/admin/utilisateurs', 303);
    });

    // Local hand-off: the CLI gives its job to the server that holds the embedded database.
    const checkInternal = (req: {
      headers: { authorization?: string | undefined };
      socket: { remoteAddress?: string | undefined };
    }) => {
      const auth = req.headers.authorization ?? '';
      const expected = ctx.internalToken ? `Bearer ${ctx.internalToken}` : '';
      const ok =
        expected && auth.length === expected.length && crypto.timingSafeEqual(Buffer.from(auth), Buffer.from(expected));
      if (!ok || !['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? ''))
        throw new AppError('INTERDIT', 'bad internal token');
    };
    app.post('/interne/imports', { schema: { hide: true } }, async (req) => {
      checkInternal(req);
      const p = HandoffSchema.parse(req.body);
      if (ctx.jobs.has(p.job)) await auditImportLaunch(ctx.db, p.startedBy, p);
      return ctx.runImport({
        job: p.job,
        ...(p.source ? { source: p.source } : {}),
        options: p.options,
        force: p.force ?? false,
        startedBy: p.startedBy,
      });
    });

    // Same hand-off for `creer-admin`: the CLI cannot open the embedded database the server holds.
    app.post('/interne/administrateurs', { schema: { hide: true } }, async (req) => {
      checkInternal(req);
      const p = AdminHandoffSchema.parse(req.body);
      const input = NewUserSchema.safeParse({
        email: p.email,
        nom: p.nom,
        motDePasse: p.motDePasse,
        role: 'administrateur',
        organisationId: null,
      });
      if (!input.success)
        throw new AppError(
          'REQUETE_INVALIDE',
          input.error.message,
          `Compte invalide : ${input.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}`,
        );
      const id = await createUser(ctx.db, { id: null, label: p.acteur }, input.data);
      return { id, email: input.data.email };
    });
  },
};

/** Streams an upload to disk; the size limit applies while streaming, never after buffering. */
async function saveUpload(part: MultipartFile, dir: string): Promise<Source> {
  await fsp.mkdir(dir, { recursive: true });
  const name = part.filename.replace(/[^\w.-]/g, '_').slice(-120);
  const dest = path.join(dir, `${Date.now()}-${crypto.randomBytes(3).toString('hex')}-${name}`);
  const h = crypto.createHash('sha256');
  let size = 0;
  part.file.on('data', (c: Buffer) => {
    size += c.length;
    h.update(c);
  });
  try {
    await pipeline(part.file, fs.createWriteStream(dest));
  } catch (e) {
    await fsp.rm(dest, { force: true });
    throw e;
  }
  if (part.file.truncated) {
    await fsp.rm(dest, { force: true });
    throw new AppError('FICHIER_TROP_GROS', `upload ${name} over limit`);
  }
  return { origin: `téléversement : ${part.filename}`, path: dest, name: part.filename, sha256: h.digest('hex'), size };
}
