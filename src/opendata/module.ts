import type { AppModule } from '../context.ts';
import { registerOpendataApi } from './api.ts';
import { opendataCollectivitesJob } from './collectivites-job.ts';
import { opendataDatasets } from './datasets.ts';
import { registerOpendataRoutes } from './routes.ts';

/**
 * Open data (issue 14): the catalogue of the datasets every module declares (`AppModule.datasets`),
 * generated on demand as CSV, JSON and GeoJSON, with its DCAT-AP and data.json feeds; the observatory
 * of the collectivités obliged to open their data (job `opendata-collectivites`).
 */
export const opendataModule: AppModule = {
  name: 'donnees',
  jobs: [opendataCollectivitesJob],
  datasets: opendataDatasets,
  register(app, ctx) {
    registerOpendataApi(app, ctx);
    registerOpendataRoutes(app, ctx);
  },
};
