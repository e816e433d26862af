-- Open-data observatory of collectivités: the organisations that publish open data (OpenDataFrance
-- observatory list, or a status CSV), one row per SIREN, replaced by each import of the job
-- `opendata-collectivites`. `niveau`/`code` is the territory the organisation is the collectivité of
-- (commune, EPCI, département, région), resolved at import; null for associated actors.
CREATE TABLE opendata_organisation (
  siren text PRIMARY KEY,
  nom text NOT NULL,
  niveau text CHECK (niveau IN ('region', 'departement', 'epci', 'commune')),
  code text,
  url_plateforme text,
  id_datagouv text,
  technologie text,
  jeux integer CHECK (jeux >= 0),
  derniere_publication date,
  fichier text NOT NULL,
  run_id bigint NOT NULL,
  importe_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opendata_organisation_territoire_idx ON opendata_organisation (niveau, code);
