import { anonymiseJson, anonymiseText, definePersonalData } from '../opendata/personal-data.ts';
import * as Q from './queries.ts';

/**
 * The account itself, its sessions, failed logins on its address and its entries in the audit journal.
 * Erased last (the other providers look for the e-mail and name it still holds): sessions and failed logins
 * deleted, journal entries kept with the actor anonymised (and the person's e-mail and name removed from
 * their before/after values), the account row kept without e-mail, name or password hash, deactivated.
 */
export const accountPersonalData = definePersonalData({
  name: 'compte',
  title: 'Compte, sessions, échecs de connexion, journal des modifications',
  async export(q, p) {
    const d = await Q.personalData(q, p.id);
    return d ?? {};
  },
  async erase(q, p, anon) {
    let n = 0;
    n += await Q.deleteAllSessionsOf(q, p.id);
    n += await Q.deleteLoginFailuresOf(q, p.email);
    n += await Q.anonymiseAuditActor(q, p.id, anon);
    n += await anonymiseText(q, 'journal_audit', 'acteur', p, anon);
    n += await anonymiseJson(q, 'journal_audit', 'avant', p, anon);
    n += await anonymiseJson(q, 'journal_audit', 'apres', p, anon);
    n += await Q.anonymiseAccount(q, p.id);
    return n;
  },
});
