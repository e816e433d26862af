import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { html } from '../http/html.ts';
import { DATA_SOURCES, LICENCES } from '../http/licences.ts';

/** The page the footer's "sauf mention contraire" points to: each source, its licence and its mention. */
export function registerLicencesPage(app: FastifyInstance, ctx: AppContext) {
  app.get('/licences', async (req, reply) =>
    ctx.render(req, reply, {
      title: 'Licences des données',
      breadcrumb: [{ label: 'Licences des données' }],
      main: html`<h1 class="fr-mt-2w">Licences des données</h1>
    <p>Les données affichées et téléchargeables sur ${ctx.site().name} sont réutilisables sous <a href="${LICENCES['licence-ouverte-2.0'].url}" rel="noopener">Licence Ouverte 2.0 (Etalab)</a>, sauf les mentions contraires ci-dessous. Chaque chiffre cite sous lui ses sources, la date de ses données et leur licence ; les réponses de l’API et les fichiers CSV portent la même mention.</p>
    <h2>Mentions contraires</h2>
    <ul>${DATA_SOURCES.filter((s) => s.licence !== 'licence-ouverte-2.0').map((s) => html`<li><strong>${s.jeu}</strong> (${s.producteur}) : <a href="${LICENCES[s.licence].url}" rel="noopener">${LICENCES[s.licence].nom}</a>${s.mention ? html`. Mention obligatoire : « ${s.mention} »` : ''}. Une adresse issue de BANO le signale dans la recherche, la réponse d’éligibilité, l’API (champ <code>licence</code>) et les exports CSV ; les données qui en sont dérivées et rediffusées restent sous ODbL.</li>`)}</ul>
    <h2>Toutes les sources</h2>
    <div class="fr-table"><table><caption>Sources des données de la plateforme et leurs licences</caption>
      <thead><tr><th scope="col">Jeu de données</th><th scope="col">Producteur</th><th scope="col">Utilisé pour</th><th scope="col">Licence</th><th scope="col">Mention</th></tr></thead>
      <tbody>${DATA_SOURCES.map((s) => html`<tr id="source-${s.id}"><td><a href="${s.url}" rel="noopener">${s.jeu}</a></td><td>${s.producteur}</td><td>${s.usage}</td><td>${LICENCES[s.licence].court}</td><td>${s.mention ?? `${s.producteur}, ${s.jeu}`}</td></tr>`)}</tbody></table></div>
    <h2>Les licences</h2>
    <ul>${Object.entries(LICENCES).map(([id, l]) => html`<li id="${id}"><a href="${l.url}" rel="noopener">${l.nom}</a>${id === 'eupl-1.2' ? ' : le code de la plateforme' : ''}</li>`)}</ul>`,
    }),
  );
}
