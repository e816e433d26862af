-- Targeted coverage (New Deal mobile, dispositif de couverture ciblée): the sites each département's project
-- team asked for, their decree, legal deadline and status. Owner: organisation_propriete type `site_dcc`.
CREATE TABLE mobile_dcc (
  id bigserial PRIMARY KEY,
  cle text NOT NULL UNIQUE,               -- num_arrete/numero_site of ARCEP's file, or entered: dep/zone
  departement text NOT NULL,
  communes text[] NOT NULL DEFAULT '{}',
  nom_zone text NOT NULL,
  operateurs text[] NOT NULL DEFAULT '{}',
  operateur_leader text,
  arrete_reference text,
  arrete_date date,
  echeance date,                          -- 24 months after the decree unless set otherwise
  statut text NOT NULL CHECK (statut IN ('identifie', 'arrete', 'en_construction', 'en_service', 'abandonne')),
  statut_date date,
  lon double precision,
  lat double precision,
  modifie_le timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mobile_dcc_departement ON mobile_dcc (departement);

CREATE TABLE mobile_dcc_historique (
  id bigserial PRIMARY KEY,
  dcc_id bigint NOT NULL REFERENCES mobile_dcc (id) ON DELETE CASCADE,
  statut text NOT NULL,
  statut_date date,
  par text NOT NULL,
  le timestamptz NOT NULL DEFAULT now()
);
