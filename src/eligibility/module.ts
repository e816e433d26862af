import type { AppContext, AppModule } from '../context.ts';
import { fibreImmeublesJob } from './jobs-fibre.ts';
import { mciEligibiliteJob, mciImmeublesJob, mciOperateursJob } from './jobs-mci.ts';
import { offresRepliJob } from './jobs-repli.ts';
import { rematchAll, rematchCommunes, staleCommunes } from './match-db.ts';
import { summaryText } from './matching.ts';
import {
  eligibilityTerritorySection,
  registerEligibilityApi,
  registerEligibilityPages,
  registerRipAdmin,
} from './routes.ts';
import { clearCommuneCache } from './service.ts';

const MATCHING_LOCK = 7263004;

/** Matches buildings again in the communes whose addresses changed since they were matched. */
async function catchUpMatches(ctx: AppContext, when: string): Promise<void> {
  try {
    const r = await ctx.db.transaction(async (tx) => {
      if (
        ctx.db.kind === 'postgres' &&
        !(await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [MATCHING_LOCK])).rows[0]!.ok
      )
        return null;
      const stale = await staleCommunes(tx);
      if (!stale.length) return null;
      ctx.log.info({ communes: stale.length }, 'building matches out of date: matching again');
      return rematchCommunes(tx, stale);
    });
    if (!r) return;
    clearCommuneCache(ctx.db);
    ctx.log.info({ mci: summaryText(r.mci), fibre: summaryText(r.fibre) }, `buildings matched again ${when}`);
  } catch (err) {
    ctx.log.error({ err }, `building re-matching ${when} failed`);
  }
}

export const eligibilityModule: AppModule = {
  name: 'eligibilite',
  jobs: [mciImmeublesJob, mciEligibiliteJob, mciOperateursJob, fibreImmeublesJob, offresRepliJob],
  register(app, ctx) {
    registerEligibilityApi(app, ctx);
    registerEligibilityPages(app, ctx);
    registerRipAdmin(app, ctx);
    ctx.territorySections.push(eligibilityTerritorySection(ctx));
    // At start: addresses imported while the server was stopped (CLI) leave stale matches; redo those
    // communes in the background (the check itself is one query).
    app.addHook('onReady', async () => {
      void catchUpMatches(ctx, 'at start');
    });
    // New addresses: buildings are matched again, so that answers follow the address base.
    ctx.onImported(async (job, ev) => {
      // Any import may change what answers say about a commune (buildings, offers, observatory).
      clearCommuneCache(ctx.db);
      if (job !== 'adresses') return;
      // Matching writes to the database: done once, by the process that ran the import, or, for a CLI
      // import on a shared PostgreSQL, by the one instance that takes the lock.
      if (ev.remote) {
        if (ev.followUpsDone === false) await catchUpMatches(ctx, 'after an import by the CLI');
        return;
      }
      try {
        const hasBuildings = (
          await ctx.db.query<{ n: number }>(
            'SELECT (SELECT count(*) FROM mci_immeuble) + (SELECT count(*) FROM fibre_immeuble) AS n',
          )
        ).rows[0]!;
        if (!Number(hasBuildings.n)) return;
        const t0 = Date.now();
        const r = await ctx.db.transaction((tx) => rematchAll(tx));
        ctx.log.info(
          { ms: Date.now() - t0, mci: summaryText(r.mci), fibre: summaryText(r.fibre) },
          'buildings matched again after an address import',
        );
      } catch (err) {
        ctx.log.error({ err }, 'building re-matching after address import failed');
      }
    });
  },
};
