import type { AppModule } from '../context.ts';
import { registerStrategyApi } from './api.ts';
import { strategyDatasets } from './datasets.ts';
import { registerStrategyEditing } from './edit-routes.ts';
import { strategieJob } from './job-strategie.ts';
import { strategieMesuresJob } from './measures-csv.ts';
import { strategyPersonalData } from './personal-data.ts';
import { PROVIDERS } from './providers.ts';
import { registerStrategyReviews } from './review-routes.ts';
import { strategieCsvJob } from './roadmap-csv.ts';
import { registerStrategyPages } from './routes.ts';
import { refreshProvidedMeasures } from './service.ts';
import { registerStrategyShaping } from './shape-routes.ts';

const FED_BY = new Set([...PROVIDERS.values()].flatMap((p) => p.feeds));

/**
 * Strategy steering: strategies as trees of nodes, actions with owners, budgets and milestones,
 * SMART indicators whose measurements providers compute from the platform's data after each import
 * that feeds them.
 */
export const strategyModule: AppModule = {
  name: 'strategie',
  personalData: [strategyPersonalData],
  jobs: [strategieJob, strategieCsvJob, strategieMesuresJob],
  datasets: strategyDatasets,
  register(app, ctx) {
    registerStrategyApi(app, ctx);
    registerStrategyPages(app, ctx);
    registerStrategyEditing(app, ctx);
    registerStrategyReviews(app, ctx);
    registerStrategyShaping(app, ctx);
    ctx.onImported(async (job, ev) => {
      // Database follow-up: done once, by the process that ran the import.
      if (ev.remote && ev.followUpsDone !== false) return;
      if (FED_BY.has(job)) await refreshProvidedMeasures(ctx.db, job);
    }, 'strategie-indicateurs');
  },
};
