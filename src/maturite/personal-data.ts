import { definePersonalData } from '../opendata/personal-data.ts';
import * as Q from './queries.ts';

/** Questionnaire answers where the account holder's address was left as a contact. */
export const maturitePersonalData = definePersonalData({
  name: 'questionnaire',
  title: 'Questionnaire de maturité numérique (adresse de contact laissée)',
  export: (q, p) => Q.repondantsWithEmail(q, p.email),
  erase: (q, p) => Q.forgetRepondantEmail(q, p.email),
});
