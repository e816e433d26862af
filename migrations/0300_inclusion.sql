-- Digital inclusion (issue 10): merged places and each source's contribution to them.
-- A place (`inclusion_lieu`) is what the directory shows; its fields are recomputed from its contributions.
-- A contribution keeps one source's record as it was read (id, date, licence, normalised fields), so that a
-- re-import of one source replaces only that source's rows and the merge can be recomputed.

CREATE TABLE inclusion_lieu (
  id bigserial PRIMARY KEY,
  nom text NOT NULL,
  nom_norm text NOT NULL,
  categories text[] NOT NULL DEFAULT '{}',
  services text[] NOT NULL DEFAULT '{}',
  siret text,
  code_insee text,
  commune text,
  code_postal text,
  adresse text,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  precision text NOT NULL DEFAULT 'adresse' CHECK (precision IN ('adresse', 'commune')),
  telephone text,
  courriel text,
  site_web text,
  horaires text,
  itinerant boolean NOT NULL DEFAULT false,
  label_tiers_lieu boolean NOT NULL DEFAULT false,
  date_maj date,
  recherche text NOT NULL DEFAULT ''
);
CREATE INDEX inclusion_lieu_code_insee ON inclusion_lieu (code_insee);
CREATE INDEX inclusion_lieu_categories ON inclusion_lieu USING gin (categories);

CREATE TABLE inclusion_contribution (
  -- dataset the record comes from (`france-services`, `cnfs-cartographie`, `data-inclusion`…)
  source text NOT NULL,
  source_id text NOT NULL,
  lieu_id bigint NOT NULL REFERENCES inclusion_lieu (id) ON DELETE CASCADE,
  job text NOT NULL,
  fichier text NOT NULL,
  format text NOT NULL,
  date_maj date,
  licence text NOT NULL,
  run_id bigint,
  importe_le timestamptz NOT NULL DEFAULT now(),
  nom_norm text NOT NULL,
  siret text,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  donnees jsonb NOT NULL,
  PRIMARY KEY (source, source_id)
);
CREATE INDEX inclusion_contribution_lieu ON inclusion_contribution (lieu_id);
