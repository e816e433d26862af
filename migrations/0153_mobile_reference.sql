-- National reference of Mon réseau mobile (metropolitan France), shown beside the regional figures.
-- One set at a time: an import replaces it.
CREATE TABLE mobile_reference (
  operateur text PRIMARY KEY CHECK (operateur IN ('orange', 'sfr', 'bouygues', 'free')),
  millesime text NOT NULL,
  fichier text NOT NULL,
  importe_le timestamptz NOT NULL DEFAULT now(),
  couv_4g_population double precision,
  couv_4g_territoire double precision,
  debit_descendant_mbps double precision,
  debit_montant_mbps double precision,
  sites_5g_700 integer,
  sites_5g_2100 integer,
  sites_5g_3500 integer
);
