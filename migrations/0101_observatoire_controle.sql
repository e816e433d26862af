-- Cross-check of ARCEP's published département and région totals against the totals recomputed
-- from commune rows, materialised at the end of every import of the quarterly observatory
-- (computing it per request scanned every commune row).
CREATE TABLE obs_controle (
  niveau text NOT NULL CHECK (niveau IN ('departement', 'region')),
  code text NOT NULL,
  periode text NOT NULL,
  nom text,
  publie double precision,
  somme_communes_publiees double precision,
  recalcule double precision,
  non_rattaches double precision,
  codes_non_rattaches text,
  sortants double precision,
  entrants double precision,
  PRIMARY KEY (niveau, code, periode)
);
