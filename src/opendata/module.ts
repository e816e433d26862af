import type { AppModule } from '../context.ts';
import { registerOpendataRoutes } from './routes.ts';

/**
 * Open data (issue 14): the catalogue of the datasets every module declares (`AppModule.datasets`),
 * generated on demand as CSV, JSON and GeoJSON, with its DCAT-AP and data.json feeds.
 */
export const opendataModule: AppModule = {
  name: 'donnees',
  register(app, ctx) {
    registerOpendataRoutes(app, ctx);
  },
};
