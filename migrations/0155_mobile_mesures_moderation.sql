-- Moderation of crowdsourced measurements: an editor hides an atypical one (kept, not published).
ALTER TABLE mobile_mesure ADD COLUMN masquee boolean NOT NULL DEFAULT false;
ALTER TABLE mobile_mesure ADD COLUMN moderee_par text;
