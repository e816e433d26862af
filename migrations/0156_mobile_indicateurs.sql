-- Mobile indicators (issue 12), computed by each `sites-mobiles` import from its sites and the imported commune
-- contours (src/mobile/indicators.ts). A snapshot imported before this migration has none until imported again.
-- Shared site: another operator's site of the same snapshot lies within 50 m (great-circle distance).
ALTER TABLE mobile_site ADD COLUMN partage boolean;

-- One row per snapshot and commune that has a contour: its area (spherical, from the full-resolution contour)
-- and its centre (area-weighted centroid of the contour).
CREATE TABLE mobile_commune_releve (
  date date NOT NULL REFERENCES mobile_releve (date) ON DELETE CASCADE,
  commune text NOT NULL,
  aire_km2 double precision NOT NULL,
  centre_lon double precision NOT NULL,
  centre_lat double precision NOT NULL,
  PRIMARY KEY (date, commune)
);

-- One row per snapshot, commune with a contour and operator the file covers: its 4G sites placed in the commune,
-- and the distance from the commune's centre to the operator's nearest 4G site (null: none within 30 km).
CREATE TABLE mobile_commune_operateur (
  date date NOT NULL,
  commune text NOT NULL,
  operateur text NOT NULL CHECK (operateur IN ('orange', 'sfr', 'bouygues', 'free')),
  sites_4g integer NOT NULL,
  distance_4g_km double precision,
  PRIMARY KEY (date, commune, operateur),
  FOREIGN KEY (date, commune) REFERENCES mobile_commune_releve (date, commune) ON DELETE CASCADE
);
