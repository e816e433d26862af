-- Eligibility at the address: ARCEP building files (Ma connexion internet base_imb + actuel,
-- Cartefibre buildings), France THD fallback partners, public networks (RIP).
-- Each building carries the result of its match to an `adresse` row (method + distance), recomputed
-- at each building import and after each address import.

-- MCI operators (operateur.csv: code, code_interop, nom).
CREATE TABLE mci_operateur (
  code text PRIMARY KEY,
  code_interop text,
  nom text NOT NULL
);

-- MCI building base (base_imb.csv), one row per building. imb_id is not stable between quarters:
-- a commune's buildings and their eligibility rows are always replaced together.
CREATE TABLE mci_immeuble (
  imb_id text PRIMARY KEY,
  imb_code text,                      -- IPE building code when imb_source = 'fo'
  code_insee text NOT NULL,           -- current commune (imb_code_insee mapped through commune_code_historique)
  code_insee_source text NOT NULL,    -- as published
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  nb_locaux integer,                  -- imb_nbr_logloc
  imb_source text,                    -- fo | ban | cada (2025+: fpb, fpban)
  imb_type text,                      -- imm | pav (2025+: IM | PA)
  addr_code text,                     -- BAN interoperability key when addr_source = 'ban'
  imb_num text,
  addr_numero integer,
  addr_rep text,
  addr_nom_voie text,
  addr_nom_ld text,
  addr_code_insee text,
  addr_nom_commune text,
  addr_id_fantoir text,
  addr_source text,
  adresse_id text,                    -- matched address (no FK: addresses are replaced by their own job)
  appariement text NOT NULL DEFAULT 'aucun' CHECK (appariement IN ('cle_interop', 'code_immeuble', 'voie_numero', 'proximite', 'commune_plus_proche', 'aucun')),
  distance_m double precision
);
CREATE INDEX mci_immeuble_code_insee_idx ON mci_immeuble (code_insee);
CREATE INDEX mci_immeuble_adresse_idx ON mci_immeuble (adresse_id);
CREATE INDEX mci_immeuble_imb_code_idx ON mci_immeuble (imb_code);

-- MCI eligibility (actuel.csv): building × operator × technology.
CREATE TABLE mci_eligibilite (
  imb_id text NOT NULL REFERENCES mci_immeuble(imb_id) ON DELETE CASCADE,
  code_operateur text NOT NULL,
  code_techno text NOT NULL CHECK (code_techno IN ('CU', 'COAX', 'FO', '4GF', 'THDR', 'WMX', 'SAT')),
  classe_descendant text CHECK (classe_descendant IN ('INEL', 'HD05', 'HD3', 'BHD8', 'THD30', 'THD100', 'THD1G')),
  classe_montant text CHECK (classe_montant IN ('INEL', 'HD05', 'HD3', 'BHD8', 'THD30', 'THD100', 'THD1G')),
  limitation_go integer,
  saturation boolean NOT NULL DEFAULT false
);
CREATE INDEX mci_eligibilite_imb_idx ON mci_eligibilite (imb_id);

-- ARCEP Cartefibre building file (IPE collected each quarter).
CREATE TABLE fibre_immeuble (
  imb_id text PRIMARY KEY,            -- IPE building code
  code_insee text NOT NULL,
  code_insee_source text,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  num_voie integer,
  cp_no_voie text,                    -- repetition index (bis, ter…)
  type_voie text,
  nom_voie text,
  batiment text,
  code_poste text,
  nom_com text,
  catg_loc_imb text,                  -- premises bracket: individuel, entre 2 et 11…
  nb_locaux integer,                  -- exact count when the file has one
  imb_etat text NOT NULL CHECK (imb_etat IN ('cible', 'signe', 'en_cours_deploiement', 'raccordable_demande', 'deploye', 'abandonne')),
  pm_ref text,
  pm_etat text,
  code_l331 text,                     -- building operator (opérateur d'immeuble)
  type_imb text,
  date_completude date,               -- PM zone completeness date (deployment deadline)
  pm_date_mad date,
  adresse_id text,
  appariement text NOT NULL DEFAULT 'aucun' CHECK (appariement IN ('cle_interop', 'code_immeuble', 'voie_numero', 'proximite', 'commune_plus_proche', 'aucun')),
  distance_m double precision
);
CREATE INDEX fibre_immeuble_code_insee_idx ON fibre_immeuble (code_insee);
CREATE INDEX fibre_immeuble_adresse_idx ON fibre_immeuble (adresse_id);

-- France Très Haut Débit partners per département (satellite, 4G fixe, THD radio).
CREATE TABLE offre_repli (
  departement text NOT NULL,          -- insee_dep as published (includes 975, 977, 978)
  departement_nom text,
  operateur text NOT NULL,
  technologie text NOT NULL,          -- as published: "Satellite et 4G", "4G et THD radio"…
  satellite boolean NOT NULL,
  quatre_g boolean NOT NULL,
  thd_radio boolean NOT NULL,
  site text,
  aide_etat boolean NOT NULL,         -- prise_en_charge_aide = Oui
  PRIMARY KEY (departement, operateur)
);
-- Départements the file covers with no partner offer (its own words kept).
CREATE TABLE offre_repli_absence (
  departement text PRIMARY KEY,
  departement_nom text,
  message text NOT NULL
);

-- Public initiative networks (RIP), edited by administrators.
CREATE TABLE rip (
  id bigserial PRIMARY KEY,
  nom text NOT NULL UNIQUE,
  porteur text,                       -- public owner (syndicat mixte, département…)
  exploitant text,                    -- delegate / wholesale operator
  contact_gros text,                  -- wholesale contact (name, service)
  email text,
  telephone text,
  site text,
  modifie_le timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rip_commune (
  rip_id bigint NOT NULL REFERENCES rip(id) ON DELETE CASCADE,
  code_insee text NOT NULL,          -- no FK: a new COG vintage may remove communes
  PRIMARY KEY (rip_id, code_insee)
);
CREATE INDEX rip_commune_code_idx ON rip_commune (code_insee);
