import type { AppModule } from '../context.ts';
import { registerActorsRoutes } from './actors-routes.ts';
import { registerAgendaRoutes } from './agenda-routes.ts';
import { aidesTerritoiresJob } from './aids-job.ts';
import { sendAidDigests } from './alerts.ts';
import { registerAlertsRoutes } from './alerts-routes.ts';
import { registerResourcesApi } from './api.ts';
import { registerClaimsRoutes } from './claims.ts';
import { resourcesDatasets } from './datasets.ts';
import { registerGroupsRoutes } from './groups.ts';
import { registerLibraryRoutes } from './library-routes.ts';
import { registerModerationRoutes } from './moderation.ts';
import { resourcesPersonalData } from './personal-data.ts';
import { registerProjectsRoutes } from './projects-routes.ts';
import { registerResourcesPages } from './routes.ts';
import { resourcesTerritorySection } from './territory-section.ts';

/** Shared resources space (issue 13): funding aids, directory of actors, agenda, news watch, full-text search. */
export const resourcesModule: AppModule = {
  name: 'ressources',
  personalData: [resourcesPersonalData],
  jobs: [aidesTerritoiresJob],
  datasets: resourcesDatasets,
  register(app, ctx) {
    registerResourcesApi(app, ctx);
    registerResourcesPages(app, ctx);
    registerActorsRoutes(app, ctx);
    registerAgendaRoutes(app, ctx);
    registerLibraryRoutes(app, ctx);
    registerAlertsRoutes(app, ctx);
    ctx.onImported(async (job, ev) => {
      // Once per import, by the process that ran it.
      if (job !== 'aides-territoires' || (ev.remote && ev.followUpsDone !== false)) return;
      await sendAidDigests(ctx);
    }, 'alertes-aides');
    registerProjectsRoutes(app, ctx);
    registerModerationRoutes(app, ctx);
    registerClaimsRoutes(app, ctx);
    registerGroupsRoutes(app, ctx);
    ctx.territorySections.push(resourcesTerritorySection(ctx));
  },
};
