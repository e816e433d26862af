import { contributions } from '../opendata/personal-data.ts';

/** What the strategy keeps about an account holder: authorship of its changes, contacts typed in. */
export const strategyPersonalData = contributions('strategie', 'Pilotage de la stratégie (auteur des modifications)', [
  { table: 'strategie_historique', column: 'auteur', label: 'historique' },
  { table: 'strategie_historique', column: 'avant', json: true, label: 'historique' },
  { table: 'strategie_historique', column: 'apres', json: true, label: 'historique' },
  { table: 'strategie_mesure', column: 'auteur', label: 'mesures' },
  { table: 'strategie_decision', column: 'auteur', label: 'decisions' },
  { table: 'strategie_lien', column: 'auteur', label: 'liens' },
  { table: 'strategie_noeud', column: 'contact', label: 'contacts_actions' },
  { table: 'strategie_indicateur', column: 'responsable', label: 'responsables_indicateurs' },
]);
