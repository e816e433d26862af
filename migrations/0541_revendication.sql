-- An organisation claims an actor card: a member asks (with a reason), an administrator validates (the card
-- then belongs to the organisation in organisation_propriete) or refuses (with a reason).
CREATE TABLE acteur_revendication (
  id bigserial PRIMARY KEY,
  acteur_id bigint NOT NULL REFERENCES acteur (id) ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
  demandeur_id bigint REFERENCES utilisateur (id) ON DELETE SET NULL,
  motif text NOT NULL,
  statut text NOT NULL DEFAULT 'en_attente' CHECK (statut IN ('en_attente', 'validee', 'refusee')),
  motif_refus text,
  demande_le timestamptz NOT NULL DEFAULT now(),
  decide_par bigint REFERENCES utilisateur (id) ON DELETE SET NULL,
  decide_le timestamptz,
  CHECK (statut <> 'refusee' OR motif_refus IS NOT NULL)
);
-- One open claim per card and organisation.
CREATE UNIQUE INDEX acteur_revendication_ouverte_idx ON acteur_revendication (acteur_id, organisation_id)
  WHERE statut = 'en_attente';
