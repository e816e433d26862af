import type { Logger } from 'pino';
import { contactOf } from '../accounts/service.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { fmtDay } from '../http/html.ts';
import { createMailer } from '../ops/mailer.ts';
import { safeSnippet } from '../text/safe.ts';
import * as A from './alerts-queries.ts';
import * as Q from './queries.ts';
import { territoryAndParents } from './service.ts';

/** How far ahead a digest announces deadlines. */
const HORIZON_DAYS = 14;
const MAX_LISTED = 50;
const day = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

async function filterOf(db: Db, f: A.AlertFilters): Promise<Q.AideFilter | null> {
  let territoires: Q.AideFilter['territoires'];
  if (f.niveau && f.code) {
    try {
      territoires = await territoryAndParents(db, f.niveau as 'commune', f.code);
    } catch {
      return null;
    }
  }
  return { beneficiaire: f.beneficiaire, theme: f.theme, type: f.type, territoires };
}

type Listed = Awaited<ReturnType<typeof Q.listAides>>;

function digestText(nom: string, fresh: Listed, closing: Listed, base: string): string {
  const line = (a: Listed['items'][number]) =>
    `- ${a.nom}${a.porteurs.length ? ` (${a.porteurs.join(', ')})` : ''}${a.date_echeance ? ` — date limite ${fmtDay(a.date_echeance)}` : ''}\n  ${base}/ressources/aides/${a.id}`;
  const part = (title: string, l: Listed) =>
    l.total
      ? `${title} (${l.total}) :\n${l.items.map(line).join('\n')}${l.total > l.items.length ? `\n… et ${l.total - l.items.length} autres sur ${base}/ressources/aides` : ''}\n`
      : '';
  return [
    `Votre alerte « ${nom} » sur les aides financières :`,
    '',
    part('Nouvelles aides', fresh),
    part(`Dates limites dans les ${HORIZON_DAYS} prochains jours`, closing),
    'Chaque aide renvoie à la fiche de son porteur : seule celle-ci fait foi (montants, dates, conditions).',
    `Gérer vos alertes : ${base}/compte/alertes`,
  ].join('\n');
}

/**
 * For every alert: the aids imported since its last digest and the deadlines coming within 14 days
 * not yet announced, matching its saved filters. A digest is stored (shown in the platform) and
 * e-mailed when SMTP is configured; the alert's marks move forward in the same transaction, so an
 * aid is announced once. Never throws for one alert's failure.
 */
export async function sendAidDigests(
  deps: { db: Db; config: Config; log: Logger },
  now = new Date(),
): Promise<{ digests: number; sent: number }> {
  const { db, config, log } = deps;
  const mailer = createMailer(config);
  const base = (config.publicUrl ?? '').replace(/\/$/, '');
  const today = day(now);
  const horizon = day(addDays(now, HORIZON_DAYS));
  let digests = 0;
  let sent = 0;
  try {
    for (const alert of await A.allAlerts(db)) {
      try {
        const contact = await contactOf(db, alert.utilisateur_id);
        const f = await filterOf(db, alert.filtres);
        if (!contact?.actif || !f) continue;
        const fresh = await Q.listAides(
          db,
          { ...f, creeesApres: alert.nouvelles_depuis, ouvertesAu: today },
          MAX_LISTED,
          0,
        );
        const freshIds = new Set(fresh.items.map((a) => a.id));
        const closingAll = await Q.listAides(
          db,
          { ...f, ouvertesAu: today, echeance: { apres: alert.echeances_jusqu_au, jusquAu: horizon } },
          MAX_LISTED,
          0,
        );
        const closingItems = closingAll.items.filter((a) => !freshIds.has(a.id));
        const closing = {
          total: closingAll.total - (closingAll.items.length - closingItems.length),
          items: closingItems,
        };
        if (!fresh.total && !closing.total) {
          await A.advanceAlert(db, alert.id, now, horizon);
          continue;
        }
        const sujet = `${fresh.total} nouvelle(s) aide(s), ${closing.total} date(s) limite(s) proche(s) — « ${alert.nom} »`;
        const texte = digestText(alert.nom, fresh, closing, base);
        let courriel: A.DigestRow['courriel'] = 'non_configure';
        let erreur: string | null = null;
        if (mailer) {
          try {
            await mailer.send({ to: contact.email, subject: sujet, text: texte });
            courriel = 'envoye';
            sent++;
          } catch (e) {
            courriel = 'echec';
            erreur = safeSnippet(String((e as Error).message ?? e), 500);
            log.warn({ err: e, alerte: alert.id }, 'alert e-mail failed');
          }
        }
        await db.transaction(async (tx) => {
          await A.insertDigest(tx, {
            alerte_id: alert.id,
            sujet,
            texte,
            nouvelles: fresh.total,
            echeances: closing.total,
            courriel,
            erreur,
          });
          await A.advanceAlert(tx, alert.id, now, horizon);
        });
        digests++;
      } catch (e) {
        log.error({ err: e, alerte: alert.id }, 'alert digest failed');
      }
    }
  } finally {
    mailer?.close();
  }
  return { digests, sent };
}
