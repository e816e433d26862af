import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import * as Q from './login-queries.ts';
import type { UserRow } from './queries.ts';
import { checkCredentials } from './service.ts';

/** Failed logins tolerated in a window, per account and per client address. */
const LOGIN_WINDOW_MINUTES = 15;
const MAX_FAILURES_PER_ACCOUNT = 10;
const MAX_FAILURES_PER_ADDRESS = 30;

/**
 * checkCredentials behind two counters kept in the database: one per account (a password guessed
 * from many addresses) and one per client address (many accounts tried from one place). When either
 * is reached, the password is not even checked. A success clears the account's counter.
 */
export async function checkCredentialsLimited(
  db: Db,
  email: string,
  password: string,
  address: string,
): Promise<UserRow> {
  const key = email.trim().toLowerCase().slice(0, 200);
  const n = await Q.countLoginFailures(db, key, address, LOGIN_WINDOW_MINUTES);
  if (n.compte >= MAX_FAILURES_PER_ACCOUNT || n.adresse >= MAX_FAILURES_PER_ADDRESS) {
    throw new AppError(
      'TROP_DE_REQUETES',
      `login blocked (${n.compte} for account, ${n.adresse} from ${address})`,
      `Trop de tentatives de connexion infructueuses : réessayez dans ${LOGIN_WINDOW_MINUTES} minutes.`,
    );
  }
  try {
    const user = await checkCredentials(db, email, password);
    await Q.deleteLoginFailuresOf(db, key);
    return user;
  } catch (e) {
    if (e instanceof AppError && e.code === 'IDENTIFIANTS_INVALIDES') {
      await Q.deleteOldLoginFailures(db);
      await Q.insertLoginFailure(db, key, address);
    }
    throw e;
  }
}
