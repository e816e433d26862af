-- Technology scope of targets (issue 7 §1). Ma connexion internet's all-technology file counts
-- satellite, so a "THD for all" target read on it is met everywhere. A target now says which
-- data it is measured on: 'ftth' (ARCEP quarterly FttH observatory), 'toutes' (all technologies,
-- satellite included), 'terrestre' (satellite excluded) or 'filaire' (fibre, cable, copper).
ALTER TABLE obs_objectif ADD COLUMN perimetre text NOT NULL DEFAULT 'terrestre'
  CHECK (perimetre IN ('ftth', 'toutes', 'terrestre', 'filaire'));

-- The strategies' THD targets mean wired or terrestrial access (BFC counts THD radio, Normandie
-- "une infrastructure à très haut débit fixe"); the Gigabit society's targets mean wired access.
UPDATE obs_objectif SET perimetre = CASE
  WHEN indicateur = 'taux_ftth' THEN 'ftth'
  WHEN indicateur IN ('part_thd100', 'part_thd1g') THEN 'filaire'
  ELSE 'terrestre' END;

UPDATE obs_objectif SET note = 'THD : au moins 30 Mbit/s par une technologie terrestre (fibre, câble, cuivre, THD radio, 4G fixe), satellite exclu.'
  WHERE note IN ('THD : au moins 30 Mbit/s, toutes technologies (Ma connexion internet).', 'THD : au moins 30 Mbit/s, toutes technologies.');
UPDATE obs_objectif SET note = 'Mesuré sur tous les locaux raccordables par une technologie filaire (Ma connexion internet), faute de distinguer les foyers.'
  WHERE note = 'Mesuré sur tous les locaux (Ma connexion internet), faute de distinguer les foyers.';
