import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { html } from '../http/html.ts';
import { NAV } from '../http/layout.ts';

/** Modules announced in the navigation but not delivered yet: an honest page, not a dead link. */
export const COMING_SOON: { href: string; title: string; what: string }[] = [];

export function comingSoon(app: FastifyInstance, ctx: AppContext, m: { href: string; title: string; what: string }) {
  app.get(m.href, async (req, reply) =>
    ctx.render(req, reply, {
      title: `${m.title} (à venir)`,
      breadcrumb: [{ label: m.title }],
      main: html`<h1 class="fr-mt-2w">${m.title}</h1>
    <div class="fr-alert fr-alert--info fr-mb-4w"><h2 class="fr-alert__title">Ce service est à venir</h2><p>Il proposera ${m.what}. Il n’est pas encore ouvert : aucune donnée n’est présentée ici pour l’instant.</p></div>
    <p>En attendant, vous pouvez consulter les <a href="/territoires">fiches des territoires</a> ou l’<a href="/api/docs">API</a>.</p>`,
    }),
  );
}

export function registerStaticPages(app: FastifyInstance, ctx: AppContext) {
  app.get('/plan-du-site', async (req, reply) =>
    ctx.render(req, reply, {
      title: 'Plan du site',
      breadcrumb: [{ label: 'Plan du site' }],
      main: html`<h1 class="fr-mt-2w">Plan du site</h1>
    <ul>${NAV.map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`)}
      <li><a href="/territoires/recherche">Recherche de territoire</a></li>
      <li><a href="/observatoire/mobile">Observatoire de la couverture mobile</a> (<a href="/observatoire/mobile/mesures">mesures participatives</a>, <a href="/observatoire/mobile/couverture-ciblee">couverture ciblée</a>)</li>
      <li><a href="/api/docs">Documentation de l’API</a></li>
      <li><a href="/connexion">Connexion des partenaires</a></li>
      <li><a href="/licences">Licences des données</a></li>
      <li><a href="/accessibilite">Accessibilité</a></li>
      <li><a href="/mentions-legales">Mentions légales</a></li>
      <li><a href="/donnees-personnelles">Données personnelles</a></li></ul>`,
    }),
  );

  app.get('/accessibilite', async (req, reply) =>
    ctx.render(req, reply, {
      title: 'Déclaration d’accessibilité',
      breadcrumb: [{ label: 'Accessibilité' }],
      main: html`<h1 class="fr-mt-2w">Déclaration d’accessibilité</h1>
    <p>${ctx.site().name} s’engage à rendre ses services accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s’applique à la présente plateforme.</p>
    <h2>État de conformité</h2>
    <p>La plateforme est <strong>partiellement conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1 : aucun audit complet n’a encore été réalisé. Chaque page est contrôlée automatiquement (axe-core) à chaque évolution ; les cartes ont toutes un tableau de données équivalent et les pages fonctionnent sans JavaScript.</p>
    <h2>Retour d’information et contact</h2>
    <p>Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez le responsable de la plateforme (voir les mentions légales) pour être orienté vers une alternative accessible.</p>
    <h2>Voies de recours</h2>
    <p>Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou une fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse, vous pouvez écrire au Défenseur des droits ou contacter son délégué dans votre région.</p>`,
    }),
  );

  app.get('/mentions-legales', async (req, reply) =>
    ctx.render(req, reply, {
      title: 'Mentions légales',
      breadcrumb: [{ label: 'Mentions légales' }],
      main: html`<h1 class="fr-mt-2w">Mentions légales</h1>
    <h2>Éditeur</h2><p>La plateforme est éditée par la Région ${ctx.site().regionNom}, en partenariat avec les services de l’État en région. Le directeur de la publication est le président du conseil régional.</p>
    <h2>Hébergement</h2><p>L’hébergeur est désigné par l’instance qui exploite la plateforme.</p>
    <h2>Licences</h2><p>Les données publiées sont réutilisables sous Licence Ouverte 2.0 (Etalab), sauf mention contraire au niveau du jeu de données (voir les <a href="/licences">licences des données</a>). Sources principales : INSEE (Code officiel géographique, populations légales), IGN (Admin Express), ARCEP (observatoires du haut et très haut débit, Ma connexion internet), Base Adresse Nationale.</p>`,
    }),
  );

  app.get('/donnees-personnelles', async (req, reply) =>
    ctx.render(req, reply, {
      title: 'Données personnelles',
      breadcrumb: [{ label: 'Données personnelles' }],
      main: html`<h1 class="fr-mt-2w">Données personnelles et cookies</h1>
    <p>La consultation publique de la plateforme ne demande aucun compte et ne dépose aucun cookie de mesure d’audience ni de publicité.</p>
    <h2>Cookies strictement nécessaires</h2>
    <ul><li><code>pan_csrf</code> : protège les formulaires contre la falsification de requêtes (durée : la session du navigateur).</li>
    <li><code>pan_session</code> : maintient la connexion des partenaires identifiés (12 heures au plus).</li></ul>
    <h2>Comptes des partenaires</h2>
    <p>Pour les comptes des partenaires, la plateforme traite le nom, l’adresse électronique, l’organisation de rattachement et le journal des modifications effectuées (base légale : mission d’intérêt public). Les mots de passe sont conservés sous forme d’empreinte (argon2id) et ne sont jamais lisibles. Vous pouvez exercer vos droits d’accès, de rectification et d’effacement auprès de l’administrateur de la plateforme.</p>
    <h2>Recherches d’adresses</h2>
    <p>Les adresses saisies pour tester l’éligibilité ne sont pas conservées au-delà des journaux techniques.</p>`,
    }),
  );
}
