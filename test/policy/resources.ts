import { setOwner } from '../../src/accounts/ownership.ts';
import { insertActeur } from '../../src/resources/queries.ts';
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

export const matrix: Matrix = {
  'POST /ressources/acteurs': {
    expect: CREATE,
    request: async (env) => ({ url: '/ressources/acteurs', form: acteurForm(env) }),
  },
  'POST /ressources/acteurs/:id': {
    expect: OWNED,
    request: async (env) => ({ url: `/ressources/acteurs/${await acteurOfA(env)}`, form: acteurForm(env) }),
  },
};
