import type { AppModule } from '../context.ts';
import { registerInclusionApi } from './api.ts';
import { franceServicesJob, lieuxMediationJob } from './jobs.ts';
import { registerInclusionPages } from './routes.ts';
import { inclusionTerritorySection } from './territory-section.ts';

/** Digital inclusion (issue 10): merged directory of places (médiation numérique, France Services…), API, exports. */
export const inclusionModule: AppModule = {
  name: 'inclusion',
  jobs: [lieuxMediationJob, franceServicesJob],
  register(app, ctx) {
    registerInclusionApi(app, ctx);
    registerInclusionPages(app, ctx);
    ctx.territorySections.push(inclusionTerritorySection(ctx));
  },
};
