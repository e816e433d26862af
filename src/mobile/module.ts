import type { AppModule } from '../context.ts';
import { registerMobileApi } from './api.ts';
import { couvertureCibleeJob } from './dcc-job.ts';
import { registerDccRoutes } from './dcc-routes.ts';
import { mobileIndicateursJob } from './indicators-job.ts';
import { registerMeasureRoutes } from './measures-routes.ts';
import { mobilePersonalData } from './personal-data.ts';
import { hasSnapshots } from './queries.ts';
import { mobileTerritorySection, registerMobilePages } from './routes.ts';
import { sitesMobilesJob } from './sites-job.ts';
import { registerSpeedtestRoutes } from './speedtest-routes.ts';
import { mobileStatsJob } from './stats-job.ts';

/** The imports the stored snapshots' indicators derive from (commune outlines; communes and populations). */
const INDICATOR_INPUTS = new Set(['contours', 'territoires']);

/** Mobile coverage observatory (issue 12): ARCEP mobile sites by operator and generation, over snapshots; crowdsourced speed measurements. */
export const mobileModule: AppModule = {
  name: 'mobile',
  personalData: [mobilePersonalData],
  jobs: [sitesMobilesJob, couvertureCibleeJob, mobileStatsJob, mobileIndicateursJob],
  register(app, ctx) {
    registerMobileApi(app, ctx);
    registerMobilePages(app, ctx);
    registerMeasureRoutes(app, ctx);
    registerSpeedtestRoutes(app, ctx);
    registerDccRoutes(app, ctx);
    ctx.territorySections.push(mobileTerritorySection(ctx));
    // The snapshots' indicators follow the contours and territories they derive from (as inclusion's accessibilite).
    ctx.onImported(async (job, ev) => {
      if (ev.remote && ev.followUpsDone !== false) return;
      if (!INDICATOR_INPUTS.has(job)) return;
      if (!(await hasSnapshots(ctx.db))) return;
      const run = await ctx.runImport({
        job: 'mobile-indicateurs',
        startedBy: `suite de l’import n° ${ev.runId}`,
        force: true,
      });
      if (run.status === 'failed') throw new Error(run.message ?? 'mobile-indicateurs failed');
    }, 'mobile-indicateurs');
  },
};
