-- Indice de fragilité numérique (IFN), per commune and per EPCI (issue 10). Each component is a score from 0 to 10;
-- `total` is the file's (the unweighted mean of the five). A re-import of a level replaces that level's rows.
CREATE TABLE inclusion_ifn (
  niveau text NOT NULL CHECK (niveau IN ('commune', 'epci')),
  code text NOT NULL,
  nom text NOT NULL,
  code_publie text NOT NULL,
  no_thd_coverage_rate double precision NOT NULL,
  no_4g_coverage_rate double precision NOT NULL,
  poverty_rate double precision NOT NULL,
  older_65_rate double precision NOT NULL,
  nscol15p_rate double precision NOT NULL,
  total double precision NOT NULL,
  fichier text NOT NULL,
  run_id bigint NOT NULL,
  importe_le timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (niveau, code)
);
