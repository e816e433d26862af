import { setOwner } from '../../src/accounts/ownership.ts';
import { insertActeur, insertActualite, insertEvenement } from '../../src/resources/queries.ts';
import { CREATE, type Env, type Matrix, OWNED } from './types.ts';

/** Role matrix of the resources space (issue 13): the directory of actors. */
const acteurForm = (env: Env) => ({
  nom: `Acteur ${env.seq()}`,
  categorie: 'association',
  niveau: 'departement',
  code_territoire: '21',
  themes: 'inclusion-numerique',
  siren: '200053726',
});

async function acteurOfA(env: Env): Promise<number> {
  const id = await insertActeur(env.db, {
    nom: `Acteur de A ${env.seq()}`,
    categorie: 'association',
    niveau: null,
    code_territoire: null,
    themes: [],
    competences: null,
    description: null,
    siret: null,
    siren: null,
    rna: null,
    site: null,
    contact_public: null,
  });
  await setOwner(env.db, 'acteur', id, env.orgA);
  return id;
}

const year = new Date().getFullYear() + 1;
const eventForm = (env: Env) => ({
  titre: `Atelier ${env.seq()}`,
  debut: `${year}-05-04T09:00`,
  fin: `${year}-05-04T12:00`,
  lieu: 'Dijon',
  themes: 'mobilite',
});
const newsForm = (env: Env) => ({
  titre: `Actualité ${env.seq()}`,
  source_nom: 'Arcep',
  publie_le: '2026-11-02',
  resume: 'Publication des déploiements.',
});

async function eventOfA(env: Env): Promise<number> {
  const id = await insertEvenement(env.db, {
    titre: `Événement de A ${env.seq()}`,
    debut: new Date(`${year}-05-04T07:00:00Z`),
    fin: new Date(`${year}-05-04T10:00:00Z`),
    lieu: 'Dijon',
    lien_en_ligne: null,
    organisateur: null,
    themes: [],
    inscription: null,
    description: null,
  });
  await setOwner(env.db, 'evenement', id, env.orgA);
  return id;
}

async function newsOfA(env: Env): Promise<number> {
  const id = await insertActualite(env.db, {
    titre: `Actualité de A ${env.seq()}`,
    source_nom: 'Arcep',
    lien: null,
    publie_le: '2026-11-02',
    etiquettes: [],
    resume: 'Résumé.',
  });
  await setOwner(env.db, 'actualite', id, env.orgA);
  return id;
}

export const matrix: Matrix = {
  'POST /ressources/agenda': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/agenda', form: eventForm(env) }),
  },
  'POST /ressources/agenda/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/agenda/${await eventOfA(env)}`, form: eventForm(env) }),
  },
  'POST /ressources/actualites': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/actualites', form: newsForm(env) }),
  },
  'POST /ressources/actualites/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/actualites/${await newsOfA(env)}`, form: newsForm(env) }),
  },
  'POST /ressources/acteurs': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/acteurs', form: acteurForm(env) }),
  },
  'POST /ressources/acteurs/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/acteurs/${await acteurOfA(env)}`, form: acteurForm(env) }),
  },
};
