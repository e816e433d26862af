import { anonymiseText, countMentions, definePersonalData, type Mention } from '../opendata/personal-data.ts';
import * as A from './alerts-queries.ts';
import { claimsBy } from './claims-queries.ts';
import { messagesBy } from './groups-queries.ts';

const MENTIONS: Mention[] = [
  { table: 'bibliotheque_version', column: 'auteur', label: 'versions_bibliotheque' },
  { table: 'acteur', column: 'contact_public', label: 'contacts_acteurs' },
  { table: 'projet', column: 'contact_public', label: 'contacts_projets' },
];

/**
 * Saved aid searches (the person's alone: deleted), authorship in the library and directory (kept, anonymised),
 * working-group messages and actor-card claims (kept: they point to the account, which erasure anonymises).
 */
export const resourcesPersonalData = definePersonalData({
  name: 'ressources',
  title: 'Ressources : alertes sur les aides, bibliothèque, annuaire, groupes de travail',
  async export(q, p) {
    const alertes = (await A.alertsOf(q, p.id)).map((a) => ({ nom: a.nom, filtres: a.filtres, cree_le: a.cree_le }));
    return {
      alertes,
      messages_groupes: await messagesBy(q, p.id),
      revendications: await claimsBy(q, p.id),
      contributions: await countMentions(q, MENTIONS, p),
    };
  },
  async erase(q, p, anon) {
    let n = await A.deleteAlertsOf(q, p.id);
    for (const m of MENTIONS) n += await anonymiseText(q, m.table, m.column, p, anon);
    return n;
  },
});
