import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDay, fmtInt, fmtPct, type Html, html, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { IdParams, issuesText, OptionalId } from '../http/schemas.ts';
import { getTerritory } from '../territories/service.ts';
import { afterWrite, mayView, statusNotice } from './moderation.ts';
import { can } from './policy.ts';
import * as P from './projects-queries.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';
import { ProjetFormSchema, ProjetsQuerySchema, STATUTS_PROJET } from './schema.ts';
import { indexDoc } from './search.ts';

const OWNED_TYPE = 'projet';
const LIST = { label: 'Projets et cas d’usage', href: '/ressources/projets' };
const PER_PAGE = 50;
const NIVEAUX = { commune: 'Commune', epci: 'EPCI', departement: 'Département', region: 'Région' } as const;
const notFound = (id: number) => new AppError('INTROUVABLE', `projet ${id}`, 'Ce projet n’existe pas (ou plus).');
const statutLabel = (s: string) => STATUTS_PROJET[s as keyof typeof STATUTS_PROJET] ?? s;
const eur = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 2 });
const fmtEur = (n: number) => eur.format(n);
/** A typed amount shown back in the form the way it is typed: "50000" or "1234,5". */
const typed = (n: number) => String(n).replace('.', ',');

type Niveau = keyof typeof NIVEAUX;
type TerritoireChoisi = { niveau: Niveau; code: string };

/** Checks each territory against the territories module; returns the codes, their names and every containing territory. */
async function resolveTerritoires(q: Queryable, ts: TerritoireChoisi[]) {
  const codes: string[] = [];
  const noms: string[] = [];
  const etendus = new Set<string>();
  for (const t of ts) {
    try {
      const d = await getTerritory(q, t.niveau, t.code);
      const key = `${t.niveau}:${d.code}`;
      if (codes.includes(key)) continue;
      codes.push(key);
      noms.push(d.nom);
      etendus.add(key);
      for (const p of d.parents) etendus.add(`${p.niveau}:${p.code}`);
    } catch (e) {
      if (e instanceof AppError && e.code === 'TERRITOIRE_INCONNU')
        throw new AppError('REQUETE_INVALIDE', e.detail, `${e.userMessage} Rien n’a été enregistré.`);
      throw e;
    }
  }
  return { codes, noms, etendus: [...etendus] };
}

async function territoryNames(q: Queryable, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const k of keys) {
    const [niveau, code] = k.split(':') as [Niveau, string];
    const t = await getTerritory(q, niveau, code).catch(() => null);
    out.push(t ? `${t.nom} (${NIVEAUX[niveau] ?? niveau} ${code})` : k);
  }
  return out;
}

async function indexProjet(q: Queryable, id: number, p: P.ProjetInput, noms: string[], porteur: string | null) {
  await indexDoc(q, {
    type: 'projet',
    id,
    titre: p.titre,
    corps: [p.resume, p.description, p.resultats, p.partenaires.join(', '), porteur, noms.join(', ')]
      .filter(Boolean)
      .join('\n'),
    themes: p.themes,
    territoires: p.territoires,
    url: `/ressources/projets/${id}`,
  });
}

function projetForm(
  action: string,
  csrf: string,
  p: P.ProjetInput | undefined,
  themes: Q.ThemeRow[],
  acteurs: { id: number; nom: string }[],
  owner?: { organisations: { id: number; nom: string }[]; current: number | null },
): Html {
  const field = (name: string, label: string, value: string, hint = '', type = 'text', extra = '') =>
    html`<div class="fr-input-group"><label class="fr-label" for="projet-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
    <input class="fr-input" type="${type}" id="projet-${name}" name="${name}" value="${value}"${raw(extra)}></div>`;
  const area = (name: string, label: string, value: string, hint = '', rows = 4) =>
    html`<div class="fr-input-group"><label class="fr-label" for="projet-${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : ''}</label>
    <textarea class="fr-input" id="projet-${name}" name="${name}" rows="${rows}">${value}</textarea></div>`;
  const plain = 'texte brut : les balises HTML sont affichées telles quelles, jamais interprétées';
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
    ${field('titre', 'Titre', p?.titre ?? '', '', 'text', ' required maxlength="300"')}
    ${area('resume', 'Résumé', p?.resume ?? '', 'quelques lignes, montrées dans la liste', 3)}
    ${area('description', 'Description', p?.description ?? '', plain, 8)}
    <div class="fr-select-group"><label class="fr-label" for="projet-statut">Statut</label>
    <select class="fr-select" id="projet-statut" name="statut">${Object.entries(STATUTS_PROJET).map(([k, l]) => html`<option value="${k}"${(p?.statut ?? 'en_cours') === k ? raw(' selected') : ''}>${l}</option>`)}</select></div>
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Thèmes</legend>${themes.map((t) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="theme-${t.slug}" name="themes" value="${t.slug}"${p?.themes.includes(t.slug) ? raw(' checked') : ''}><label class="fr-label" for="theme-${t.slug}">${t.libelle}</label></div></div>`)}</fieldset>
    ${field('territoires', 'Territoires', (p?.territoires ?? []).join(', '), 'niveau:code séparés par des virgules — niveaux region, departement, epci, commune ; code INSEE (SIREN pour un EPCI). Ex. : departement:21, commune:21231')}
    <div class="fr-grid-row fr-grid-row--gutters"><div class="fr-col-12 fr-col-md-6">${field('date_debut', 'Date de début', p?.date_debut ?? '', 'AAAA-MM-JJ', 'date')}</div>
    <div class="fr-col-12 fr-col-md-6">${field('date_fin', 'Date de fin', p?.date_fin ?? '', 'AAAA-MM-JJ, pas avant le début', 'date')}</div></div>
    ${
      acteurs.length
        ? html`<div class="fr-select-group"><label class="fr-label" for="projet-porteur">Porteur du projet<span class="fr-hint-text">un acteur de l’annuaire</span></label>
    <select class="fr-select" id="projet-porteur" name="porteur"><option value="">— non précisé —</option>${acteurs.map((a) => html`<option value="${a.id}"${p?.porteur_acteur_id === a.id ? raw(' selected') : ''}>${a.nom}</option>`)}</select></div>`
        : ''
    }
    ${area('partenaires', 'Partenaires', (p?.partenaires ?? []).join('\n'), 'un par ligne')}
    ${field('budget_total', 'Budget total (€)', p?.budget_total == null ? '' : typed(p.budget_total), 'en euros, ex. 120 000 ou 1 234,50', 'text', ' inputmode="decimal"')}
    ${area('financements', 'Financements', (p?.financements ?? []).map((f) => `${f.financeur} ; ${typed(f.montant)}`).join('\n'), 'une ligne par financeur : « financeur ; montant en euros », ex. Région Bourgogne-Franche-Comté ; 50 000')}
    ${area('resultats', 'Résultats', p?.resultats ?? '', plain)}
    ${area('contact_public', 'Contact public', p?.contact_public ?? '', 'visible de tous', 3)}
    ${field('action_strategie', 'Action de la stratégie', p?.action_strategie ?? '', 'chemin de la page de l’action, ex. /strategie/scoran-bfc/actions/12')}
    ${
      owner
        ? html`<div class="fr-select-group"><label class="fr-label" for="projet-organisation">Organisation propriétaire<span class="fr-hint-text">ses éditeurs peuvent modifier la fiche</span></label>
    <select class="fr-select" id="projet-organisation" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${owner.organisations.map((o) => html`<option value="${o.id}"${owner.current === o.id ? raw(' selected') : ''}>${o.nom}</option>`)}</select></div>`
        : ''
    }
    <button class="fr-btn" type="submit">Enregistrer</button></form>`;
}

export function registerProjectsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const ownerChoice = async (req: FastifyRequest, current: number | null) =>
    allowed(req, can, 'attribuer', { organisationId: current })
      ? { organisations: await listOrganisations(ctx.db), current }
      : undefined;

  app.get('/ressources/projets', { schema: { querystring: ProjetsQuerySchema } }, async (req, reply) => {
    const { theme, statut, niveau, code, page } = req.query;
    let territoire: string | undefined;
    let territoireNom: string | undefined;
    if (niveau && code) {
      const t = await getTerritory(ctx.db, niveau, code);
      territoire = `${niveau}:${t.code}`;
      territoireNom = t.nom;
    }
    const themes = await Q.listThemes(ctx.db);
    const label = new Map(themes.map((t) => [t.slug, t.libelle]));
    const filter = { theme, statut, territoire };
    let res = await P.listProjets(ctx.db, filter, PER_PAGE, (page - 1) * PER_PAGE);
    const pager = pagerOf(res.total, page, PER_PAGE);
    if (!res.items.length && res.total) res = await P.listProjets(ctx.db, filter, PER_PAGE, pager.offset);
    const sel = (name: string, text: string, options: [string, string][], current: string | undefined) =>
      html`<div class="fr-select-group"><label class="fr-label" for="f-${name}">${text}</label><select class="fr-select" id="f-${name}" name="${name}"><option value="">— tous —</option>${options.map(([v, l]) => html`<option value="${v}"${current === v ? raw(' selected') : ''}>${l}</option>`)}</select></div>`;
    return ctx.render(req, reply, {
      title: 'Projets et cas d’usage',
      breadcrumb: [CRUMB, { label: LIST.label }],
      main: html`<h1 class="fr-mt-2w">Projets innovants et cas d’usage</h1>
      <p>Les projets numériques menés sur le territoire, de l’idée au bilan : porteurs, partenaires, budget et financements, résultats. Les fiches sont tenues par les organisations partenaires ; un projet peut renvoyer à l’action de la stratégie régionale qu’il met en œuvre.</p>
      ${allowed(req, can, 'creer', { organisationId: null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/projets/nouveau">Ajouter un projet</a></p>` : ''}
      <form method="get" action="/ressources/projets" class="fr-mb-3w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Filtrer les projets</legend>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6">${sel(
          'theme',
          'Thème',
          themes.map((t) => [t.slug, t.libelle]),
          theme,
        )}</div>
        <div class="fr-col-12 fr-col-md-6">${sel('statut', 'Statut', Object.entries(STATUTS_PROJET), statut)}</div>
        <div class="fr-col-12 fr-col-md-6">${sel('niveau', 'Territoire : niveau', Object.entries(NIVEAUX), niveau)}</div>
        <div class="fr-col-12 fr-col-md-6"><div class="fr-input-group"><label class="fr-label" for="f-code">Territoire : code<span class="fr-hint-text">code INSEE de la commune, du département ou de la région, SIREN de l’EPCI ; les projets menés dans ce territoire sont compris</span></label>
          <input class="fr-input" id="f-code" name="code" value="${code ?? ''}" maxlength="12"></div></div>
      </div>
      <button class="fr-btn fr-mt-2w" type="submit">Filtrer</button> <a class="fr-link fr-ml-2w" href="/ressources/projets">Effacer les filtres</a></fieldset></form>
      ${
        res.items.length
          ? html`<div class="fr-table" id="projets"><table><caption>Projets${territoireNom ? ` — ${territoireNom}` : ''} — ${rangeLabel(pager, 'projets')}</caption>
      <thead><tr><th scope="col">Projet</th><th scope="col">Statut</th><th scope="col">Thèmes</th><th scope="col">Territoires</th><th scope="col">Période</th></tr></thead>
      <tbody>${res.items.map((p) => html`<tr><td><a href="/ressources/projets/${p.id}">${p.titre}</a>${p.resume ? html`<p class="fr-text--sm fr-mb-0">${p.resume}</p>` : ''}</td><td>${statutLabel(p.statut)}</td><td>${p.themes.map((t) => label.get(t) ?? t).join(', ') || '—'}</td><td>${p.territoires.map((t) => t.replace(':', ' ')).join(', ') || '—'}</td><td>${period(p)}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'projets'), 'liste des projets')}`
          : html`<p>Aucun projet ne correspond à ces critères.</p>`
      }`,
    });
  });

  app.get('/ressources/projets/nouveau', async (req, reply) => {
    const actor = authorize(req, can, 'creer', { organisationId: null });
    return ctx.render(req, reply, {
      title: 'Ajouter un projet',
      breadcrumb: [CRUMB, LIST, { label: 'Ajouter' }],
      main: html`<h1 class="fr-mt-2w">Ajouter un projet</h1>
      ${isAdmin(actor) ? '' : html`<p>La fiche appartiendra à votre organisation : ses éditeurs pourront la modifier.</p>`}
      ${projetForm('/ressources/projets', req.csrfToken, undefined, await Q.listThemes(ctx.db), await P.acteurChoices(ctx.db), await ownerChoice(req, null))}`,
    });
  });

  app.get('/ressources/projets/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const p = await P.projetById(ctx.db, req.params.id);
    if (!p) throw notFound(req.params.id);
    const [owner, themes, territoires, porteur] = await Promise.all([
      ownerOf(ctx.db, OWNED_TYPE, p.id),
      Q.listThemes(ctx.db),
      territoryNames(ctx.db, p.territoires),
      p.porteur_acteur_id ? Q.acteurById(ctx.db, p.porteur_acteur_id) : null,
    ]);
    if (!mayView(req, p.moderation, owner?.organisationId ?? null)) throw notFound(p.id);
    const label = new Map(themes.map((t) => [t.slug, t.libelle]));
    const row = (l: string, v: Html | string | null | undefined) =>
      v ? html`<tr><th scope="row">${l}</th><td>${v}</td></tr>` : '';
    const para = (s: string) => html`${s.split(/\n{2,}/).map((x) => html`<p>${x}</p>`)}`;
    const finance = p.financements.reduce((s, f) => s + f.montant, 0);
    return ctx.render(req, reply, {
      title: p.titre,
      breadcrumb: [CRUMB, LIST, { label: p.titre }],
      main: html`<h1 class="fr-mt-2w">${p.titre}</h1>${await statusNotice(ctx.db, 'projet', p.id, p.moderation)}
      <p><span class="fr-badge">${statutLabel(p.statut)}</span></p>
      ${p.resume ? html`<p class="fr-text--lead">${p.resume}</p>` : ''}
      ${p.description ? para(p.description) : ''}
      <div class="fr-table"><table><caption>Fiche du projet</caption><tbody>
      ${row('Porteur', porteur ? html`<a href="/ressources/acteurs/${porteur.id}">${porteur.nom}</a>` : null)}
      ${row('Période', p.date_debut || p.date_fin ? period(p) : null)}
      ${row('Thèmes', p.themes.map((t) => label.get(t) ?? t).join(', '))}
      ${row('Territoires', territoires.join(', '))}
      ${row('Partenaires', p.partenaires.length ? html`<ul>${p.partenaires.map((x) => html`<li>${x}</li>`)}</ul>` : null)}
      ${row('Budget total', p.budget_total === null ? null : fmtEur(p.budget_total))}
      ${row('Action de la stratégie', p.action_strategie ? html`<a href="${p.action_strategie}">${p.action_strategie}</a>` : null)}
      ${row('Contact', p.contact_public)}
      ${row('Fiche tenue par', owner?.nom ?? 'les administrateurs de la plateforme')}
      ${row('Mise à jour', fmtDay(p.modifie_le))}
      </tbody></table></div>
      ${
        p.financements.length
          ? html`<h2>Financements</h2>
      <div class="fr-table"><table><caption>Financements déclarés par le porteur (montants en euros)</caption>
      <thead><tr><th scope="col">Financeur</th><th scope="col" class="pan-num">Montant</th>${p.budget_total ? html`<th scope="col" class="pan-num">Part du budget total</th>` : ''}</tr></thead>
      <tbody>${p.financements.map((f) => html`<tr><td>${f.financeur}</td><td class="pan-num">${fmtEur(f.montant)}</td>${p.budget_total ? html`<td class="pan-num">${fmtPct(f.montant / p.budget_total)}</td>` : ''}</tr>`)}
      <tr><th scope="row">Total</th><td class="pan-num">${fmtEur(finance)}</td>${p.budget_total ? html`<td class="pan-num">${fmtPct(finance / p.budget_total)}</td>` : ''}</tr></tbody></table></div>
      <p class="fr-text--sm">Source : déclaration de l’organisation qui tient la fiche, mise à jour le ${fmtDay(p.modifie_le)} ; parts calculées sur le budget total déclaré (${fmtInt(p.financements.length)} ligne(s)).</p>`
          : ''
      }
      ${p.resultats ? html`<h2>Résultats</h2>${para(p.resultats)}` : ''}
      ${allowed(req, can, 'modifier', { organisationId: owner?.organisationId ?? null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/projets/${p.id}/modifier">Modifier la fiche</a></p>` : ''}`,
    });
  });

  app.get('/ressources/projets/:id/modifier', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const p = await P.projetById(ctx.db, req.params.id);
    if (!p) throw notFound(req.params.id);
    const current = (await ownerOf(ctx.db, OWNED_TYPE, p.id))?.organisationId ?? null;
    authorize(req, can, 'modifier', { organisationId: current });
    return ctx.render(req, reply, {
      title: `Modifier ${p.titre}`,
      breadcrumb: [CRUMB, LIST, { label: p.titre, href: `/ressources/projets/${p.id}` }, { label: 'Modifier' }],
      main: html`<h1 class="fr-mt-2w">Modifier « ${p.titre} »</h1>
      ${projetForm(`/ressources/projets/${p.id}`, req.csrfToken, p, await Q.listThemes(ctx.db), await P.acteurChoices(ctx.db), await ownerChoice(req, current))}`,
    });
  });

  /** Signed in, then the record exists, then the policy, then the form: 401, 404, 403, 400 in that order. */
  const save = async (req: FastifyRequest, id: number | null): Promise<number> => {
    const actor = signedIn(req);
    if (id !== null && !(await P.projetById(ctx.db, id))) throw notFound(id);
    const current =
      id === null
        ? isAdmin(actor)
          ? null
          : actor.organisationId
        : ((await ownerOf(ctx.db, OWNED_TYPE, id))?.organisationId ?? null);
    authorize(req, can, id === null ? 'creer' : 'modifier', { organisationId: current });
    const parsed = ProjetFormSchema.safeParse(req.body);
    if (!parsed.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        parsed.error.message,
        `Formulaire invalide : ${issuesText(parsed.error)}. Rien n’a été enregistré.`,
      );
    const { _csrf: _c, organisationId: orgField, porteur: porteurField, ...f } = parsed.data;
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
    let porteur: { id: number; nom: string } | null = null;
    if (porteurField) {
      const pid = OptionalId.safeParse(porteurField);
      const a = pid.success && pid.data ? await Q.acteurById(ctx.db, pid.data) : null;
      if (!a)
        throw new AppError(
          'REQUETE_INVALIDE',
          `porteur ${porteurField}`,
          'Porteur : cet acteur n’est pas dans l’annuaire. Rien n’a été enregistré.',
        );
      porteur = { id: Number(a.id), nom: a.nom };
    }
    const t = await resolveTerritoires(ctx.db, f.territoires);
    const input: P.ProjetInput = {
      titre: f.titre,
      resume: f.resume,
      description: f.description,
      themes: [...new Set(f.themes)],
      territoires: t.codes,
      territoires_etendus: t.etendus,
      statut: f.statut,
      date_debut: f.date_debut ?? null,
      date_fin: f.date_fin ?? null,
      partenaires: f.partenaires,
      budget_total: f.budget_total,
      financements: f.financements,
      resultats: f.resultats,
      contact_public: f.contact_public,
      action_strategie: f.action_strategie || null,
      porteur_acteur_id: porteur?.id ?? null,
    };
    return ctx.db.transaction(async (tx) => {
      if (id === null) {
        const newId = await P.insertProjet(tx, input);
        await setOwner(tx, OWNED_TYPE, newId, newOwner);
        await indexProjet(tx, newId, input, t.noms, porteur?.nom ?? null);
        const moderation = await afterWrite(tx, actor, 'projet', newId, input.titre);
        await audit(tx, actor, 'creation', { type: OWNED_TYPE, id: newId }, null, {
          ...input,
          organisation_id: newOwner,
          moderation,
        });
        return newId;
      }
      const before = await P.projetById(tx, id);
      if (!before) throw notFound(id);
      await P.updateProjet(tx, id, input);
      if (newOwner !== current) await setOwner(tx, OWNED_TYPE, id, newOwner);
      await indexProjet(tx, id, input, t.noms, porteur?.nom ?? null);
      const moderation = await afterWrite(tx, actor, 'projet', id, input.titre);
      const { modifie_le: _m, cree_le: _cr, id: _id, ...b } = before;
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

  app.post('/ressources/projets', async (req, reply) => {
    const id = await save(req, null);
    return reply.redirect(`/ressources/projets/${id}`, 303);
  });
  app.post('/ressources/projets/:id', { schema: { params: IdParams } }, async (req, reply) => {
    await save(req, req.params.id);
    return reply.redirect(`/ressources/projets/${req.params.id}`, 303);
  });
}

function period(p: { date_debut: string | null; date_fin: string | null }): string {
  if (p.date_debut && p.date_fin) return `du ${fmtDay(p.date_debut)} au ${fmtDay(p.date_fin)}`;
  if (p.date_debut) return `depuis le ${fmtDay(p.date_debut)}`;
  if (p.date_fin) return `jusqu’au ${fmtDay(p.date_fin)}`;
  return '—';
}
