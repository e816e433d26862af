import type { AppModule } from '../context.ts';
import { type RateLimit, registerAddressApi } from './api.ts';
import { addressesJob } from './import-job.ts';
import { countAddresses, departementsOfRun } from './queries.ts';
import { registerAddressPages } from './routes.ts';
import { loadAddressIndexAtStartup, noteImported, rebuildAddressIndex, setEmptyAddressIndex } from './service.ts';

/** Per client: an autocomplete sends a request per keystroke (debounced), hence a generous limit. */
const ADDRESS_RATE_LIMIT: RateLimit = { max: 600, timeWindow: '1 minute' };

export function createAddressesModule(o: { rateLimit?: RateLimit | false } = {}): AppModule {
  return {
    name: 'adresses',
    jobs: [addressesJob],
    async register(app, ctx) {
      registerAddressApi(app, ctx, o.rateLimit ?? ADDRESS_RATE_LIMIT);
      registerAddressPages(app, ctx);
      ctx.onImported(async (job, ev) => {
        if (job !== 'adresses') return;
        // Another process's import: re-read only the départements it wrote (its rows are not in memory here).
        // Rows a re-import left unchanged keep their earlier run, so a département where the run only removed
        // addresses is not seen here (known limit, see ARCHITECTURE.md).
        if (ev.remote)
          noteImported(ctx.db, {
            departements: new Set(await departementsOfRun(ctx.db, ev.runId)),
            communes: new Set(),
          });
        await rebuildAddressIndex(ctx);
      }, 'index de recherche des adresses');
      // Start-up: the snapshot if it matches the table, else a build in the background, so that
      // listening does not wait for a large table (requests arriving meanwhile wait for the build).
      const n = await countAddresses(ctx.db).catch(() => 0);
      if (n > 0) await loadAddressIndexAtStartup(ctx);
      else setEmptyAddressIndex(ctx);
    },
  };
}

export const addressesModule: AppModule = createAddressesModule();
