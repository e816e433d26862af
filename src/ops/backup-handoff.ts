import crypto from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { betweenImports } from '../imports/runner.ts';
import { writeBackup } from './backup.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const BackupRequest = z.object({
  fichier: z
    .string()
    .min(1)
    .max(4000)
    .refine((f) => path.isAbsolute(f) && !f.includes('\0'), 'chemin absolu attendu'),
});

/**
 * `npm run cli -- sauvegarde` while the server holds the embedded database: the CLI hands the backup
 * to the server (loopback, bearer token from the lock file, as for imports), which writes it between
 * two imports, reading page by page so that pages keep answering.
 */
export function registerBackupHandoff(app: FastifyInstance, ctx: AppContext): void {
  if (ctx.db.kind !== 'pglite') return;
  app.post('/interne/sauvegarde', { schema: { hide: true } }, async (req) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(ctx.internalToken ? `Bearer ${ctx.internalToken}` : '');
    const ok = expected.length > 0 && auth.length === expected.length && crypto.timingSafeEqual(auth, expected);
    if (!ok || !LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new AppError('INTERDIT', 'bad internal token');
    const parsed = BackupRequest.safeParse(req.body);
    if (!parsed.success)
      throw new AppError(
        'REQUETE_INVALIDE',
        parsed.error.message,
        'Chemin de sauvegarde invalide (chemin absolu attendu).',
      );
    const file = parsed.data.fichier;
    try {
      return await betweenImports(() => writeBackup(ctx.db, file));
    } catch (e) {
      if (e instanceof AppError) throw e;
      ctx.log.error({ err: e, file }, 'backup failed');
      throw new AppError(
        'SOURCE_ILLISIBLE',
        (e as Error).message,
        `Sauvegarde impossible dans ${file} : ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  });
}
