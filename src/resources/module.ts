import type { AppModule } from '../context.ts';
import { registerActorsRoutes } from './actors-routes.ts';
import { registerAgendaRoutes } from './agenda-routes.ts';
import { aidesTerritoiresJob } from './aids-job.ts';
import { registerResourcesApi } from './api.ts';
import { resourcesDatasets } from './datasets.ts';
import { registerLibraryRoutes } from './library-routes.ts';
import { registerProjectsRoutes } from './projects-routes.ts';
import { registerResourcesPages } from './routes.ts';
import { resourcesTerritorySection } from './territory-section.ts';

/** Shared resources space (issue 13): funding aids, directory of actors, agenda, news watch, full-text search. */
export const resourcesModule: AppModule = {
  name: 'ressources',
  jobs: [aidesTerritoiresJob],
  datasets: resourcesDatasets,
  register(app, ctx) {
    registerResourcesApi(app, ctx);
    registerResourcesPages(app, ctx);
    registerActorsRoutes(app, ctx);
    registerAgendaRoutes(app, ctx);
    registerLibraryRoutes(app, ctx);
    registerProjectsRoutes(app, ctx);
    ctx.territorySections.push(resourcesTerritorySection(ctx));
  },
};
