import { contributions } from '../opendata/personal-data.ts';

/**
 * What the mobile module keeps about an account holder: the moderation of measurements and the status
 * changes of targeted-coverage sites (crowdsourced measurements themselves are anonymous).
 */
export const mobilePersonalData = contributions('mobile', 'Mesures et sites mobiles (modération, suivi)', [
  { table: 'mobile_mesure', column: 'moderee_par', label: 'mesures_moderees' },
  { table: 'mobile_dcc_historique', column: 'par', label: 'suivi_sites' },
]);
