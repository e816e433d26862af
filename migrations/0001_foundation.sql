-- Territories (national model; an instance shows one région).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE region (
  code text PRIMARY KEY,
  nom text NOT NULL,
  nom_norm text NOT NULL,
  chef_lieu text,
  zone text NOT NULL
);

CREATE TABLE departement (
  code text PRIMARY KEY,
  nom text NOT NULL,
  nom_norm text NOT NULL,
  region text NOT NULL REFERENCES region(code),
  chef_lieu text,
  zone text NOT NULL
);

CREATE TABLE epci (
  code text PRIMARY KEY,            -- SIREN
  nom text NOT NULL,
  nom_norm text NOT NULL,
  type text NOT NULL,               -- CC, CA, CU, METRO, MET69
  mode_financement text,
  population integer
);

CREATE TABLE commune (
  code text PRIMARY KEY,            -- code INSEE (COG)
  nom text NOT NULL,
  nom_norm text NOT NULL,
  type text NOT NULL,               -- commune-actuelle | arrondissement-municipal
  departement text NOT NULL REFERENCES departement(code),
  region text NOT NULL REFERENCES region(code),
  arrondissement text,
  epci text REFERENCES epci(code),
  commune_parente text,             -- for arrondissements municipaux (Paris, Lyon, Marseille)
  siren text,
  codes_postaux text[] NOT NULL DEFAULT '{}',
  population integer
);
CREATE INDEX commune_departement_idx ON commune (departement);
CREATE INDEX commune_region_idx ON commune (region);
CREATE INDEX commune_epci_idx ON commune (epci);
CREATE INDEX commune_nom_norm_idx ON commune (nom_norm text_pattern_ops);
CREATE INDEX commune_codes_postaux_idx ON commune USING gin (codes_postaux);

-- Older COG codes (communes déléguées, associées, merged away) → today's commune, so that data
-- published with an older code is attached to the right commune.
CREATE TABLE commune_code_historique (
  code_ancien text PRIMARY KEY,
  code_actuel text NOT NULL REFERENCES commune(code),
  nom text,
  type text NOT NULL                -- commune-deleguee | commune-associee | ancien-code
);

-- Geometries, full and simplified, as GeoJSON. No PostGIS: it is not available on every
-- backend, and maps only need simplified shapes and bounding boxes.
CREATE TABLE territoire_geometrie (
  niveau text NOT NULL CHECK (niveau IN ('region', 'departement', 'epci', 'commune')),
  code text NOT NULL,
  geometrie jsonb NOT NULL,
  geometrie_simplifiee jsonb NOT NULL,
  bbox double precision[] NOT NULL,  -- [minLon, minLat, maxLon, maxLat]
  source text NOT NULL,
  PRIMARY KEY (niveau, code)
);

-- Import runs: one row per run of a job, whatever started it (CLI, admin page, schedule).
CREATE TABLE import_run (
  id bigserial PRIMARY KEY,
  job text NOT NULL,
  source text NOT NULL,
  sha256 text,
  options jsonb NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged')),
  rows_read integer NOT NULL DEFAULT 0,
  rows_accepted integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  rejects jsonb NOT NULL DEFAULT '[]',   -- sample: [{ line, reason, raw }]
  message text,
  started_by text
);
CREATE INDEX import_run_job_idx ON import_run (job, started_at DESC);

-- Accounts.
CREATE TABLE organisation (
  id bigserial PRIMARY KEY,
  nom text NOT NULL UNIQUE,
  type text NOT NULL,                 -- departement, syndicat-mixte, gip, chambre, tiers-lieu, region, prefecture, autre
  territoire_niveau text,
  territoire_code text
);

CREATE TABLE utilisateur (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  nom text NOT NULL,
  mot_de_passe_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('administrateur', 'editeur')),
  organisation_id bigint REFERENCES organisation(id),
  actif boolean NOT NULL DEFAULT true,
  cree_le timestamptz NOT NULL DEFAULT now(),
  CHECK (role = 'administrateur' OR organisation_id IS NOT NULL)
);

CREATE TABLE session (
  id_hash text PRIMARY KEY,           -- SHA-256 of the cookie token: a stolen table gives no session
  utilisateur_id bigint NOT NULL REFERENCES utilisateur(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  cree_le timestamptz NOT NULL DEFAULT now(),
  expire_le timestamptz NOT NULL
);

CREATE TABLE journal_audit (
  id bigserial PRIMARY KEY,
  utilisateur_id bigint REFERENCES utilisateur(id),
  acteur text NOT NULL,               -- e-mail, or 'cli' / 'système'
  action text NOT NULL,
  objet_type text NOT NULL,
  objet_id text,
  avant jsonb,
  apres jsonb,
  le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_audit_le_idx ON journal_audit (le DESC);

-- Scheduled imports: the server runs due ones (same runner as the CLI and the admin page).
CREATE TABLE import_planification (
  id bigserial PRIMARY KEY,
  job text NOT NULL,
  source text NOT NULL,               -- URL (or server path set by an administrator)
  options jsonb NOT NULL DEFAULT '{}',
  intervalle_heures integer NOT NULL CHECK (intervalle_heures BETWEEN 1 AND 8784),
  prochaine_execution timestamptz NOT NULL,
  actif boolean NOT NULL DEFAULT true
);
