-- Crowdsourced mobile measurements (issue 12). No IP address and no free text are stored; the position is
-- kept rounded to about 100 m (3 decimals), the commune is found from the exact point before rounding.
CREATE TABLE mobile_mesure (
  id bigserial PRIMARY KEY,
  recu_le timestamptz NOT NULL DEFAULT now(),
  horodatage timestamptz NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  commune text,
  operateur text NOT NULL CHECK (operateur IN ('orange', 'sfr', 'bouygues', 'free')),
  techno text NOT NULL CHECK (techno IN ('2G', '3G', '4G', '5G')),
  debit_descendant_mbps double precision NOT NULL CHECK (debit_descendant_mbps >= 0),
  debit_montant_mbps double precision NOT NULL CHECK (debit_montant_mbps >= 0),
  latence_ms double precision NOT NULL CHECK (latence_ms > 0),
  signal_dbm double precision,
  appareil text CHECK (appareil IN ('smartphone', 'tablette', 'modem', 'autre')),
  interieur boolean,
  origine text NOT NULL CHECK (origine IN ('api', 'formulaire')),
  -- SHA-256 of the published values: the same measurement sent again within a minute is dropped.
  empreinte text NOT NULL
);
CREATE INDEX mobile_mesure_commune ON mobile_mesure (commune, operateur);
CREATE INDEX mobile_mesure_empreinte ON mobile_mesure (empreinte, recu_le);
