-- Mobile coverage observatory (issue 12): ARCEP mobile sites, one dated snapshot per import.
-- A snapshot is replaced whole when its date is imported again; other dates stay (history).
CREATE TABLE mobile_releve (
  date date PRIMARY KEY,
  format text NOT NULL CHECK (format IN ('national-2018', 'trimestriel')),
  fichier text NOT NULL,
  run_id bigint,
  importe_le timestamptz NOT NULL DEFAULT now(),
  operateurs text[] NOT NULL,
  sites integer NOT NULL
);

CREATE TABLE mobile_site (
  date date NOT NULL REFERENCES mobile_releve (date) ON DELETE CASCADE,
  ligne integer NOT NULL,
  operateur text NOT NULL CHECK (operateur IN ('orange', 'sfr', 'bouygues', 'free')),
  num_site text,
  commune text NOT NULL,
  -- 'contour': inside the commune's imported polygon; 'fichier': commune code of the file (no polygon held the point).
  placement text NOT NULL CHECK (placement IN ('contour', 'fichier')),
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  -- Lambert-93 as published (metres), when the file gives it.
  x_l93 double precision,
  y_l93 double precision,
  site_2g boolean NOT NULL,
  site_3g boolean NOT NULL,
  site_4g boolean NOT NULL,
  site_5g boolean NOT NULL,
  bandes_5g integer[],
  id_site_partage text,
  zone_blanche boolean,
  couverture_ciblee boolean,
  PRIMARY KEY (date, ligne)
);
CREATE INDEX mobile_site_commune ON mobile_site (commune, date);
