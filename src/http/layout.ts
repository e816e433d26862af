import { type Html, html } from './html.ts';
import { loginHref } from './return-path.ts';

export type Site = { name: string; regionCode: string; regionNom: string };
type Viewer = { nom: string; role: 'administrateur' | 'editeur' } | null;
export type Crumb = { label: string; href?: string };

/** Top navigation: one entry per module. `match` tells which pages light it up. */
export const NAV: { label: string; href: string }[] = [
  { label: 'Accueil', href: '/' },
  { label: 'Territoires', href: '/territoires' },
  { label: 'Observatoire', href: '/observatoire' },
  { label: 'Éligibilité', href: '/eligibilite' },
  { label: 'Inclusion numérique', href: '/inclusion' },
  { label: 'Stratégie', href: '/strategie' },
  { label: 'Ressources', href: '/ressources' },
  { label: 'Données ouvertes', href: '/donnees' },
];

type PageOptions = {
  site: Site;
  title: string;
  path: string;
  viewer?: Viewer;
  csrf?: string;
  breadcrumb?: Crumb[];
  head?: Html;
  scripts?: string[];
  main: Html;
};

function activeHref(path: string): string {
  const hit = NAV.filter((n) => n.href !== '/' && (path === n.href || path.startsWith(`${n.href}/`)));
  return hit[0]?.href ?? (path === '/' ? '/' : '');
}

function breadcrumb(crumbs: Crumb[]): Html {
  if (!crumbs.length) return html``;
  return html`<nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
  <button class="fr-breadcrumb__button" aria-expanded="false" aria-controls="fil-ariane" type="button">Voir le fil d’Ariane</button>
  <div class="fr-collapse" id="fil-ariane">
    <ol class="fr-breadcrumb__list">
      <li><a class="fr-breadcrumb__link" href="/">Accueil</a></li>
      ${crumbs.map((c, i) =>
        i === crumbs.length - 1 || !c.href
          ? html`<li><a class="fr-breadcrumb__link" aria-current="page">${c.label}</a></li>`
          : html`<li><a class="fr-breadcrumb__link" href="${c.href}">${c.label}</a></li>`,
      )}
    </ol>
  </div>
</nav>`;
}

export function page(o: PageOptions): Html {
  const active = activeHref(o.path);
  const viewer = o.viewer ?? null;
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>${o.title} — ${o.site.name}</title>
<link rel="stylesheet" href="/static/dsfr/dsfr.min.css">
<link rel="stylesheet" href="/static/dsfr/utility/utility.min.css">
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/dsfr/favicon/favicon.svg" type="image/svg+xml">
<meta name="theme-color" content="#000091">
${o.head}
</head>
<body>
<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list">
      <li><a class="fr-link" href="#contenu">Contenu</a></li>
      <li><a class="fr-link" href="#navigation-principale">Menu</a></li>
      <li><a class="fr-link" href="#recherche-territoire">Recherche</a></li>
      <li><a class="fr-link" href="#pied-de-page">Pied de page</a></li>
    </ul>
  </nav>
</div>
<header role="banner" class="fr-header">
  <div class="fr-header__body">
    <div class="fr-container">
      <div class="fr-header__body-row">
        <div class="fr-header__brand fr-enlarge-link">
          <div class="fr-header__brand-top">
            <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
            <div class="fr-header__navbar">
              <button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu-modal" aria-haspopup="menu" id="bouton-menu" title="Menu" type="button">Menu</button>
            </div>
          </div>
          <div class="fr-header__service">
            <a href="/" title="Accueil — ${o.site.name}"><p class="fr-header__service-title">${o.site.name}</p></a>
            <p class="fr-header__service-tagline">Aménagement et inclusion numériques — ${o.site.regionNom}</p>
          </div>
        </div>
        <div class="fr-header__tools">
          <div class="fr-header__tools-links">
            <ul class="fr-btns-group">
              ${
                viewer
                  ? html`<li><a class="fr-btn fr-icon-settings-5-line" href="/admin">${viewer.role === 'administrateur' ? 'Administration' : 'Espace éditeur'}</a></li>
                  <li><form method="post" action="/deconnexion"><input type="hidden" name="_csrf" value="${o.csrf ?? ''}"><button class="fr-btn fr-icon-logout-box-r-line" type="submit">Se déconnecter (${viewer.nom})</button></form></li>`
                  : html`<li><a class="fr-btn fr-icon-lock-line" href="${loginHref(o.path === '/connexion' ? null : o.path)}">Se connecter</a></li>`
              }
            </ul>
          </div>
        </div>
      </div>
    </div>
  </div>
  <div class="fr-header__menu fr-modal" id="menu-modal" aria-labelledby="bouton-menu">
    <div class="fr-container">
      <button class="fr-btn--close fr-btn" aria-controls="menu-modal" title="Fermer" type="button">Fermer</button>
      <div class="fr-header__menu-links"></div>
      <nav class="fr-nav" id="navigation-principale" role="navigation" aria-label="Menu principal">
        <ul class="fr-nav__list">
          ${NAV.map((n) => html`<li class="fr-nav__item"><a class="fr-nav__link" href="${n.href}"${n.href === active ? html` aria-current="page"` : html``}>${n.label}</a></li>`)}
        </ul>
      </nav>
    </div>
  </div>
</header>
<main id="contenu" role="main" tabindex="-1">
  <div class="fr-container fr-mb-8w">
    ${breadcrumb(o.breadcrumb ?? [])}
    ${o.main}
  </div>
</main>
<footer class="fr-footer" role="contentinfo" id="pied-de-page">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__brand fr-enlarge-link">
        <a href="/" title="Retour à l’accueil — ${o.site.name}"><p class="fr-logo">République<br>Française</p></a>
      </div>
      <div class="fr-footer__content">
        <p class="fr-footer__content-desc">${o.site.name} : la plateforme de la Région ${o.site.regionNom}, de l’État et de leurs partenaires pour suivre le déploiement des réseaux, l’éligibilité à l’adresse et l’inclusion numérique. Données publiques sous Licence Ouverte 2.0 sauf <a href="/licences">mentions contraires</a> : adresses BANO sous licence ODbL, © les contributeurs d’OpenStreetMap.</p>
        <ul class="fr-footer__content-list">
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.arcep.fr" rel="noopener">arcep.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.data.gouv.fr" rel="noopener">data.gouv.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://www.insee.fr" rel="noopener">insee.fr</a></li>
          <li class="fr-footer__content-item"><a class="fr-footer__content-link" href="https://agence-cohesion-territoires.gouv.fr" rel="noopener">ANCT</a></li>
        </ul>
      </div>
    </div>
    <div class="fr-footer__bottom">
      <ul class="fr-footer__bottom-list">
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/plan-du-site">Plan du site</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : partiellement conforme</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/mentions-legales">Mentions légales</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/donnees-personnelles">Données personnelles</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/licences">Licences des données</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/api/docs">API</a></li>
      </ul>
      <div class="fr-footer__bottom-copy">
        <p>Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus de ce site sont proposés sous <a href="https://github.com/etalab/licence-ouverte/blob/master/LO.md" rel="noopener">licence etalab-2.0</a></p>
      </div>
    </div>
  </div>
</footer>
<script type="module" src="/static/dsfr/dsfr.module.min.js"></script>
${(o.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}
</body>
</html>`;
}

/** A DSFR alert block. */
export function alert(kind: 'info' | 'success' | 'warning' | 'error', title: string, body?: Html | string): Html {
  return html`<div class="fr-alert fr-alert--${kind} fr-mb-3w"><h3 class="fr-alert__title">${title}</h3>${body ? html`<p>${body}</p>` : ''}</div>`;
}

/**
 * A page without header, menu or footer, for embedding in other sites (`<iframe>`): its title, the DSFR
 * styles, `head`, the content and the module scripts. Its links should open outside the frame.
 */
export function bareLayout(o: { site: Site; title: string; head?: Html; scripts?: string[]; main: Html }): Html {
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} — ${o.site.name}</title>
<link rel="stylesheet" href="/static/dsfr/dsfr.min.css">
<link rel="stylesheet" href="/static/app.css">
${o.head}
</head>
<body>
<main id="contenu" class="fr-px-1w">
${o.main}
</main>
${(o.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}
</body>
</html>`;
}
