import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import ical, { type ICalCalendar } from 'ical-generator';
import type { z } from 'zod';
import { audit } from '../accounts/audit.ts';
import { ownerOf, setOwner } from '../accounts/ownership.ts';
import { listOrganisations } from '../accounts/service.ts';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { fmtDate, fmtDay, type Html, html, parisClock, raw } from '../http/html.ts';
import { pageHref, pagerOf, pagination, rangeLabel } from '../http/pagination.ts';
import { type Actor, allowed, authorize, isAdmin, signedIn } from '../http/policy.ts';
import { IdParams, issuesText, OptionalId } from '../http/schemas.ts';
import { afterWrite, mayView, statusNotice } from './moderation.ts';
import { can } from './policy.ts';
import * as Q from './queries.ts';
import { CRUMB } from './routes.ts';
import { ActualiteFormSchema, AgendaQuerySchema, EvenementFormSchema, NewsQuerySchema } from './schema.ts';
import { indexDoc } from './search.ts';

const AGENDA = { label: 'Agenda', href: '/ressources/agenda' };
const NEWS = { label: 'Veille', href: '/ressources/actualites' };

type Kind = 'evenement' | 'actualite';
const NOT_FOUND: Record<Kind, string> = {
  evenement: 'Cet événement n’existe pas (ou plus).',
  actualite: 'Cette actualité n’existe pas (ou plus).',
};

/** Paris wall-clock value for a datetime-local field. */
function localValue(d: Date | undefined): string {
  if (!d) return '';
  const p = parisClock(d);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

const field = (
  id: string,
  name: string,
  label: string,
  value: string,
  o: { type?: string; hint?: string; area?: boolean } = {},
) =>
  html`<div class="fr-input-group"><label class="fr-label" for="${id}-${name}">${label}${o.hint ? html`<span class="fr-hint-text">${o.hint}</span>` : ''}</label>
  ${o.area ? html`<textarea class="fr-input" id="${id}-${name}" name="${name}" rows="5">${value}</textarea>` : html`<input class="fr-input" type="${o.type ?? 'text'}" id="${id}-${name}" name="${name}" value="${value}">`}</div>`;

const ownerSelect = (owner: { organisations: { id: number; nom: string }[]; current: number | null } | undefined) =>
  owner
    ? html`<div class="fr-select-group"><label class="fr-label" for="organisation">Organisation propriétaire<span class="fr-hint-text">ses éditeurs peuvent modifier la fiche</span></label>
    <select class="fr-select" id="organisation" name="organisationId"><option value="">— aucune (administrateurs seulement) —</option>${owner.organisations.map((o) => html`<option value="${o.id}"${owner.current === o.id ? raw(' selected') : ''}>${o.nom}</option>`)}</select></div>`
    : '';

/** The events of a list as an iCalendar (RFC 5545), times in UTC. */
function calendarOf(
  req: FastifyRequest,
  name: string,
  events: Awaited<ReturnType<typeof Q.evenementById>>[],
): ICalCalendar {
  const base = `${req.protocol}://${req.host}`;
  const cal = ical({
    name,
    prodId: { company: 'plateforme-amenagement-numerique', product: 'agenda', language: 'FR' },
  });
  for (const e of events) {
    if (!e) continue;
    cal.createEvent({
      id: `evenement-${e.id}@${req.host}`,
      start: e.debut,
      end: e.fin,
      summary: e.titre,
      description: [
        e.description,
        e.inscription ? `Inscription : ${e.inscription}` : null,
        e.lien_en_ligne ? `En ligne : ${e.lien_en_ligne}` : null,
      ]
        .filter(Boolean)
        .join('\n\n'),
      location: e.lieu ?? e.lien_en_ligne ?? undefined,
      url: `${base}/ressources/agenda/${e.id}`,
      categories: e.themes.map((t) => ({ name: t })),
      stamp: e.modifie_le,
      lastModified: e.modifie_le,
    });
  }
  return cal;
}

/** When the newest of the feed's items last changed (now for an empty feed): both news feeds' date. */
const newestChange = (items: { modifie_le: Date }[]) =>
  items.length ? new Date(Math.max(...items.map((a) => a.modifie_le.getTime()))) : new Date();

const sendIcs = (reply: FastifyReply, cal: ICalCalendar, file: string) =>
  reply
    .type('text/calendar; charset=utf-8')
    .header('content-disposition', `inline; filename="${file}"`)
    .send(cal.toString());

export function registerAgendaRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const ownerChoice = async (req: FastifyRequest, current: number | null) =>
    allowed(req, can, 'attribuer', { organisationId: current })
      ? { organisations: await listOrganisations(ctx.db), current }
      : undefined;
  const themeCheck = async (themes: string[]) => {
    const known = new Set((await Q.listThemes(ctx.db)).map((t) => t.slug));
    const bad = themes.find((t) => !known.has(t));
    if (bad)
      throw new AppError('REQUETE_INVALIDE', `theme ${bad}`, `Thème inconnu « ${bad} ». Rien n’a été enregistré.`);
  };

  /**
   * The write path of both kinds: signed in (401), the record exists (404), the policy (403), the form (400),
   * then one transaction: the record, its owner, its search entry and the audit line.
   */
  async function save<S extends z.ZodType<{ organisationId?: string | undefined }>, I>(
    req: FastifyRequest,
    kind: Kind,
    id: number | null,
    schema: S,
    toInput: (d: z.infer<S>) => Promise<I>,
    load: (q: Queryable, id: number) => Promise<unknown>,
    write: (q: Queryable, id: number | null, input: I) => Promise<number>,
    index: (q: Queryable, id: number, input: I) => Promise<void>,
  ): Promise<number> {
    const actor: Actor = signedIn(req);
    if (id !== null && !(await load(ctx.db, id))) throw new AppError('INTROUVABLE', `${kind} ${id}`, NOT_FOUND[kind]);
    const current =
      id === null
        ? isAdmin(actor)
          ? null
          : actor.organisationId
        : ((await ownerOf(ctx.db, kind, id))?.organisationId ?? null);
    authorize(req, can, id === null ? 'creer' : 'modifier', { organisationId: current });
    const p = schema.safeParse(req.body);
    if (!p.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        p.error.message,
        `Formulaire invalide : ${issuesText(p.error)}. Rien n’a été enregistré.`,
      );
    let newOwner = current;
    if (p.data.organisationId !== undefined) {
      authorize(req, can, 'attribuer', { organisationId: current });
      const o = OptionalId.safeParse(p.data.organisationId);
      if (!o.success) throw new AppError('REQUETE_INVALIDE', 'organisationId', `Organisation : ${issuesText(o.error)}`);
      newOwner = o.data;
    }
    const input = await toInput(p.data);
    return ctx.db.transaction(async (tx) => {
      const before = id === null ? null : await load(tx, id);
      if (id !== null && !before) throw new AppError('INTROUVABLE', `${kind} ${id}`, NOT_FOUND[kind]);
      const saved = await write(tx, id, input);
      if (id === null || newOwner !== current) await setOwner(tx, kind, saved, newOwner);
      await index(tx, saved, input);
      const moderation = await afterWrite(tx, actor, kind, saved, (input as { titre: string }).titre);
      await audit(
        tx,
        actor,
        id === null ? 'creation' : 'modification',
        { type: kind, id: saved },
        before === null ? null : { ...(before as object), organisation_id: current },
        { ...(input as object), organisation_id: newOwner, moderation },
      );
      return saved;
    });
  }

  // Events

  const eventInput = async (d: z.infer<typeof EvenementFormSchema>): Promise<Q.EvenementInput> => {
    await themeCheck(d.themes);
    return {
      titre: d.titre,
      debut: d.debut,
      fin: d.fin,
      lieu: d.lieu,
      lien_en_ligne: d.lien_en_ligne || null,
      organisateur: d.organisateur,
      themes: d.themes,
      inscription: d.inscription || null,
      description: d.description,
    };
  };
  const indexEvent = (q: Queryable, id: number, e: Q.EvenementInput) =>
    indexDoc(q, {
      type: 'evenement',
      id,
      titre: e.titre,
      corps: [e.description, e.lieu, e.organisateur].filter(Boolean).join('\n'),
      themes: e.themes,
      url: `/ressources/agenda/${id}`,
    });
  const writeEvent = async (q: Queryable, id: number | null, e: Q.EvenementInput) => {
    if (id === null) return Q.insertEvenement(q, e);
    await Q.updateEvenement(q, id, e);
    return id;
  };
  const saveEvent = (req: FastifyRequest, id: number | null) =>
    save(req, 'evenement', id, EvenementFormSchema, eventInput, Q.evenementById, writeEvent, indexEvent);

  const eventForm = async (
    req: FastifyRequest,
    action: string,
    e: Q.EvenementInput | undefined,
    current: number | null,
  ) => {
    const themes = await Q.listThemes(ctx.db);
    return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${req.csrfToken}">
    ${field('evt', 'titre', 'Titre', e?.titre ?? '')}
    ${field('evt', 'debut', 'Début', localValue(e?.debut), { type: 'datetime-local', hint: 'heure de Paris' })}
    ${field('evt', 'fin', 'Fin', localValue(e?.fin), { type: 'datetime-local', hint: 'heure de Paris, après le début' })}
    ${field('evt', 'lieu', 'Lieu', e?.lieu ?? '', { hint: 'adresse, ou vide pour un événement en ligne' })}
    ${field('evt', 'lien_en_ligne', 'Lien de connexion', e?.lien_en_ligne ?? '', { type: 'url' })}
    ${field('evt', 'organisateur', 'Organisateur', e?.organisateur ?? '')}
    ${field('evt', 'inscription', 'Lien d’inscription', e?.inscription ?? '', { type: 'url' })}
    <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Thèmes</legend>${themes.map((t) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="evt-theme-${t.slug}" name="themes" value="${t.slug}"${e?.themes.includes(t.slug) ? raw(' checked') : ''}><label class="fr-label" for="evt-theme-${t.slug}">${t.libelle}</label></div></div>`)}</fieldset>
    ${field('evt', 'description', 'Description', e?.description ?? '', { area: true, hint: 'texte brut' })}
    ${ownerSelect(await ownerChoice(req, current))}
    <button class="fr-btn" type="submit">Enregistrer</button></form>`;
  };

  app.get('/ressources/agenda', { schema: { querystring: AgendaQuerySchema } }, async (req, reply) => {
    const { theme, page } = req.query;
    const themes = await Q.listThemes(ctx.db);
    let res = await Q.listEvenements(ctx.db, { theme, depuis: new Date() }, 50, (page - 1) * 50);
    const pager = pagerOf(res.total, page, 50);
    if (!res.items.length && res.total)
      res = await Q.listEvenements(ctx.db, { theme, depuis: new Date() }, 50, pager.offset);
    const feed = `/ressources/agenda.ics${theme ? `?theme=${encodeURIComponent(theme)}` : ''}`;
    return ctx.render(req, reply, {
      title: 'Agenda partagé',
      breadcrumb: [CRUMB, { label: AGENDA.label }],
      head: html`<link rel="alternate" type="text/calendar" title="Agenda (iCalendar)" href="${feed}">`,
      main: html`<h1 class="fr-mt-2w">Agenda partagé</h1>
      <p>Les rencontres, ateliers, webinaires et comités des acteurs du numérique du territoire. Abonnez votre agenda au flux <a href="${feed}">iCalendar${theme ? ' de ce thème' : ''}</a> (${feed}).</p>
      ${allowed(req, can, 'creer', { organisationId: null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/agenda/nouveau">Ajouter un événement</a></p>` : ''}
      <form method="get" action="/ressources/agenda" class="fr-mb-3w"><div class="fr-select-group"><label class="fr-label" for="f-theme">Thème</label>
      <select class="fr-select" id="f-theme" name="theme"><option value="">— tous —</option>${themes.map((t) => html`<option value="${t.slug}"${theme === t.slug ? raw(' selected') : ''}>${t.libelle}</option>`)}</select></div>
      <button class="fr-btn" type="submit">Filtrer</button></form>
      ${
        res.items.length
          ? html`<div class="fr-table" id="evenements"><table><caption>Événements à venir — ${rangeLabel(pager, 'événements')}</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">Événement</th><th scope="col">Lieu</th><th scope="col">Organisateur</th></tr></thead>
      <tbody>${res.items.map((e) => html`<tr><td>${fmtDate(e.debut)}</td><td><a href="/ressources/agenda/${e.id}">${e.titre}</a></td><td>${e.lieu ?? 'en ligne'}</td><td>${e.organisateur ?? '—'}</td></tr>`)}</tbody></table></div>
      ${pagination(pager, (n) => pageHref(req.url, 'page', n, 'evenements'), 'événements')}`
          : html`<p>Aucun événement à venir${theme ? ' pour ce thème' : ''}.</p>`
      }`,
    });
  });

  app.get('/ressources/agenda.ics', { schema: { querystring: AgendaQuerySchema } }, async (req, reply) => {
    const since = new Date(Date.now() - 90 * 86_400_000);
    const res = await Q.listEvenements(ctx.db, { theme: req.query.theme, depuis: since }, 1000, 0);
    const name = req.query.theme ? `Agenda du numérique — ${req.query.theme}` : 'Agenda du numérique';
    return sendIcs(reply, calendarOf(req, name, res.items), 'agenda.ics');
  });

  app.get('/ressources/agenda/nouveau', async (req, reply) => {
    authorize(req, can, 'creer', { organisationId: null });
    return ctx.render(req, reply, {
      title: 'Ajouter un événement',
      breadcrumb: [CRUMB, AGENDA, { label: 'Ajouter' }],
      main: html`<h1 class="fr-mt-2w">Ajouter un événement</h1>${await eventForm(req, '/ressources/agenda', undefined, null)}`,
    });
  });

  app.get('/ressources/agenda/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const e = await Q.evenementById(ctx.db, req.params.id);
    const owner = e ? ((await ownerOf(ctx.db, 'evenement', e.id))?.organisationId ?? null) : null;
    if (!e || !mayView(req, e.moderation, owner))
      throw new AppError('INTROUVABLE', `evenement ${req.params.id}`, NOT_FOUND.evenement);
    const labels = new Map((await Q.listThemes(ctx.db)).map((t) => [t.slug, t.libelle]));
    const row = (label: string, v: Html | string | null | undefined) =>
      v ? html`<tr><th scope="row">${label}</th><td>${v}</td></tr>` : '';
    return ctx.render(req, reply, {
      title: e.titre,
      breadcrumb: [CRUMB, AGENDA, { label: e.titre }],
      main: html`<h1 class="fr-mt-2w">${e.titre}</h1>${await statusNotice(ctx.db, 'evenement', e.id, e.moderation)}
      <div class="fr-table"><table><caption>Informations</caption><tbody>
      ${row('Début', fmtDate(e.debut))}${row('Fin', fmtDate(e.fin))}
      ${row('Lieu', e.lieu)}${row('En ligne', e.lien_en_ligne ? html`<a href="${e.lien_en_ligne}" rel="noopener external">${e.lien_en_ligne}</a>` : null)}
      ${row('Organisateur', e.organisateur)}
      ${row('Inscription', e.inscription ? html`<a href="${e.inscription}" rel="noopener external">${e.inscription}</a>` : null)}
      ${row('Thèmes', e.themes.map((t) => labels.get(t) ?? t).join(', '))}
      </tbody></table></div>
      ${e.description ? html`${e.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}` : ''}
      <p><a class="fr-link fr-icon-calendar-line fr-link--icon-left" href="/ressources/agenda/${e.id}/evenement.ics">Ajouter à mon agenda (.ics)</a></p>
      ${allowed(req, can, 'modifier', { organisationId: owner }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/agenda/${e.id}/modifier">Modifier</a></p>` : ''}`,
    });
  });

  app.get('/ressources/agenda/:id/evenement.ics', { schema: { params: IdParams } }, async (req, reply) => {
    const e = await Q.evenementById(ctx.db, req.params.id);
    const owner = e ? ((await ownerOf(ctx.db, 'evenement', e.id))?.organisationId ?? null) : null;
    if (!e || !mayView(req, e.moderation, owner))
      throw new AppError('INTROUVABLE', `evenement ${req.params.id}`, NOT_FOUND.evenement);
    return sendIcs(reply, calendarOf(req, e.titre, [e]), `evenement-${e.id}.ics`);
  });

  app.get('/ressources/agenda/:id/modifier', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const e = await Q.evenementById(ctx.db, req.params.id);
    if (!e) throw new AppError('INTROUVABLE', `evenement ${req.params.id}`, NOT_FOUND.evenement);
    const owner = (await ownerOf(ctx.db, 'evenement', e.id))?.organisationId ?? null;
    authorize(req, can, 'modifier', { organisationId: owner });
    return ctx.render(req, reply, {
      title: `Modifier ${e.titre}`,
      breadcrumb: [CRUMB, AGENDA, { label: e.titre, href: `/ressources/agenda/${e.id}` }, { label: 'Modifier' }],
      main: html`<h1 class="fr-mt-2w">Modifier « ${e.titre} »</h1>${await eventForm(req, `/ressources/agenda/${e.id}`, e, owner)}`,
    });
  });

  app.post('/ressources/agenda', async (req, reply) =>
    reply.redirect(`/ressources/agenda/${await saveEvent(req, null)}`, 303),
  );
  app.post('/ressources/agenda/:id', { schema: { params: IdParams } }, async (req, reply) =>
    reply.redirect(`/ressources/agenda/${await saveEvent(req, req.params.id)}`, 303),
  );

  // News watch

  const newsInput = async (d: z.infer<typeof ActualiteFormSchema>): Promise<Q.ActualiteInput> => ({
    titre: d.titre,
    source_nom: d.source_nom,
    lien: d.lien || null,
    publie_le: d.publie_le,
    etiquettes: d.etiquettes,
    resume: d.resume,
  });
  const indexNews = (q: Queryable, id: number, a: Q.ActualiteInput) =>
    indexDoc(q, {
      type: 'actualite',
      id,
      titre: a.titre,
      corps: [a.resume, a.source_nom, a.etiquettes.join(', ')].join('\n'),
      url: `/ressources/actualites/${id}`,
    });
  const writeNews = async (q: Queryable, id: number | null, a: Q.ActualiteInput) => {
    if (id === null) return Q.insertActualite(q, a);
    await Q.updateActualite(q, id, a);
    return id;
  };
  const saveNews = (req: FastifyRequest, id: number | null) =>
    save(req, 'actualite', id, ActualiteFormSchema, newsInput, Q.actualiteById, writeNews, indexNews);
  const newsForm = async (
    req: FastifyRequest,
    action: string,
    a: Q.ActualiteInput | undefined,
    current: number | null,
  ) =>
    html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${req.csrfToken}">
    ${field('act', 'titre', 'Titre', a?.titre ?? '')}
    ${field('act', 'source_nom', 'Source', a?.source_nom ?? '', { hint: 'média, organisme ou publication' })}
    ${field('act', 'lien', 'Lien', a?.lien ?? '', { type: 'url' })}
    ${field('act', 'publie_le', 'Date de publication', a?.publie_le ?? '', { type: 'date' })}
    ${field('act', 'etiquettes', 'Étiquettes', a?.etiquettes.join(', ') ?? '', { hint: 'séparées par des virgules' })}
    ${field('act', 'resume', 'Résumé', a?.resume ?? '', { area: true, hint: 'texte brut' })}
    ${ownerSelect(await ownerChoice(req, current))}
    <button class="fr-btn" type="submit">Enregistrer</button></form>`;

  app.get('/ressources/actualites', { schema: { querystring: NewsQuerySchema } }, async (req, reply) => {
    const { etiquette, page } = req.query;
    let res = await Q.listActualites(ctx.db, { etiquette }, 30, (page - 1) * 30);
    const pager = pagerOf(res.total, page, 30);
    if (!res.items.length && res.total) res = await Q.listActualites(ctx.db, { etiquette }, 30, pager.offset);
    return ctx.render(req, reply, {
      title: 'Veille',
      breadcrumb: [CRUMB, { label: NEWS.label }],
      head: html`<link rel="alternate" type="application/atom+xml" title="Veille (Atom)" href="/ressources/actualites.atom">
      <link rel="alternate" type="application/rss+xml" title="Veille (RSS)" href="/ressources/actualites.rss">`,
      main: html`<h1 class="fr-mt-2w">Veille</h1>
      <p>Actualités du numérique repérées par les partenaires, avec leur source. Flux <a href="/ressources/actualites.rss">RSS</a> et <a href="/ressources/actualites.atom">Atom</a>.</p>
      ${allowed(req, can, 'creer', { organisationId: null }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/actualites/nouveau">Ajouter une actualité</a></p>` : ''}
      ${
        res.items.length
          ? html`<ul id="actualites">${res.items.map((a) => html`<li class="fr-mb-2w"><p class="fr-mb-0"><a href="/ressources/actualites/${a.id}"><strong>${a.titre}</strong></a> — ${a.source_nom}, ${fmtDay(a.publie_le)}</p><p class="fr-text--sm fr-mb-0">${a.resume.slice(0, 300)}${a.resume.length > 300 ? '…' : ''}</p></li>`)}</ul>
      <p>${rangeLabel(pager, 'actualités')}</p>${pagination(pager, (n) => pageHref(req.url, 'page', n, 'actualites'), 'actualités')}`
          : html`<p>Aucune actualité${etiquette ? ' avec cette étiquette' : ''}.</p>`
      }`,
    });
  });

  app.get('/ressources/actualites.atom', async (req, reply) => {
    const base = `${req.protocol}://${req.host}`;
    const res = await Q.listActualites(ctx.db, {}, 50, 0);
    const updated = newestChange(res.items);
    const xml = html`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
<title>Veille — ${ctx.site().name}</title>
<id>${base}/ressources/actualites</id>
<link rel="self" href="${base}/ressources/actualites.atom"/>
<link rel="alternate" type="text/html" href="${base}/ressources/actualites"/>
<updated>${updated.toISOString()}</updated>
<author><name>${ctx.site().name}</name></author>
${res.items.map(
  (a) => html`<entry>
<title>${a.titre}</title>
<id>${base}/ressources/actualites/${a.id}</id>
<link rel="alternate" type="text/html" href="${a.lien ?? `${base}/ressources/actualites/${a.id}`}"/>
<published>${a.publie_le}T00:00:00Z</published>
<updated>${a.modifie_le.toISOString()}</updated>
<author><name>${a.source_nom}</name></author>
${a.etiquettes.map((t) => html`<category term="${t}"/>`)}
<summary type="text">${a.resume}</summary>
</entry>
`,
)}</feed>
`;
    return reply.type('application/atom+xml; charset=utf-8').send(xml.value);
  });

  // RSS 2.0 beside Atom: the same 50 items; dates in RFC 822 (`toUTCString`), text escaped by `html`.
  app.get('/ressources/actualites.rss', async (req, reply) => {
    const base = `${req.protocol}://${req.host}`;
    const res = await Q.listActualites(ctx.db, {}, 50, 0);
    const updated = newestChange(res.items);
    const xml = html`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Veille — ${ctx.site().name}</title>
<link>${base}/ressources/actualites</link>
<description>Actualités du numérique repérées par les partenaires, avec leur source.</description>
<language>fr</language>
<lastBuildDate>${updated.toUTCString()}</lastBuildDate>
<atom:link rel="self" type="application/rss+xml" href="${base}/ressources/actualites.rss"/>
${res.items.map(
  (a) => html`<item>
<title>${a.titre}</title>
<link>${a.lien ?? `${base}/ressources/actualites/${a.id}`}</link>
<guid isPermaLink="true">${base}/ressources/actualites/${a.id}</guid>
<pubDate>${new Date(`${a.publie_le}T00:00:00Z`).toUTCString()}</pubDate>
<dc:creator>${a.source_nom}</dc:creator>
${a.etiquettes.map((t) => html`<category>${t}</category>`)}
<description>${a.resume}</description>
</item>
`,
)}</channel>
</rss>
`;
    return reply.type('application/rss+xml; charset=utf-8').send(xml.value);
  });

  app.get('/ressources/actualites/nouveau', async (req, reply) => {
    authorize(req, can, 'creer', { organisationId: null });
    return ctx.render(req, reply, {
      title: 'Ajouter une actualité',
      breadcrumb: [CRUMB, NEWS, { label: 'Ajouter' }],
      main: html`<h1 class="fr-mt-2w">Ajouter une actualité</h1>${await newsForm(req, '/ressources/actualites', undefined, null)}`,
    });
  });

  app.get('/ressources/actualites/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const a = await Q.actualiteById(ctx.db, req.params.id);
    const owner = a ? ((await ownerOf(ctx.db, 'actualite', a.id))?.organisationId ?? null) : null;
    if (!a || !mayView(req, a.moderation, owner))
      throw new AppError('INTROUVABLE', `actualite ${req.params.id}`, NOT_FOUND.actualite);
    return ctx.render(req, reply, {
      title: a.titre,
      breadcrumb: [CRUMB, NEWS, { label: a.titre }],
      main: html`<h1 class="fr-mt-2w">${a.titre}</h1>${await statusNotice(ctx.db, 'actualite', a.id, a.moderation)}
      <p>${a.source_nom}, ${fmtDay(a.publie_le)}${a.lien ? html` — <a href="${a.lien}" rel="noopener external">lire la source</a>` : ''}</p>
      ${a.etiquettes.length ? html`<ul class="fr-tags-group">${a.etiquettes.map((t) => html`<li><a class="fr-tag fr-tag--sm" href="/ressources/actualites?etiquette=${encodeURIComponent(t)}">${t}</a></li>`)}</ul>` : ''}
      ${a.resume.split(/\n{2,}/).map((p) => html`<p>${p}</p>`)}
      ${allowed(req, can, 'modifier', { organisationId: owner }) ? html`<p><a class="fr-btn fr-btn--secondary" href="/ressources/actualites/${a.id}/modifier">Modifier</a></p>` : ''}`,
    });
  });

  app.get('/ressources/actualites/:id/modifier', { schema: { params: IdParams } }, async (req, reply) => {
    signedIn(req);
    const a = await Q.actualiteById(ctx.db, req.params.id);
    if (!a) throw new AppError('INTROUVABLE', `actualite ${req.params.id}`, NOT_FOUND.actualite);
    const owner = (await ownerOf(ctx.db, 'actualite', a.id))?.organisationId ?? null;
    authorize(req, can, 'modifier', { organisationId: owner });
    return ctx.render(req, reply, {
      title: `Modifier ${a.titre}`,
      breadcrumb: [CRUMB, NEWS, { label: a.titre, href: `/ressources/actualites/${a.id}` }, { label: 'Modifier' }],
      main: html`<h1 class="fr-mt-2w">Modifier « ${a.titre} »</h1>${await newsForm(req, `/ressources/actualites/${a.id}`, a, owner)}`,
    });
  });

  app.post('/ressources/actualites', async (req, reply) =>
    reply.redirect(`/ressources/actualites/${await saveNews(req, null)}`, 303),
  );
  app.post('/ressources/actualites/:id', { schema: { params: IdParams } }, async (req, reply) =>
    reply.redirect(`/ressources/actualites/${await saveNews(req, req.params.id)}`, 303),
  );
}
