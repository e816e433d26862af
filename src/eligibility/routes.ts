import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, ownersOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import { addressExamples, addressHintOf } from '../addresses/examples.ts';
import { addressSearchAssets, addressSearchField } from '../addresses/views.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { fmtDate, fmtInt, fmtPct, html } from '../http/html.ts';
import { PageNumberSchema, pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { IdParams, issuesText } from '../http/schemas.ts';
import { runStatusLabel } from '../imports/labels.ts';
import { ErrorSchema } from '../territories/api.ts';
import { regionExamples } from '../territories/examples.ts';
import { METHOD_LABEL, METHODS } from './matching.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import {
  AdresseParamsSchema,
  EligibiliteQuerySchema,
  EligibiliteSchema,
  RipFormSchema,
  RipSavedQuery,
} from './schema.ts';
import { clearCommuneCache, eligibilityOf } from './service.ts';
import { eligibilityPage } from './views.ts';

const HEAD = html`<link rel="stylesheet" href="/static/eligibilite.css"><link rel="stylesheet" href="/static/dsfr/dsfr.print.min.css" media="print">`;
const CRUMB = { label: 'Éligibilité', href: '/eligibilite' };

function absoluteUrl(req: FastifyRequest, path: string): string {
  return `${req.protocol}://${req.host}${path}`;
}

export function registerEligibilityApi(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/eligibilite',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['éligibilité'],
        summary: 'Ce qui est disponible à une adresse',
        description:
          'Technologies avec débits maximaux et opérateurs, statut et date prévue de la fibre, nombre de locaux, offres de repli subventionnées (satellite, 4G fixe, THD radio) et réseau d’initiative publique. `precision` vaut `adresse` quand des immeubles des fichiers de l’ARCEP sont rapprochés de l’adresse, `commune` sinon : seules les statistiques de la commune sont alors données, jamais présentées comme la réponse de l’adresse.',
        querystring: EligibiliteQuerySchema,
        response: { 200: EligibiliteSchema, 400: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req) => eligibilityOf(ctx.db, req.query.adresse_id),
  );
}

export function registerEligibilityPages(app: FastifyInstance, ctx: AppContext) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/eligibilite', async (req, reply) => {
    const counts = (
      await ctx.db.query<{ mci: number; fibre: number; offres: number; communes: number }>(
        `SELECT (SELECT count(*)::int FROM mci_immeuble) AS mci, (SELECT count(*)::int FROM fibre_immeuble) AS fibre,
              (SELECT count(DISTINCT departement)::int FROM offre_repli) AS offres,
              (SELECT count(DISTINCT code_insee)::int FROM (SELECT code_insee FROM mci_immeuble UNION SELECT code_insee FROM fibre_immeuble) x) AS communes`,
      )
    ).rows[0]!;
    return ctx.render(req, reply, {
      title: 'Éligibilité à l’adresse',
      breadcrumb: [{ label: 'Éligibilité' }],
      head: html`${HEAD}${addressSearchAssets.head}`,
      scripts: addressSearchAssets.scripts,
      main: html`<h1 class="fr-mt-2w">Éligibilité à l’adresse</h1>
      <p class="fr-text--lead">Que peut-on avoir à cette adresse ? Saisissez une adresse pour connaître les technologies disponibles (fibre, câble, DSL, THD radio, 4G fixe, satellite), les débits maximaux et les opérateurs, le statut et la date prévue de la fibre, et les offres de repli aidées par l’État quand aucun accès filaire à très haut débit n’existe.</p>
      ${addressSearchField({ id: 'eligibilite-adresse', label: 'Votre adresse', hint: addressHintOf(await addressExamples(ctx, await regionExamples(ctx))) })}
      <h2>D’où viennent les réponses ?</h2>
      <ul>
        <li>Les immeubles, technologies, débits et opérateurs viennent de <strong>Ma connexion internet</strong> (ARCEP), rapprochés des adresses de la Base Adresse Nationale.</li>
        <li>Le statut de la fibre (cible, signé, en cours de déploiement, raccordable sur demande, déployé) et la date prévue viennent de la <strong>carte fibre</strong> de l’ARCEP.</li>
        <li>Les offres de repli sont celles des partenaires du programme <strong>France Très Haut Débit</strong> (ANCT) dans le département.</li>
        <li>Quand aucune donnée à l’immeuble n’a été importée pour une commune, la page le dit et montre seulement les chiffres de la commune.</li>
      </ul>
      <p>Données actuellement chargées : ${fmtInt(counts.mci)} immeubles Ma connexion internet et ${fmtInt(counts.fibre)} immeubles de la carte fibre dans ${fmtInt(counts.communes)} communes ; offres de repli pour ${fmtInt(counts.offres)} départements. <a href="/eligibilite/donnees">Détail des données et taux de rapprochement</a>.</p>
      <p>Pour les développeurs : <a href="/api/docs">API</a> <code>GET /api/v1/eligibilite?adresse_id=…</code>.</p>`,
    });
  });

  r.get('/eligibilite/adresse/:id', { schema: { params: AdresseParamsSchema } }, async (req, reply) => {
    const e = await eligibilityOf(ctx.db, req.params.id);
    return ctx.render(req, reply, {
      title: `Éligibilité — ${e.adresse.label}`,
      breadcrumb: [CRUMB, { label: e.adresse.label }],
      head: html`${HEAD}${addressSearchAssets.head}`,
      scripts: ['/static/eligibilite.js', ...addressSearchAssets.scripts],
      main: html`${eligibilityPage(e, absoluteUrl(req, e.url))}
      <div class="pan-no-print"><h2>Une autre adresse ?</h2>${addressSearchField({ id: 'autre-adresse', label: 'Adresse' })}</div>`,
    });
  });

  r.get('/eligibilite/adresse/:id/impression', { schema: { params: AdresseParamsSchema } }, async (req, reply) => {
    const e = await eligibilityOf(ctx.db, req.params.id);
    return ctx.render(req, reply, {
      title: `Éligibilité — ${e.adresse.label} (version imprimable)`,
      breadcrumb: [CRUMB, { label: e.adresse.label, href: e.url }, { label: 'Version imprimable' }],
      head: html`${HEAD}<link rel="stylesheet" href="/static/eligibilite-impression.css">`,
      scripts: ['/static/eligibilite.js'],
      main: html`<p class="fr-text--sm">Édité le ${fmtDate(new Date())} depuis ${absoluteUrl(req, e.url)}</p>${eligibilityPage(e, absoluteUrl(req, e.url))}`,
    });
  });

  r.get(
    '/eligibilite/donnees',
    { schema: { querystring: z.object({ page: PageNumberSchema }) } },
    async (req, reply) => {
      const stats = await Q.matchStats(ctx.db);
      const PER_PAGE = 100;
      let byCommune = await Q.matchStatsByCommune(ctx.db, PER_PAGE, (req.query.page - 1) * PER_PAGE);
      // A page past the end (stale link): the last page. The total comes with any row, so ask page 1 when none came back.
      const total =
        byCommune[0]?.total ?? (req.query.page > 1 ? ((await Q.matchStatsByCommune(ctx.db, 1, 0))[0]?.total ?? 0) : 0);
      const pager = pagerOf(total, req.query.page, PER_PAGE);
      if (!byCommune.length && total) byCommune = await Q.matchStatsByCommune(ctx.db, PER_PAGE, pager.offset);
      const runs = await Q.lastRuns(ctx.db, [
        'mci-immeubles',
        'mci-eligibilite',
        'mci-operateurs',
        'fibre-immeubles',
        'offres-repli',
      ]);
      const table = (source: 'mci' | 'fibre', title: string) => {
        const rows = stats.filter((s) => s.source === source);
        const total = rows.reduce((s, x) => s + x.immeubles, 0);
        if (!total) return html`<p>${title} : aucun immeuble importé.</p>`;
        const matched = total - (rows.find((x) => x.appariement === 'aucun')?.immeubles ?? 0);
        return html`<div class="fr-table"><table><caption>${title} : ${fmtInt(matched)} immeubles sur ${fmtInt(total)} rapprochés d’une adresse (${fmtPct(matched / total)})</caption>
        <thead><tr><th scope="col">Méthode de rapprochement</th><th scope="col" class="pan-num">Immeubles</th><th scope="col" class="pan-num">Part</th><th scope="col" class="pan-num">Distance médiane</th></tr></thead>
        <tbody>${METHODS.map((m) => rows.find((x) => x.appariement === m))
          .filter((x) => x)
          .map(
            (x) =>
              html`<tr><td>${METHOD_LABEL[x!.appariement]}</td><td class="pan-num">${fmtInt(x!.immeubles)}</td><td class="pan-num">${fmtPct(x!.immeubles / total)}</td><td class="pan-num">${x!.distance_mediane !== null ? `${fmtInt(x!.distance_mediane)} m` : '—'}</td></tr>`,
          )}</tbody></table></div>`;
      };
      return ctx.render(req, reply, {
        title: 'Données de l’éligibilité',
        breadcrumb: [CRUMB, { label: 'Données' }],
        head: HEAD,
        main: html`<h1 class="fr-mt-2w">Données de l’éligibilité et rapprochement aux adresses</h1>
      <p>Les immeubles des fichiers de l’ARCEP sont rapprochés des adresses dans cet ordre : clé d’interopérabilité de la BAN quand le fichier la donne (<code>addr_code</code>) ; code immeuble commun à la carte fibre et à la base Ma connexion internet ; même commune, même numéro et même nom de voie après normalisation selon les tables de l’ARCEP (types de voie abrégés, abréviations des noms), à 150 m au plus ; sinon l’adresse la plus proche dans la commune (à 50 m au plus, puis à 1 km au plus). Un immeuble sans adresse à moins de 1 km dans sa commune reste non rapproché.</p>
      ${table('mci', 'Ma connexion internet (base immeubles)')}
      ${table('fibre', 'Carte fibre (immeubles)')}
      ${
        byCommune.length
          ? html`<div class="fr-table" id="communes"><table><caption>Par commune${pager.pages > 1 ? ` — ${rangeLabel(pager)}` : ''}</caption>
        <thead><tr><th scope="col">Commune</th><th scope="col">Fichier</th><th scope="col" class="pan-num">Immeubles</th><th scope="col" class="pan-num">Rapprochés</th><th scope="col" class="pan-num">Adresses importées</th></tr></thead>
        <tbody>${byCommune.map((c) => html`<tr><td>${c.nom ?? c.code_insee} (${c.code_insee})</td><td>${c.source === 'mci' ? 'Ma connexion internet' : 'Carte fibre'}</td><td class="pan-num">${fmtInt(c.immeubles)}</td><td class="pan-num">${fmtInt(c.apparies)} (${fmtPct(c.immeubles ? c.apparies / c.immeubles : 0)})</td><td class="pan-num">${fmtInt(c.adresses)}</td></tr>`)}</tbody></table></div>
        ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'communes'), 'rapprochement par commune')}`
          : ''
      }
      ${
        runs.length
          ? html`<div class="fr-table"><table><caption>Derniers imports</caption>
        <thead><tr><th scope="col">Import</th><th scope="col">Terminé le</th><th scope="col">État</th><th scope="col" class="pan-num">Lignes lues</th><th scope="col" class="pan-num">Acceptées</th><th scope="col" class="pan-num">Rejetées</th><th scope="col">Compte rendu</th></tr></thead>
        <tbody>${runs.map((x) => html`<tr><td>${ctx.jobs.get(x.job)?.title ?? x.job}</td><td>${fmtDate(x.ended_at)}</td><td>${runStatusLabel(x.status)}</td><td class="pan-num">${fmtInt(x.rows_read)}</td><td class="pan-num">${fmtInt(x.rows_accepted)}</td><td class="pan-num">${fmtInt(x.rows_rejected)}</td><td>${x.message ?? ''}</td></tr>`)}</tbody></table></div>`
          : ''
      }`,
      });
    },
  );
}

// Administration of public networks (RIP)

function parseCodes(s: string): string[] {
  return [
    ...new Set(
      s
        .split(/[\s,;]+/)
        .map((x) => x.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
}

type OwnerChoice = { organisations: { id: number; nom: string }[]; current: number | null };

function ripForm(
  action: string,
  csrf: string,
  r: Partial<Q.RipRow> | undefined,
  communes: string[],
  owner?: OwnerChoice,
) {
  const field = (name: keyof Q.RipInput, label: string, hint = '', type = 'text') => html`<div class="fr-input-group">
    <label class="fr-label" for="rip-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
    <input class="fr-input" type="${type}" id="rip-${name}" name="${name}" value="${(r?.[name] as string | null | undefined) ?? ''}"${name === 'nom' ? ' required' : ''}></div>`;
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
    ${field('nom', 'Nom du réseau')}
    ${field('porteur', 'Porteur public', 'syndicat mixte, département, région…')}
    ${field('exploitant', 'Exploitant', 'délégataire ou opérateur commercialisant les offres de gros')}
    ${field('contact_gros', 'Contact commercial de gros', 'service ou personne à contacter par les opérateurs et les entreprises')}
    ${field('email', 'Courriel', '', 'email')}
    ${field('telephone', 'Téléphone', '', 'tel')}
    ${field('site', 'Site', 'adresse commençant par https://', 'url')}
    <div class="fr-input-group"><label class="fr-label" for="rip-communes">Communes desservies<span class="fr-hint-text">codes INSEE séparés par des espaces ou des retours à la ligne ; un code de département (21, 2A…) ajoute toutes ses communes</span></label>
    <textarea class="fr-input" id="rip-communes" name="communes" rows="6">${communes.join(' ')}</textarea></div>
    ${
      owner
        ? html`<div class="fr-select-group"><label class="fr-label" for="rip-organisation">Organisation propriétaire<span class="fr-hint-text">ses éditeurs peuvent modifier et supprimer ce réseau</span></label>
    <select class="fr-select" id="rip-organisation" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${owner.organisations.map((o) => html`<option value="${o.id}"${owner.current === o.id ? html` selected` : ''}>${o.nom}</option>`)}</select></div>`
        : ''
    }
    <button class="fr-btn" type="submit">Enregistrer</button></form>`;
}

export function registerRipAdmin(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const crumbs = (label?: string) => [
    { label: 'Administration', href: '/admin' },
    { label: 'Réseaux d’initiative publique', href: '/admin/eligibilite/rip' },
    ...(label ? [{ label }] : []),
  ];
  const ownerChoice = async (req: FastifyRequest, current: number | null): Promise<OwnerChoice | undefined> =>
    allowed(req, can, 'attribuer', { organisationId: current })
      ? { organisations: await listOrganisations(ctx.db), current }
      : undefined;

  app.get('/admin/eligibilite/rip', async (req, reply) => {
    const actor = authorize(req, can, 'consulter', { organisationId: null });
    const [rips, owners] = [await Q.listRips(ctx.db), await ownersOf(ctx.db, 'rip')];
    const mayEdit = (id: number) => can(actor, 'modifier', { organisationId: owners.get(id)?.organisationId ?? null });
    return ctx.render(req, reply, {
      title: 'Réseaux d’initiative publique',
      breadcrumb: crumbs(),
      main: html`<h1 class="fr-mt-2w">Réseaux d’initiative publique (RIP)</h1>
      <p>Ces fiches alimentent la vue « entreprises et professionnels » de l’éligibilité : quel réseau public dessert la commune et qui contacter pour ses offres de gros.${isAdmin(actor) ? '' : ' Vous pouvez modifier les réseaux de votre organisation et en ajouter.'}</p>
      ${
        rips.length
          ? html`<div class="fr-table"><table><caption>Réseaux renseignés</caption><thead><tr><th scope="col">Réseau</th><th scope="col">Exploitant</th><th scope="col">Organisation propriétaire</th><th scope="col" class="pan-num">Communes</th><th scope="col">Modifié le</th></tr></thead>
      <tbody>${rips.map((x) => html`<tr><td>${mayEdit(x.id) ? html`<a href="/admin/eligibilite/rip/${x.id}">${x.nom}</a>` : x.nom}</td><td>${x.exploitant ?? '—'}</td><td>${owners.get(x.id)?.nom ?? '—'}</td><td class="pan-num">${fmtInt(x.communes)}</td><td>${fmtDate(x.modifie_le)}</td></tr>`)}</tbody></table></div>`
          : html`<p>Aucun réseau renseigné.</p>`
      }
      <h2>Ajouter un réseau</h2>
      ${ripForm('/admin/eligibilite/rip', req.csrfToken, undefined, [], await ownerChoice(req, null))}`,
    });
  });

  /** Signed in, then the record exists, then the policy, then the form: 401, 404, 403, 400 in that order. */
  const save = async (req: FastifyRequest, id: number | null): Promise<number> => {
    const actor = signedIn(req);
    const owner = id === null ? null : await ownerOf(ctx.db, 'rip', id);
    if (id !== null && !(await Q.ripById(ctx.db, id)))
      throw new AppError('INTROUVABLE', `rip ${id}`, 'Ce réseau n’existe pas (ou plus).');
    // An editor's new network is their organisation's; an administrator's belongs to whoever the form names.
    const current = id === null ? (isAdmin(actor) ? null : actor.organisationId) : (owner?.organisationId ?? null);
    authorize(req, can, id === null ? 'creer' : 'modifier', { organisationId: current });
    const p = RipFormSchema.safeParse(req.body);
    if (!p.success)
      throw new AppError('REQUETE_INVALIDE', p.error.message, `Formulaire invalide : ${issuesText(p.error)}`);
    const { _csrf: _c, communes, organisationId, ...input } = p.data;
    if (organisationId !== undefined) authorize(req, can, 'attribuer', { organisationId: current });
    const newOwner = organisationId === undefined ? current : organisationId;
    const { codes, unknown } = await Q.expandCommuneCodes(ctx.db, parseCodes(communes));
    if (unknown.length)
      throw new AppError(
        'REQUETE_INVALIDE',
        `unknown codes ${unknown.join(',')}`,
        `Codes de commune ou de département inconnus : ${unknown.slice(0, 20).join(', ')}. Rien n’a été enregistré.`,
      );
    const saved = await ctx.db.transaction(async (tx) => {
      if (id === null) {
        if ((await tx.query('SELECT 1 FROM rip WHERE nom = $1', [input.nom])).rows.length)
          throw new AppError('REQUETE_INVALIDE', 'duplicate rip', `Un réseau nommé « ${input.nom} » existe déjà.`);
        const newId = await Q.insertRip(tx, input);
        await Q.setRipCommunes(tx, newId, codes);
        await setOwner(tx, 'rip', newId, newOwner);
        await audit(tx, actor, 'creation', { type: 'rip', id: newId }, null, {
          ...input,
          communes: codes,
          organisation_id: newOwner,
        });
        return newId;
      }
      const before = await Q.ripById(tx, id);
      if (!before) throw new AppError('INTROUVABLE', `rip ${id}`, 'Ce réseau n’existe pas (ou plus).');
      const beforeCommunes = await Q.ripCommunes(tx, id);
      if ((await tx.query('SELECT 1 FROM rip WHERE nom = $1 AND id <> $2', [input.nom, id])).rows.length)
        throw new AppError('REQUETE_INVALIDE', 'duplicate rip', `Un autre réseau est déjà nommé « ${input.nom} ».`);
      await Q.updateRip(tx, id, input);
      await Q.setRipCommunes(tx, id, codes);
      if (newOwner !== current) await setOwner(tx, 'rip', id, newOwner);
      const { modifie_le: _m, ...b } = before;
      await audit(
        tx,
        actor,
        'modification',
        { type: 'rip', id },
        { ...b, communes: beforeCommunes, organisation_id: current },
        { ...input, communes: codes, organisation_id: newOwner },
      );
      return id;
    });
    clearCommuneCache(ctx.db);
    return saved;
  };

  app.post('/admin/eligibilite/rip', async (req, reply) => {
    const id = await save(req, null);
    return reply.redirect(`/admin/eligibilite/rip/${id}?enregistre=1`, 303);
  });

  app.get(
    '/admin/eligibilite/rip/:id',
    { schema: { params: IdParams, querystring: RipSavedQuery } },
    async (req, reply) => {
      signedIn(req);
      const { id } = req.params;
      const rip = await Q.ripById(ctx.db, id);
      if (!rip) throw new AppError('INTROUVABLE', `rip ${id}`, 'Ce réseau n’existe pas (ou plus).');
      const owner = (await ownerOf(ctx.db, 'rip', id))?.organisationId ?? null;
      authorize(req, can, 'modifier', { organisationId: owner });
      const communes = await Q.ripCommunes(ctx.db, id);
      return ctx.render(req, reply, {
        title: `Réseau ${rip.nom}`,
        breadcrumb: crumbs(rip.nom),
        main: html`<h1 class="fr-mt-2w">${rip.nom}</h1>
      ${req.query.enregistre ? html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><p>Modifications enregistrées.</p></div>` : ''}
      ${ripForm(`/admin/eligibilite/rip/${id}`, req.csrfToken, rip, communes, await ownerChoice(req, owner))}
      ${
        allowed(req, can, 'supprimer', { organisationId: owner })
          ? html`<h2 class="fr-mt-4w">Supprimer</h2>
      <form method="post" action="/admin/eligibilite/rip/${id}/suppression"><input type="hidden" name="_csrf" value="${req.csrfToken}">
      <button class="fr-btn fr-btn--secondary" type="submit">Supprimer ce réseau</button></form>`
          : ''
      }`,
      });
    },
  );

  app.post('/admin/eligibilite/rip/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const { id } = req.params;
    await save(req, id);
    return reply.redirect(`/admin/eligibilite/rip/${id}?enregistre=1`, 303);
  });

  app.post('/admin/eligibilite/rip/:id/suppression', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const { id } = req.params;
    if (!(await Q.ripById(ctx.db, id)))
      throw new AppError('INTROUVABLE', `rip ${id}`, 'Ce réseau n’existe pas (ou plus).');
    const owner = (await ownerOf(ctx.db, 'rip', id))?.organisationId ?? null;
    const actor = authorize(req, can, 'supprimer', { organisationId: owner });
    await ctx.db.transaction(async (tx) => {
      const before = await Q.ripById(tx, id);
      if (!before) throw new AppError('INTROUVABLE', `rip ${id}`, 'Ce réseau n’existe pas (ou plus).');
      const communes = await Q.ripCommunes(tx, id);
      await Q.deleteRip(tx, id);
      await setOwner(tx, 'rip', id, null);
      await audit(tx, actor, 'suppression', { type: 'rip', id }, { ...before, communes, organisation_id: owner }, null);
    });
    clearCommuneCache(ctx.db);
    return reply.redirect('/admin/eligibilite/rip', 303);
  });
}

/** What the eligibility module adds to territory pages: public networks and fallback offers. */
export function eligibilityTerritorySection(ctx: AppContext): import('../context.ts').TerritorySection {
  return async (t) => {
    if (t.niveau === 'commune') {
      const rips = await Q.ripsOfCommune(ctx.db, [t.code]);
      const counts = await Q.buildingCountsOfCommune(ctx.db, t.code);
      if (!rips.length && !counts.mci && !counts.fibre) return null;
      return html`<h2 class="fr-mt-4w">Éligibilité à l’adresse</h2>
      ${rips.length ? html`<p>Réseau d’initiative publique : ${rips.map((r, i) => html`${i ? ', ' : ''}<strong>${r.nom}</strong>${r.exploitant ? ` (exploitant : ${r.exploitant})` : ''}`)}.</p>` : ''}
      ${counts.mci || counts.fibre ? html`<p>Données à l’immeuble importées : ${fmtInt(counts.mci)} immeubles Ma connexion internet, ${fmtInt(counts.fibre)} immeubles de la carte fibre.</p>` : ''}
      <p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="/eligibilite">Tester une adresse</a></p>`;
    }
    if (t.niveau === 'departement') {
      const offres = await Q.offresOfDepartement(ctx.db, t.code);
      if (!offres.length) return null;
      return html`<div class="fr-table fr-mt-4w"><table><caption>Offres de repli France Très Haut Débit (satellite, 4G fixe, THD radio)</caption>
        <thead><tr><th scope="col">Opérateur</th><th scope="col">Technologies</th><th scope="col">Aide de l’État</th></tr></thead>
        <tbody>${offres.map((o) => html`<tr><td>${o.site ? html`<a href="${o.site}" rel="noopener external">${o.operateur}</a>` : o.operateur}</td><td>${o.technologie}</td><td>${o.aide_etat ? 'Oui' : 'Non'}</td></tr>`)}</tbody></table></div>`;
    }
    return null;
  };
}
