import type { AppModule } from '../context.ts';
import { registerMobileApi } from './api.ts';
import { couvertureCibleeJob } from './dcc-job.ts';
import { registerDccRoutes } from './dcc-routes.ts';
import { registerMeasureRoutes } from './measures-routes.ts';
import { mobilePersonalData } from './personal-data.ts';
import { mobileTerritorySection, registerMobilePages } from './routes.ts';
import { sitesMobilesJob } from './sites-job.ts';
import { registerSpeedtestRoutes } from './speedtest-routes.ts';
import { mobileStatsJob } from './stats-job.ts';

/** Mobile coverage observatory (issue 12): ARCEP mobile sites by operator and generation, over snapshots; crowdsourced speed measurements. */
export const mobileModule: AppModule = {
  name: 'mobile',
  personalData: [mobilePersonalData],
  jobs: [sitesMobilesJob, couvertureCibleeJob, mobileStatsJob],
  register(app, ctx) {
    registerMobileApi(app, ctx);
    registerMobilePages(app, ctx);
    registerMeasureRoutes(app, ctx);
    registerSpeedtestRoutes(app, ctx);
    registerDccRoutes(app, ctx);
    ctx.territorySections.push(mobileTerritorySection(ctx));
  },
};
