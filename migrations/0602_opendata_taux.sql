-- Open-data rate of the instance's région and of each of its départements, one snapshot per import of
-- `opendata-collectivites` (dated by the list's date when given), so that the rate can be followed over time
-- and feed the strategy indicator.
CREATE TABLE opendata_taux (
  run_id bigint NOT NULL,
  mesure_le date NOT NULL,
  niveau text NOT NULL CHECK (niveau IN ('region', 'departement')),
  code text NOT NULL,
  obligees integer NOT NULL CHECK (obligees >= 0),
  publient integer NOT NULL CHECK (publient >= 0),
  fichier text NOT NULL,
  PRIMARY KEY (run_id, niveau, code)
);
CREATE INDEX opendata_taux_territoire_idx ON opendata_taux (niveau, code, mesure_le);
