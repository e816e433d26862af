import type { AppModule } from '../context.ts';
import { fibreImmeublesJob } from './jobs-fibre.ts';
import { mciEligibiliteJob, mciImmeublesJob, mciOperateursJob } from './jobs-mci.ts';
import { offresRepliJob } from './jobs-repli.ts';
import { rematchAll, rematchCommunes, staleCommunes } from './match-db.ts';
import { summaryText } from './matching.ts';
import { clearCommuneCache } from './service.ts';
import { eligibilityTerritorySection, registerEligibilityApi, registerEligibilityPages, registerRipAdmin } from './routes.ts';

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
      try {
        const stale = await staleCommunes(ctx.db);
        if (!stale.length) return;
        ctx.log.info({ communes: stale.length }, 'building matches out of date: matching again');
        void ctx.db.transaction((tx) => rematchCommunes(tx, stale))
          .then((r) => { clearCommuneCache(ctx.db); ctx.log.info({ mci: summaryText(r.mci), fibre: summaryText(r.fibre) }, 'buildings matched again at start'); })
          .catch((err) => ctx.log.error({ err }, 'building re-matching at start failed'));
      } catch (err) {
        ctx.log.error({ err }, 'building match check failed');
      }
    });
    // New addresses: buildings are matched again, so that answers follow the address base.
    ctx.onImported(async (job, ev) => {
      // Any import may change what answers say about a commune (buildings, offers, observatory).
      clearCommuneCache(ctx.db);
      // Matching writes to the database: done once, by the process that ran the import.
      if (job !== 'adresses' || ev.remote) return;
      try {
        const hasBuildings = (await ctx.db.query<{ n: number }>('SELECT (SELECT count(*) FROM mci_immeuble) + (SELECT count(*) FROM fibre_immeuble) AS n')).rows[0]!;
        if (!Number(hasBuildings.n)) return;
        const t0 = Date.now();
        const r = await ctx.db.transaction((tx) => rematchAll(tx));
        ctx.log.info({ ms: Date.now() - t0, mci: summaryText(r.mci), fibre: summaryText(r.fibre) }, 'buildings matched again after an address import');
      } catch (err) {
        ctx.log.error({ err }, 'building re-matching after address import failed');
      }
    });
  },
};
