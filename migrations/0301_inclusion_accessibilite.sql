-- Accessibility indicators of the inclusion places (issue 10), recomputed as a whole by the `accessibilite` job.

-- One row per territory (commune, EPCI, département, région of the instance): population and how it was placed.
CREATE TABLE inclusion_accessibilite (
  niveau text NOT NULL,
  code text NOT NULL,
  population bigint NOT NULL,
  -- population of the communes whose inhabitants could be placed (the indicators' denominator)
  population_calculee bigint NOT NULL,
  -- adresses | point-contour | mixte | non-calcule
  methode text NOT NULL,
  communes_adresses int NOT NULL,
  communes_contour int NOT NULL,
  communes_non_calculees int NOT NULL,
  points int NOT NULL,
  calcule_le timestamptz NOT NULL,
  run_id bigint NOT NULL,
  PRIMARY KEY (niveau, code)
);

CREATE TABLE inclusion_accessibilite_indicateur (
  niveau text NOT NULL,
  code text NOT NULL,
  categorie text NOT NULL,
  lieux int NOT NULL,
  lieux_pour_10000_hab double precision,
  distance_moyenne_km double precision,
  distance_mediane_km double precision,
  part_population_plus_5km double precision,
  part_population_plus_10km double precision,
  part_population_plus_20km double precision,
  PRIMARY KEY (niveau, code, categorie)
);

-- For a commune: its nearest place of each category (from its reference point), wherever that place is.
CREATE TABLE inclusion_plus_proche (
  code text NOT NULL,
  categorie text NOT NULL,
  lieu_id bigint NOT NULL,
  nom text NOT NULL,
  distance_km double precision NOT NULL,
  PRIMARY KEY (code, categorie)
);
