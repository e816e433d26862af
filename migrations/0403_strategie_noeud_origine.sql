-- Where a node comes from: the strategy file (a re-import of the file removes the nodes it no longer has)
-- or a form of the platform (kept by a re-import of the file).
ALTER TABLE strategie_noeud ADD COLUMN origine text NOT NULL DEFAULT 'fichier' CHECK (origine IN ('fichier', 'saisie'));
