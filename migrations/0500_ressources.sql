-- Shared resources space (issue 13): funding aids (guichet unique) and their territories.

-- Funding aids, imported (Aides-territoires API JSON, its CSV import schema, its site's CSV export).
-- A re-import updates the aid with the same source id, or else with the same link.
CREATE TABLE aide (
  id bigserial PRIMARY KEY,
  source_id text,                          -- id in the source (API `id`), when it gives one
  lien text,                               -- page of the aid (Aides-territoires or the funder's)
  nom text NOT NULL,
  porteurs text[] NOT NULL DEFAULT '{}',   -- funders as published
  beneficiaires text[] NOT NULL DEFAULT '{}',       -- slugs: commune, epci, departement, region, association…
  beneficiaires_libelles text[] NOT NULL DEFAULT '{}',
  types text[] NOT NULL DEFAULT '{}',      -- slugs: subvention, pret, avance, ingenierie, appel-a-projets, autre
  types_libelles text[] NOT NULL DEFAULT '{}',
  themes text[] NOT NULL DEFAULT '{}',     -- the source's categories, as published
  appel_a_projets boolean NOT NULL DEFAULT false,
  recurrence text,
  date_ouverture date,
  date_echeance date,
  taux text,
  description text,
  eligibilite text,
  contact text,
  perimetre text,                          -- the perimeter as the source names it
  fichier text NOT NULL,
  format text NOT NULL,                    -- api-json | schema-csv | export-csv
  run_id bigint NOT NULL,
  importe_le timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX aide_source_id_idx ON aide (source_id) WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX aide_lien_idx ON aide (lien) WHERE lien IS NOT NULL;
CREATE INDEX aide_echeance_idx ON aide (date_echeance);

-- Territories an aid is open to; none means the source gave no perimeter ("non précisé").
CREATE TABLE aide_territoire (
  aide_id bigint NOT NULL REFERENCES aide(id) ON DELETE CASCADE,
  niveau text NOT NULL CHECK (niveau IN ('pays', 'region', 'departement', 'epci', 'commune')),
  code text NOT NULL,
  libelle text NOT NULL,
  PRIMARY KEY (aide_id, niveau, code)
);
CREATE INDEX aide_territoire_code_idx ON aide_territoire (niveau, code);

-- Theme list of the space: the 11 thematic workshops of the SCORAN Bourgogne-Franche-Comté (2019), editable.
CREATE TABLE ressource_theme (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9-]+$'),
  libelle text NOT NULL,
  ordre integer NOT NULL
);
INSERT INTO ressource_theme (slug, libelle, ordre) VALUES
  ('sante', 'Santé', 1),
  ('mobilite', 'Mobilité', 2),
  ('economie-numerique', 'Économie numérique', 3),
  ('transition-environnementale', 'Transition environnementale, énergétique et développement durable', 4),
  ('filiere-numerique', 'Filière numérique', 5),
  ('tourisme-patrimoine', 'Tourisme et patrimoine', 6),
  ('inclusion-numerique', 'Inclusion numérique', 7),
  ('data-cloud', 'Data et cloud régional', 8),
  ('education-formation', 'Éducation et formation', 9),
  ('services-publics', 'Services publics', 10),
  ('habitat', 'Habitat', 11);

-- Directory of the territory's digital actors. Owned through organisation_propriete (objet_type 'acteur').
CREATE TABLE acteur (
  id bigserial PRIMARY KEY,
  nom text NOT NULL,
  categorie text NOT NULL,                 -- collectivite, syndicat-mixte, gip, operateur, association, entreprise…
  niveau text CHECK (niveau IN ('region', 'departement', 'epci', 'commune')),
  code_territoire text,
  themes text[] NOT NULL DEFAULT '{}',     -- slugs of ressource_theme
  competences text,
  description text,
  siret text,
  siren text,
  rna text,
  site text,
  contact_public text,
  cree_le timestamptz NOT NULL DEFAULT now(),
  modifie_le timestamptz NOT NULL DEFAULT now(),
  CHECK ((niveau IS NULL) = (code_territoire IS NULL))
);

-- Full-text search over every content type of the space: accent-folded text (folded in the
-- application, so PGlite and PostgreSQL behave the same without the unaccent extension) stemmed
-- by the 'french' configuration.
CREATE TABLE ressource_recherche (
  type text NOT NULL,                      -- aide, acteur…
  objet_id bigint NOT NULL,
  titre text NOT NULL,
  corps text NOT NULL,
  titre_plie text NOT NULL,
  corps_plie text NOT NULL,
  themes text[] NOT NULL DEFAULT '{}',
  territoires text[] NOT NULL DEFAULT '{}', -- 'niveau:code'
  url text NOT NULL,
  document tsvector NOT NULL,
  PRIMARY KEY (type, objet_id)
);
CREATE INDEX ressource_recherche_document_idx ON ressource_recherche USING gin (document);
