import type { AppModule } from '../context.ts';
import { registerOpendataApi } from './api.ts';
import { opendataCollectivitesJob } from './collectivites-job.ts';
import { registerDatalabRoutes } from './datalab.ts';
import { opendataDatasets } from './datasets.ts';
import { registerMyDataRoute } from './my-data.ts';
import { registerRegistreRoutes } from './registre.ts';
import { retentionJob } from './retention-job.ts';
import { registerOpendataRoutes } from './routes.ts';

/**
 * Open data (issue 14): the catalogue of the datasets every module declares (`AppModule.datasets`),
 * generated on demand as CSV, JSON and GeoJSON, with its DCAT-AP and data.json feeds; the observatory
 * of the collectivités obliged to open their data (job `opendata-collectivites`); the GDPR register of
 * processing activities and each account holder's download of their own data.
 */
export const opendataModule: AppModule = {
  name: 'donnees',
  jobs: [opendataCollectivitesJob, retentionJob],
  datasets: opendataDatasets,
  register(app, ctx) {
    registerOpendataApi(app, ctx);
    registerRegistreRoutes(app, ctx);
    registerDatalabRoutes(app, ctx);
    registerOpendataRoutes(app, ctx);
    registerMyDataRoute(app, ctx);
  },
};
