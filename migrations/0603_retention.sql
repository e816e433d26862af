-- Retention of personal data (issue 14): the job `retention`, run daily by the scheduler (empty source: the
-- job's own rules), and the register's statements that its default durations implement (RETENTION_* settings).
INSERT INTO import_planification (job, source, options, intervalle_heures, prochaine_execution)
VALUES ('retention', '', '{}', 24, date_trunc('day', now()) + interval '1 day 3 hours');

UPDATE registre_traitement SET
  duree_conservation = 'Pendant la durée du compte ; le compte désactivé est conservé pour l’historique des saisies. Le titulaire peut effacer son compte (droit à l’effacement) : adresse, nom et empreinte du mot de passe sont supprimés, ses contributions et les entrées du journal restent, attribuées à « compte effacé n° … ».',
  modifie_le = now()
WHERE code = 'comptes';

UPDATE registre_traitement SET
  duree_conservation = 'Sessions : 12 heures (supprimées à l’expiration, au plus tard par la purge quotidienne). Échecs de connexion : 1 jour.',
  modifie_le = now()
WHERE code = 'sessions';

UPDATE registre_traitement SET
  duree_conservation = '3 ans : les entrées plus anciennes sont supprimées chaque jour par le traitement « retention ». L’auteur d’une entrée dont le compte a été effacé y devient « compte effacé n° … ».',
  modifie_le = now()
WHERE code = 'journal-audit';

INSERT INTO registre_traitement (code, rang, nom, finalite, base_legale, categories_donnees, categories_personnes,
  duree_conservation, destinataires, transferts, mesures_securite) VALUES
('mesures-mobiles', 8, 'Mesures participatives de la couverture mobile',
 'Mesurer la qualité réelle des réseaux mobiles sur le territoire à partir des mesures envoyées par les habitants.',
 'Mission d’intérêt public (article 6.1.e du RGPD) ; envoi volontaire.',
 'Position arrondie à environ 100 m, commune, date et heure, opérateur, technologie, débits, latence, signal, type d’appareil ; aucune adresse IP, aucun identifiant, aucun texte libre.',
 'Personnes qui envoient une mesure.',
 'Position à environ 100 m pendant 1 an, puis arrondie à environ 1 km ; mesures supprimées après 5 ans (traitement quotidien « retention »).',
 'Public, en agrégats par commune (les mesures masquées par modération ne sont pas publiées).',
 'Aucun transfert hors de l’Union européenne.',
 'Position arrondie dès la réception, empreinte des valeurs effacée avec l’arrondi, modération journalisée.');
