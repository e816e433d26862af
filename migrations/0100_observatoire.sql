-- Observatory of fixed broadband (issue 3).
-- Raw tables keep the rows as published (code of the file's COG vintage, and the current commune
-- it maps to, NULL when it maps to none: such rows are listed in the run's rejects and in the
-- cross-check). `obs_serie` is the materialised table the pages read: recomputed from the raw
-- tables at the end of every import transaction. No foreign key to `commune`: a COG reload must
-- not be blocked by observatory rows.

-- One row per imported file: what every figure cites (file, date, producer, licence).
CREATE TABLE obs_source (
  id bigserial PRIMARY KEY,
  jeu text NOT NULL CHECK (jeu IN ('arcep-deploiements', 'mci-communes', 'logements-insee')),
  fichier text NOT NULL,
  sha256 text,
  producteur text NOT NULL,
  licence text NOT NULL,
  importe_le timestamptz NOT NULL DEFAULT now()
);

-- ARCEP quarterly observatory, commune deployment sheet: FttH premises connectable per quarter.
CREATE TABLE obs_ftth_brut (
  code_publie text NOT NULL,
  periode text NOT NULL,                 -- '2018-T1'
  departement_publie text NOT NULL,
  code_actuel text,                      -- NULL: code unknown to today's COG (rejected, listed)
  locaux_raccordables integer NOT NULL,
  categorie smallint,                    -- ARCEP coverage class (0, 5, 10, 25, 50, 80)
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (code_publie, periode)
);
CREATE INDEX obs_ftth_brut_periode_idx ON obs_ftth_brut (periode, departement_publie);

-- ARCEP "informations" sheet per commune, for the quarter of the file (millésime).
CREATE TABLE obs_info_brut (
  code_publie text NOT NULL,
  millesime text NOT NULL,               -- quarter of the workbook: '2018-T1'
  departement_publie text NOT NULL,
  epci_publie text,
  code_actuel text,
  nom text,
  logements integer,
  etablissements integer,
  meilleure_estimation_locaux integer,
  zone_tres_dense boolean,
  engagement_l3313 text,                 -- operators committed under article L. 33-13 (e.g. FRTE, SFR0)
  intention_privee boolean,
  commune_rurale boolean,
  commune_montagne boolean,
  operateurs text,
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (code_publie, millesime)
);

-- ARCEP's own aggregates (EPCI, département, région and arrondissement sheets), kept to
-- cross-check the totals recomputed from commune rows. champ: locaux_raccordables, categorie,
-- mutualisation_1..4 (share 0-1), logements, etablissements.
CREATE TABLE obs_publie (
  niveau text NOT NULL CHECK (niveau IN ('epci', 'departement', 'region', 'arrondissement')),
  code text NOT NULL,
  periode text NOT NULL,
  champ text NOT NULL,
  valeur double precision,
  nom text,
  parent text,                           -- arrondissement: its commune; département: its région
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (niveau, code, periode, champ)
);

-- Ma connexion internet, commune_debit*.csv: premises per speed class, cumulative counts
-- (elig_x = premises with at least class x), as ARCEP's field names.
CREATE TABLE obs_mci_brut (
  code_publie text NOT NULL,
  periode text NOT NULL,                 -- ISO date of the file's `date` column
  perimetre text NOT NULL CHECK (perimetre IN ('toutes', 'terrestre', 'filaire', 'dsl')),
  departement_publie text NOT NULL,
  code_actuel text,
  nbr integer NOT NULL,
  inel_hd integer NOT NULL,
  elig_hd05 integer NOT NULL,
  elig_hd3 integer NOT NULL,
  elig_bhd8 integer NOT NULL,
  elig_thd30 integer NOT NULL,
  elig_thd100 integer,
  elig_thd1g integer,
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (code_publie, periode, perimetre)
);
CREATE INDEX obs_mci_brut_periode_idx ON obs_mci_brut (periode, perimetre, departement_publie);

-- INSEE dwellings per commune (base communale logement): the alternative denominator.
CREATE TABLE obs_logements_insee (
  code_publie text NOT NULL,
  millesime text NOT NULL,               -- census year: '2021'
  departement_publie text NOT NULL,
  code_actuel text,
  logements double precision NOT NULL,
  residences_principales double precision,
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (code_publie, millesime)
);

-- Materialised indicators per territory and period (recomputed at the end of each import).
CREATE TABLE obs_serie (
  niveau text NOT NULL CHECK (niveau IN ('commune', 'epci', 'departement', 'region', 'france')),
  code text NOT NULL,
  periode text NOT NULL,
  date_fin date NOT NULL,
  jeu text NOT NULL CHECK (jeu IN ('arcep-deploiements', 'mci-communes')),
  perimetre text NOT NULL,               -- 'ftth' for the quarterly observatory; MCI: toutes, terrestre, filaire, dsl
  communes integer NOT NULL,
  locaux_raccordables bigint,
  categorie smallint,
  logements bigint,
  etablissements bigint,
  locaux bigint,                         -- logements + établissements (ARCEP informations sheet)
  millesime_locaux text,
  logements_insee double precision,
  communes_ftth_completes integer,
  communes_ftth_nulles integer,
  nbr bigint,
  inel_hd bigint,
  elig_hd05 bigint,
  elig_hd3 bigint,
  elig_bhd8 bigint,
  elig_thd30 bigint,
  elig_thd100 bigint,
  elig_thd1g bigint,
  communes_thd_completes integer,
  communes_thd_nulles integer,
  PRIMARY KEY (niveau, code, jeu, perimetre, periode)
);

-- Which files each period of each data set comes from.
CREATE TABLE obs_serie_source (
  jeu text NOT NULL,
  perimetre text NOT NULL,
  periode text NOT NULL,
  source_id bigint NOT NULL REFERENCES obs_source(id),
  PRIMARY KEY (jeu, perimetre, periode, source_id)
);

-- Targets, as data (editable by administrators), seeded from the strategies.
CREATE TABLE obs_objectif (
  id bigserial PRIMARY KEY,
  libelle text NOT NULL,
  strategie text NOT NULL,
  territoire_niveau text NOT NULL CHECK (territoire_niveau IN ('france', 'region', 'departement', 'epci', 'commune')),
  territoire_code text NOT NULL,
  indicateur text NOT NULL CHECK (indicateur IN ('taux_ftth', 'part_bhd8', 'part_thd30', 'part_thd100', 'part_thd1g')),
  cible double precision NOT NULL CHECK (cible > 0 AND cible <= 1),
  echeance date NOT NULL,
  source text NOT NULL,
  note text,
  actif boolean NOT NULL DEFAULT true
);

INSERT INTO obs_objectif (libelle, strategie, territoire_niveau, territoire_code, indicateur, cible, echeance, source, note) VALUES
  ('Très haut débit pour tous en 2022', 'SCORAN Bourgogne-Franche-Comté', 'region', '27', 'part_thd30', 1, '2022-12-31',
   'SCORAN Bourgogne-Franche-Comté, orientation 1', 'THD : au moins 30 Mbit/s, toutes technologies (Ma connexion internet).'),
  ('FttH partout en 2025', 'SCORAN Bourgogne-Franche-Comté', 'region', '27', 'taux_ftth', 1, '2025-12-31',
   'SCORAN Bourgogne-Franche-Comté, orientation 1', 'Locaux raccordables FttH rapportés aux locaux (observatoire trimestriel de l’Arcep).'),
  ('60 % de très haut débit en 2020', 'Stratégie numérique Normandie', 'region', '28', 'part_thd30', 0.6, '2020-12-31',
   'Stratégie d’aménagement numérique de la Normandie', 'THD : au moins 30 Mbit/s, toutes technologies.'),
  ('100 % de très haut débit en 2025', 'Stratégie numérique Normandie', 'region', '28', 'part_thd30', 1, '2025-12-31',
   'Stratégie d’aménagement numérique de la Normandie', 'THD : au moins 30 Mbit/s, toutes technologies.'),
  ('100 Mbit/s pour tous les foyers en 2025', 'Société du gigabit (Union européenne)', 'france', 'FR', 'part_thd100', 1, '2025-12-31',
   'Commission européenne, « Connectivité pour un marché unique numérique compétitif — vers une société européenne du gigabit », COM(2016) 587', 'Mesuré sur tous les locaux (Ma connexion internet), faute de distinguer les foyers.'),
  ('1 Gbit/s pour les principaux acteurs socio-économiques en 2025', 'Société du gigabit (Union européenne)', 'france', 'FR', 'part_thd1g', 1, '2025-12-31',
   'Commission européenne, COM(2016) 587', 'Approché par la part de tous les locaux éligibles à 1 Gbit/s : les données ne distinguent pas les acteurs socio-économiques.');
